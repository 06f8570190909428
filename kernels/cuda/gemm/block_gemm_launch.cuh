// plumb's Hopper block-scaled GEMM: choosing and launching a kernel by path
// (bf16 or fp8 tensor cores) and shape. Shared by the registry entries
// (block_gemm.cu, one code per byte) and the tuning tool
// (tools/gemm/block_gemm_tune.cu, which also launches the packed variants:
// the decode kernel then reads packed B and one-code-per-byte A).
#pragma once

#include <cuda_runtime.h>

#include <algorithm>

#include "block_gemm_decode.cuh"
#include "block_gemm_fp8.cuh"
#include "block_gemm_tile.cuh"

namespace plumb::kernels::cuda::block_gemm {

enum class Path { bf16, fp8 };

inline int multiprocessor_count() {
  static const int count = [] {
    int dev = 0, n = 0;
    if (cudaGetDevice(&dev) != cudaSuccess || cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess) {
      (void)cudaGetLastError();
      return 132;
    }
    return n;
  }();
  return count;
}

// Decode kernel geometry: enough K slices (a cluster of at most 8) that the
// grid fills the GPU twice; passes whose A fits in ~64 KB of shared memory.
template <int MRows>
inline int plan_decode(Params& p) {
  const int col_blocks = (p.n + kDecodeColsPerBlock - 1) / kDecodeColsPerBlock;
  const int chunks = (p.k + 127) / 128;
  int split = std::max(1, (2 * multiprocessor_count() + col_blocks - 1) / col_blocks);
  split = std::min({split, 8, chunks});
  p.k_slice = ((chunks + split - 1) / split) * 128;
  split = (p.k + p.k_slice - 1) / p.k_slice;
  const int max_pass = ((64 * 1024 / MRows - 32) / 2) / 128 * 128;
  p.k_pass = std::min(p.k_slice, max_pass);
  return split;
}

template <Fmt F, bool Packed, int MRows>
inline cudaError_t launch_decode(Params p, cudaStream_t stream) {
  const int split = plan_decode<MRows>(p);
  const int smem = MRows * decode_row_bytes<MRows>(p.k_pass) + MRows * kDecodeColsPerBlock * 4;
  auto kernel = block_gemm_decode_kernel<F, Packed, MRows>;
  cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
  if (e != cudaSuccess) return e;
  cudaLaunchConfig_t config{};
  config.gridDim = dim3((p.n + kDecodeColsPerBlock - 1) / kDecodeColsPerBlock, split);
  config.blockDim = dim3(kDecodeWarps * 32);
  config.dynamicSmemBytes = smem;
  config.stream = stream;
  cudaLaunchAttribute cluster{};
  cluster.id = cudaLaunchAttributeClusterDimension;
  cluster.val.clusterDim.x = 1, cluster.val.clusterDim.y = split, cluster.val.clusterDim.z = 1;
  config.attrs = &cluster;
  config.numAttrs = split > 1 ? 1 : 0;
  return cudaLaunchKernelEx(&config, kernel, p);
}

template <Fmt F, bool Packed>
inline cudaError_t launch_tile(Params p, cudaStream_t stream, Path path) {
  const dim3 grid((p.n + kTileN - 1) / kTileN, (p.m + kTileM - 1) / kTileM);
  if constexpr (four_bit(F)) {
    if (path == Path::fp8) {
      auto kernel = block_gemm_fp8_kernel<F, Packed>;
      cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kFp8SmemBytes);
      if (e != cudaSuccess) return e;
      kernel<<<grid, kTileThreads, kFp8SmemBytes, stream>>>(p);
      return cudaGetLastError();
    }
  }
  if (path == Path::fp8) return cudaErrorInvalidValue;  // mxfp8 has no fp8 path (block_gemm_plan.hpp)
  auto kernel = block_gemm_tile_kernel<F, Packed>;
  cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kTileSmemBytes);
  if (e != cudaSuccess) return e;
  kernel<<<grid, kTileThreads, kTileSmemBytes, stream>>>(p);
  return cudaGetLastError();
}

// bf16: m <= 16 the decode kernel, else the tile kernel. fp8: the tile kernel.
template <Fmt F, bool Packed>
inline cudaError_t launch_format(Params p, cudaStream_t stream, Path path) {
  if (path == Path::bf16 && p.m <= 8) return launch_decode<F, Packed, 8>(p, stream);
  if (path == Path::bf16 && p.m <= 16) return launch_decode<F, Packed, 16>(p, stream);
  return launch_tile<F, Packed>(p, stream, path);
}

template <bool Packed>
inline cudaError_t launch_block_gemm(Fmt f, const Params& p, cudaStream_t stream, Path path) {
  switch (f) {
    case Fmt::mxfp4: return launch_format<Fmt::mxfp4, Packed>(p, stream, path);
    case Fmt::nvfp4: return launch_format<Fmt::nvfp4, Packed>(p, stream, path);
    case Fmt::nvint4: return launch_format<Fmt::nvint4, Packed>(p, stream, path);
    default:
      if constexpr (Packed) return cudaErrorInvalidValue;  // 8-bit codes are never packed
      else return launch_format<Fmt::mxfp8_e4m3, false>(p, stream, path);
  }
}

}  // namespace plumb::kernels::cuda::block_gemm
