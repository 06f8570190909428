// plumb's Hopper block-scaled GEMM, decode shapes: an operand-swapped
// variant of the streaming kernel (block_gemm_stream.cuh), in the tuning tool
// only (tools/gemm/block_gemm_tune.cu "stream swapped"); NOT yet run on a
// GPU, not in the registry's path. Motivation: the streaming kernel is
// issue-bound (results/h100-2026-11-25/block_gemm_tuning.md).
#pragma once

#include "block_gemm_launch.cuh"

namespace plumb::kernels::cuda::block_gemm {

// C^T = B A^T: the weights as the MMA's 16-row A operand (rows g and g + 8
// of the warp's 16, dequantised as in block_gemm_stream.cuh) and A's rows as
// its n8 operand (one LDS.64 per 8 rows and step): 256 weight codes per MMA,
// no zero rows for m <= 8. Same loads, chunks, K order, grid and cluster
// reduction as block_gemm_stream_kernel with two tiles per warp.
template <Fmt F, bool Packed, int MRows>
__device__ __forceinline__ void stream_chunk_mma_swapped(const StreamRaw (&raw)[2], const uint8_t* a_row, int row_bytes,
                                                         int t, float (&acc)[MRows / 8][4]) {
  constexpr int kSteps = stream_codes_per_thread<Packed>() / 4;
#pragma unroll
  for (int s = 0; s < kSteps; ++s) {
    uint32_t w[4];  // m16n8k16 A fragment: rows g (w0, w2) and g + 8 (w1, w3)
    stream_fragment<F, Packed>(raw[0], s, w[0], w[2]);
    stream_fragment<F, Packed>(raw[1], s, w[1], w[3]);
#pragma unroll
    for (int h = 0; h < MRows / 8; ++h) {
      const uint2 x = *reinterpret_cast<const uint2*>(a_row + h * 8 * row_bytes + (s * 16 + t * 4) * 2);
      mma_bf16(acc[h], w, x.x, x.y);
    }
  }
}

template <Fmt F, bool Packed, int MRows>
__global__ void __launch_bounds__(kStreamWarps * 32, kStreamBlocksPerSm) block_gemm_stream_swapped_kernel(const Params p) {
  extern __shared__ __align__(16) uint8_t smem[];
  constexpr int CPT = stream_codes_per_thread<Packed>(), CW = stream_chunk<Packed>();
  constexpr int kCols = stream_cols_per_block<2>(), kHalves = MRows / 8;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
  const int n_block = blockIdx.x * kCols, n_warp = n_block + warp * 16;
  const int row_bytes = decode_row_bytes<MRows>(p.k_pass);
  const int k_begin = blockIdx.y * p.k_slice, k_end = min(p.k, k_begin + p.k_slice);

  float acc[kHalves][4] = {};
  StreamRaw buf0[2], buf1[2];
  const auto load = [&](StreamRaw (&buf)[2], int kc) {
#pragma unroll
    for (int nt = 0; nt < 2; ++nt) stream_load<F, Packed>(p, n_warp + nt * 8 + g, kc + t * CPT, buf[nt]);
  };
  for (int k0 = k_begin; k0 < k_end; k0 += p.k_pass) {
    const int chunks = min(p.k_pass, k_end - k0) / CW;
    load(buf0, k0);
    if (k0 != k_begin) __syncthreads();
    stream_fill_a<F, Packed, MRows>(p, smem, k0, min(p.k_pass, k_end - k0), row_bytes);
    __syncthreads();
    const uint8_t* a_row = smem + static_cast<size_t>(g) * row_bytes;
    for (int c = 0; c < chunks; c += 2) {
      if (c + 1 < chunks) load(buf1, k0 + (c + 1) * CW);
      stream_chunk_mma_swapped<F, Packed, MRows>(buf0, a_row + c * CW * 2, row_bytes, t, acc);
      if (c + 1 >= chunks) break;
      if (c + 2 < chunks) load(buf0, k0 + (c + 2) * CW);
      stream_chunk_mma_swapped<F, Packed, MRows>(buf1, a_row + (c + 1) * CW * 2, row_bytes, t, acc);
    }
  }

  // acc[h][i]: weight row g + 8 (i / 2) of the warp, A row 8 h + 2 t + i % 2.
  if (gridDim.y == 1) {
#pragma unroll
    for (int h = 0; h < kHalves; ++h)
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const int row = 8 * h + 2 * t + (i % 2), col = n_warp + g + 8 * (i / 2);
        if (row < p.m && col < p.n) p.c[static_cast<size_t>(row) * p.n + col] = (acc[h][i] * p.ga) * p.gb;
      }
    return;
  }
  float* partial = reinterpret_cast<float*>(smem + static_cast<size_t>(MRows) * row_bytes);
#pragma unroll
  for (int h = 0; h < kHalves; ++h)
#pragma unroll
    for (int i = 0; i < 4; ++i)
      partial[(8 * h + 2 * t + (i % 2)) * kCols + warp * 16 + g + 8 * (i / 2)] = acc[h][i];
  cooperative_groups::cluster_group cluster = cooperative_groups::this_cluster();
  cluster.sync();
  if (cluster.block_rank() == 0) {
    for (int idx = threadIdx.x; idx < p.m * kCols; idx += blockDim.x) {
      const int row = idx / kCols, col = n_block + idx % kCols;
      if (col >= p.n) continue;
      float sum = 0.0f;
      for (unsigned r = 0; r < cluster.num_blocks(); ++r) sum += cluster.map_shared_rank(partial, r)[idx];
      p.c[static_cast<size_t>(row) * p.n + col] = (sum * p.ga) * p.gb;
    }
  }
  cluster.sync();
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

}  // namespace plumb::kernels::cuda::block_gemm
