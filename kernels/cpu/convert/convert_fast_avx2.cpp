// STUB: AVX2 variant of cpu_fast.
