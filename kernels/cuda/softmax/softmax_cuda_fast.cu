// cuda softmax, the fast paths for every algorithm: the kernels and their
// launches. The layout and arithmetic are described in softmax_cuda_fast_teams.cuh
// and softmax_cuda_fast_row.cuh, the building blocks they use. softmax_cuda.cu's
// softmax_launch takes them when input and output formats are equal and the
// rows are vector-aligned, else its row-per-block kernel.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cooperative_groups.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "plumb/kernels/softmax_exp.hpp"
#include "softmax_cuda_fast.cuh"
#include "softmax_cuda_fast_row.cuh"

namespace plumb::kernels::cuda {
namespace {

using namespace softmax_fast_row;  // softmax_cuda_fast_teams.cuh, softmax_cuda_fast_row.cuh

template <class T, int GW, int K>
__global__ void __launch_bounds__(256) group_kernel(const T* __restrict__ in, T* __restrict__ out, size_t rows,
                                                   size_t cols, SoftmaxAlgorithm alg, bool safe) {
  const GroupTeam<GW> team;
  if (team.row() >= rows) return;  // whole groups leave together
  softmax_row<T, K>(team, in, out, cols, alg, safe);
}

// Registers: <= 80 a thread (768 threads an SM, three blocks of 256: one
// block's loads overlap another's arithmetic); blocks of 512 (rows of more
// than 131,072 columns): 64, two blocks an SM (fp32 spills 24 bytes there).
template <class T, int NT, int C, int K>
__global__ void __launch_bounds__(NT, NT >= 512 ? 2 : 768 / NT)
    cluster_kernel(const T* __restrict__ in, T* __restrict__ out, size_t cols, SoftmaxAlgorithm alg, bool safe) {
  __shared__ Pair warp_slots[NT / 32];
  __shared__ Pair block_slots[3];
  ClusterTeam<NT, C> team;
  team.warp_slots = warp_slots;
  team.block_slots = block_slots;
  softmax_row<T, K>(team, in, out, cols, alg, safe);
}

// 16 bytes global -> shared, asynchronous (L2 only), and the wait for all of
// this thread's copies.
__device__ __forceinline__ void copy_async16(uint4* dst, const uint4* src) {
  const unsigned d = static_cast<unsigned>(__cvta_generic_to_shared(dst));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(d), "l"(src) : "memory");
}
__device__ __forceinline__ void copy_async_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }
__device__ __forceinline__ void copy_async_wait() { asm volatile("cp.async.wait_group 0;" ::: "memory"); }

// Long rows (clusters): each cluster runs rows first, first + step, ... (grid
// = the clusters that fit at once). A thread copies its part of the next row
// into its own shared-memory slots (K x NT vectors a block, thread-private:
// no barrier for the copy) while it reduces and writes the current row from
// registers, so the next row's loads are in flight during this row's
// barriers and arithmetic. Same arithmetic as cluster_kernel, bit for bit.
template <class T, int NT, int C, int K>
__global__ void __launch_bounds__(NT, NT >= 512 ? 2 : 768 / NT)
    stream_kernel(const T* __restrict__ in, T* __restrict__ out, size_t rows, size_t cols, SoftmaxAlgorithm alg,
                  bool safe) {
  extern __shared__ uint4 stage[];  // [K][NT]
  __shared__ Pair warp_slots[NT / 32];
  __shared__ Pair block_slots[6];
  constexpr int V = 16 / sizeof(T);
  ClusterTeam<NT, C, true> team;
  team.warp_slots = warp_slots;
  team.block_slots = block_slots;
  const size_t nvec = cols / V, step = gridDim.x / C;
  const uint4* p = reinterpret_cast<const uint4*>(in);
  const auto prefetch = [&](size_t row) {
    if (row >= rows) return;
#pragma unroll
    for (int k = 0; k < K; ++k) {
      const size_t at = static_cast<size_t>(k) * ClusterTeam<NT, C, true>::kSize + team.rank();
      if (at < nvec) copy_async16(stage + k * NT + threadIdx.x, p + row * nvec + at);
    }
    copy_async_commit();
  };
  size_t row = blockIdx.x / C;
  prefetch(row);
  for (; row < rows; row += step, team.parity ^= 1) {
    float x[K * V];
    {
      copy_async_wait();
      uint4 r[K];
#pragma unroll
      for (int k = 0; k < K; ++k) {
        const size_t at = static_cast<size_t>(k) * ClusterTeam<NT, C, true>::kSize + team.rank();
        if (at < nvec) r[k] = stage[k * NT + threadIdx.x];
      }
      unpack_row<T, K>(team, r, nvec, x);
    }
    __syncthreads();  // this thread's shared-memory reads done before its next copies land
    prefetch(row + step);
    team.loop_row = row;
    softmax_regs<T, K>(team, x, reinterpret_cast<uint4*>(out) + row * nvec, nvec, alg, safe);
  }
  if constexpr (C > 1) cg::this_cluster().sync();  // no block leaves while another reads its slots
}

struct Call {
  const void* in;
  void* out;
  size_t rows, cols;
  SoftmaxAlgorithm alg;
  bool safe;
  cudaStream_t st;
};

template <class T, int GW, int K>
cudaError_t launch_group(const Call& c) {
  const size_t blocks = (c.rows + 256 / GW - 1) / (256 / GW);
  if (blocks > 0x7fffffffu) return static_cast<cudaError_t>(-1);
  group_kernel<T, GW, K><<<static_cast<unsigned>(blocks), 256, 0, c.st>>>(
      static_cast<const T*>(c.in), static_cast<T*>(c.out), c.rows, c.cols, c.alg, c.safe);
  return cudaGetLastError();
}

template <class T, int NT, int C>
cudaError_t launch_cluster(const Call& c) {
  constexpr int K = 32 / (16 / sizeof(T));
  auto* kernel = cluster_kernel<T, NT, C, K>;
  if (c.rows * C > 0x7fffffffu) return static_cast<cudaError_t>(-1);
  if (C > 8) {
    const cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 1);
    if (e != cudaSuccess) return e;
  }
  cudaLaunchConfig_t cfg{};
  cfg.gridDim = dim3(static_cast<unsigned>(c.rows * C));
  cfg.blockDim = dim3(NT);
  cfg.stream = c.st;
  cudaLaunchAttribute attr[1];
  attr[0].id = cudaLaunchAttributeClusterDimension;
  attr[0].val.clusterDim.x = C, attr[0].val.clusterDim.y = 1, attr[0].val.clusterDim.z = 1;
  cfg.attrs = attr;
  cfg.numAttrs = C > 1 ? 1 : 0;
  return cudaLaunchKernelEx(&cfg, kernel, static_cast<const T*>(c.in), static_cast<T*>(c.out), c.cols, c.alg,
                            c.safe);
}

// stream_kernel on the clusters that fit at once (at most one per row).
template <class T, int NT, int C>
cudaError_t launch_stream(const Call& c) {
  constexpr int K = 32 / (16 / sizeof(T));
  constexpr size_t kStage = static_cast<size_t>(K) * NT * 16;
  auto* kernel = stream_kernel<T, NT, C, K>;
  cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kStage);
  if (e == cudaSuccess && C > 8) e = cudaFuncSetAttribute(kernel, cudaFuncAttributeNonPortableClusterSizeAllowed, 1);
  if (e != cudaSuccess) return e;
  cudaLaunchConfig_t cfg{};
  cfg.blockDim = dim3(NT);
  cfg.dynamicSmemBytes = kStage;
  cfg.stream = c.st;
  cudaLaunchAttribute attr[1];
  attr[0].id = cudaLaunchAttributeClusterDimension;
  attr[0].val.clusterDim.x = C, attr[0].val.clusterDim.y = 1, attr[0].val.clusterDim.z = 1;
  cfg.attrs = attr;
  cfg.numAttrs = 1;
  cfg.gridDim = dim3(C);
  // Clusters resident at once, asked once per device and kernel.
  static int fit[64] = {};
  int dev = 0;
  if ((e = cudaGetDevice(&dev)) != cudaSuccess) return e;
  if (dev < 64 && fit[dev] == 0) {
    int n = 0;
    e = cudaOccupancyMaxActiveClusters(&n, kernel, &cfg);
    if (e != cudaSuccess) return e;
    fit[dev] = n > 0 ? n : -1;
  }
  if (dev >= 64 || fit[dev] < 0) return static_cast<cudaError_t>(-1);
  const size_t clusters = c.rows < static_cast<size_t>(fit[dev]) ? c.rows : static_cast<size_t>(fit[dev]);
  cfg.gridDim = dim3(static_cast<unsigned>(clusters * C));
  return cudaLaunchKernelEx(&cfg, kernel, static_cast<const T*>(c.in), static_cast<T*>(c.out), c.rows, c.cols,
                            c.alg, c.safe);
}

// static_cast<cudaError_t>(-1): the fast paths do not take this call.
template <class T>
cudaError_t softmax_fast_io(const Call& c) {
  constexpr int V = 16 / sizeof(T), KMax = 32 / V;
  const size_t nvec = c.cols / V;
  if (nvec <= 4) return launch_group<T, 4, 1>(c);
  if (nvec <= 8) return launch_group<T, 4, 2>(c);
  if (nvec <= 16) return launch_group<T, 8, 2>(c);
  if (nvec <= 32) return launch_group<T, 16, 2>(c);
  if (nvec <= 64) return launch_group<T, 32, 2>(c);
  if (nvec <= 128) return launch_group<T, 32, 4>(c);
  if constexpr (KMax == 8)
    if (nvec <= 256) return launch_group<T, 32, 8>(c);
  // Blocks of <= 256 threads (<= 80 registers: three or more blocks an SM, so
  // that one block's loads overlap another's arithmetic); 512 only where 16
  // such blocks cannot hold the row (one block an SM).
  if (nvec <= 128 * KMax) return launch_cluster<T, 128, 1>(c);
  if (nvec <= 256 * KMax) return launch_cluster<T, 256, 1>(c);
  // Clusters of 4, 16-bit rows (32,768 columns): persistent clusters that
  // prefetch the next row (stream_kernel) were 4% faster on the H100
  // (softmax_cuda_tuning.md, session 3b); at every other measured cluster
  // shape one row a cluster launch (cluster_kernel) was faster.
  if (nvec <= 2 * 256 * KMax) return launch_cluster<T, 256, 2>(c);
  if (nvec <= 4 * 256 * KMax) {
    if constexpr (sizeof(T) == 2) return launch_stream<T, 256, 4>(c);
    else return launch_cluster<T, 256, 4>(c);
  }
  if (nvec <= 8 * 256 * KMax) return launch_cluster<T, 256, 8>(c);
  cudaError_t e = static_cast<cudaError_t>(-1);
  // Non-portable clusters of 16 (H100: yes); where refused, the general kernel.
  if (nvec <= 16 * 256 * KMax) e = launch_cluster<T, 256, 16>(c);
  else if (nvec <= 16 * 512 * KMax) e = launch_cluster<T, 512, 16>(c);
  if (e == cudaSuccess) return e;
  (void)cudaGetLastError();
  return static_cast<cudaError_t>(-1);
}

}  // namespace

cudaError_t softmax_fast(SoftmaxAlgorithm algorithm, bool safe, SoftmaxIo io, const void* in, void* out,
                         size_t rows, size_t cols, cudaStream_t st) {
  const size_t v = io == SoftmaxIo::fp32 ? 4 : 8;
  if (cols % v != 0 || reinterpret_cast<uintptr_t>(in) % 16 != 0 || reinterpret_cast<uintptr_t>(out) % 16 != 0)
    return static_cast<cudaError_t>(-1);
  const Call c{in, out, rows, cols, algorithm, safe, st};
  switch (io) {
    case SoftmaxIo::fp32: return softmax_fast_io<float>(c);
    case SoftmaxIo::bf16: return softmax_fast_io<__nv_bfloat16>(c);
    default: return softmax_fast_io<__half>(c);
  }
}

}  // namespace plumb::kernels::cuda
