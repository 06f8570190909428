// plumb_bench, CUDA part: a spin kernel enqueued before each timed GPU launch
// (cuda_convert_bench.cpp), so that the host's launch work (argument set-up,
// cuda_fast's plan) runs while the GPU is busy and never inside the timed
// region. torch_convert_bench.py spins the same way (torch.cuda._sleep).
#include <cuda_runtime.h>

namespace {
__global__ void spin_kernel(unsigned long long ns) {
  unsigned long long t0, t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
  do asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t)); while (t - t0 < ns);
}
}  // namespace

// Enqueues a one-thread kernel that busy-waits ns nanoseconds on `stream`.
cudaError_t plumb_bench_gpu_spin(cudaStream_t stream, unsigned long long ns) {
  spin_kernel<<<1, 1, 0, stream>>>(ns);
  return cudaGetLastError();
}
