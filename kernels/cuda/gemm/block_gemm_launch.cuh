// plumb's Hopper block-scaled GEMM: choosing and launching a kernel by path
// (bf16 or fp8 tensor cores) and shape. Shared by the registry entries
// (block_gemm.cu, one code per byte) and the tuning tool
// (tools/gemm/block_gemm_tune.cu, which also launches the packed variants:
// the decode kernel then reads packed B and one-code-per-byte A).
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "block_gemm_decode.cuh"
#include "block_gemm_fp8.cuh"
#include "block_gemm_stream.cuh"
#include "block_gemm_stream_swapped.cuh"
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

// Streaming decode kernel geometry (block_gemm_stream.cuh): one wave of
// blocks (kStreamBlocksPerSm per SM: K slices x column blocks, a cluster of
// at most 8 slices), passes whose A fits in 192 KB / kStreamBlocksPerSm of
// shared memory. Returns 0 where the kernel does not apply: k not a
// multiple of the chunk, unaligned codes or scales (the gemv kernel above
// takes those).
template <bool Packed, int MRows, int Tiles>
inline int plan_stream(Params& p) {
  constexpr int CW = stream_chunk<Packed>(), kCols = stream_cols_per_block<Tiles>();
  const auto aligned = [](const void* q, int bytes) { return reinterpret_cast<uintptr_t>(q) % bytes == 0; };
  if (!p.vec || p.k % CW != 0 || !aligned(p.b.codes, 16) || !aligned(p.b.scales, 8)) return 0;
  const int col_blocks = (p.n + kCols - 1) / kCols, chunks = p.k / CW;
  int split = std::max(1, (kStreamBlocksPerSm * multiprocessor_count() + col_blocks / 2) / col_blocks);
  split = std::min({split, 8, chunks});
  const int per_slice = (chunks + split - 1) / split;
  p.k_slice = per_slice * CW;
  const int max_pass = std::max(CW, ((192 * 1024 / kStreamBlocksPerSm / MRows - 32) / 2) / CW * CW);
  p.k_pass = std::min(p.k_slice, max_pass);
  return (chunks + per_slice - 1) / per_slice;
}

template <Fmt F, bool Packed, int MRows, int Tiles>
inline cudaError_t launch_stream(Params p, cudaStream_t stream) {
  const int split = plan_stream<Packed, MRows, Tiles>(p);
  if (split == 0) return cudaErrorInvalidValue;
  constexpr int kCols = stream_cols_per_block<Tiles>();
  const int smem = MRows * decode_row_bytes<MRows>(p.k_pass) + MRows * kCols * 4;
  auto kernel = block_gemm_stream_kernel<F, Packed, MRows, Tiles>;
  cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
  if (e != cudaSuccess) return e;
  cudaLaunchConfig_t config{};
  config.gridDim = dim3((p.n + kCols - 1) / kCols, split);
  config.blockDim = dim3(kStreamWarps * 32);
  config.dynamicSmemBytes = smem;
  config.stream = stream;
  cudaLaunchAttribute cluster{};
  cluster.id = cudaLaunchAttributeClusterDimension;
  cluster.val.clusterDim.x = 1, cluster.val.clusterDim.y = split, cluster.val.clusterDim.z = 1;
  config.attrs = &cluster;
  config.numAttrs = split > 1 ? 1 : 0;
  return cudaLaunchKernelEx(&config, kernel, p);
}

template <Fmt F, bool Packed, int MRows>
inline cudaError_t launch_stream_swapped(Params p, cudaStream_t stream) {
  const int split = plan_stream<Packed, MRows, 2>(p);
  if (split == 0) return cudaErrorInvalidValue;
  constexpr int kCols = stream_cols_per_block<2>();
  const int smem = MRows * decode_row_bytes<MRows>(p.k_pass) + MRows * kCols * 4;
  auto kernel = block_gemm_stream_swapped_kernel<F, Packed, MRows>;
  cudaError_t e = cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
  if (e != cudaSuccess) return e;
  cudaLaunchConfig_t config{};
  config.gridDim = dim3((p.n + kCols - 1) / kCols, split);
  config.blockDim = dim3(kStreamWarps * 32);
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

// m <= 16: the streaming kernel where it applies and was measured faster,
// else the gemv kernel. H100 (results/h100-2026-11-25/block_gemm_tuning.md,
// "Streaming decode kernel"): one n8 tile per warp beat two everywhere; with
// one code per byte (the registry's storage) the streaming kernel beat gemv
// at every decode shape but 1x4096x4096 mxfp4 (9% slower) and mxfp8 (a
// tie); with packed codes only from n k = 8192^2 (gemv faster at 4096^2).
// nvfp4 at m = 1: the operand-swapped kernel (fp16 operands), 1.03-1.14x
// faster than the streaming one ("Operand-swapped streaming kernel");
// slower for the other formats, at m = 8 with N = K = 4096, and at m = 16.
inline constexpr int kStreamTiles = 1;  // n8 tiles per warp
inline constexpr long long kStreamPackedMinNK = 1LL << 26;
template <Fmt F, bool Packed, int MRows>
inline cudaError_t launch_small_m(Params p, cudaStream_t stream) {
  Params planned = p;
  if (F == Fmt::nvfp4 && p.m == 1 && plan_stream<Packed, MRows, 2>(planned) > 0)
    return launch_stream_swapped<F, Packed, MRows>(p, stream);
  const bool faster = !Packed || static_cast<long long>(p.n) * p.k >= kStreamPackedMinNK;
  if (faster && plan_stream<Packed, MRows, kStreamTiles>(planned) > 0)
    return launch_stream<F, Packed, MRows, kStreamTiles>(p, stream);
  return launch_decode<F, Packed, MRows>(p, stream);
}

// bf16: m <= 16 the decode kernels, else the tile kernel. fp8: the tile kernel.
template <Fmt F, bool Packed>
inline cudaError_t launch_format(Params p, cudaStream_t stream, Path path) {
  if (path == Path::bf16 && p.m <= 8) return launch_small_m<F, Packed, 8>(p, stream);
  if (path == Path::bf16 && p.m <= 16) return launch_small_m<F, Packed, 16>(p, stream);
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
