// plumb kernels: the stochastic-rounding bits of the GPU sweeps, a counter-based
// generator usable on host and device (PLUMB_HD).
//
// The bits of an input depend only on the sweep's seed and the input's code,
// so a sweep is reproducible from its seed and any counterexample from its
// input: on the host, sweep_rbits(seed, input) gives the word the GPU used
// (which a counterexample also records; `plumb convert --rbits` takes it).
//
// It is splitmix64 at index `code` of the stream (seed ^ 0x5eed5eed5eed),
// top 32 bits: the same formula as checks::case_rbits(seed, i) with i = code
// (suites/support), so the CPU suites and the GPU sweeps draw from one
// generator. plumb_cuda_tests checks that the two agree.
#pragma once

#include <cstdint>

#include "plumb/formats/host_device.hpp"

namespace plumb::kernels {

// The bits at any 64-bit index of the seed's stream: checks::case_rbits(seed,
// index) exactly. cuda_plumb's seeded entry (convert_plumb_seeded) gives
// element i the word index_rbits(seed, i).
PLUMB_HD constexpr uint32_t index_rbits(uint64_t seed, uint64_t index) {
  uint64_t z = (seed ^ 0x5eed5eed5eedull) + (index + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return static_cast<uint32_t>((z ^ (z >> 31)) >> 32);
}

PLUMB_HD constexpr uint32_t sweep_rbits(uint64_t seed, uint32_t code) { return index_rbits(seed, code); }

}  // namespace plumb::kernels
