// plumb's Hopper block-scaled GEMM, decode shapes (m <= 16): a GEMV-like
// kernel on bf16 tensor cores. Each block of threads dequantises its K slice
// of A (m <= 16 rows, zero rows up to 16) into shared memory once; each warp
// then streams 16 rows of B (the weights; one code per byte, or two when
// packed) with their scales, dequantises them in registers and runs
// m16n8k16 bf16 MMAs with fp32 accumulation. Several K slices are summed by the
// cluster's rank 0 (distributed shared memory), in a fixed order.
//
// K order: the dot is a sum over k, so A and B may use any common order of k
// inside a 128-wide chunk. Thread t of a warp owns codes 32t..32t+31 of the
// chunk (one 16-byte load) and feeds codes 4s..4s+3 to MMA step s (0..7): k+0,
// k+1 as fragment k 2t, 2t+1 and k+2, k+3 as 2t+8, 2t+9. A is stored in that
// order in shared memory, so each thread reads 8 contiguous bytes per step.
#pragma once

#include <cooperative_groups.h>

#include "block_gemm_dequant.cuh"
#include "block_gemm_params.cuh"

namespace plumb::kernels::cuda::block_gemm {

inline constexpr int kDecodeWarps = 8;
#ifndef PLUMB_BLOCK_GEMM_DECODE_TILES  // tuning overrides (tools/gemm/block_gemm_tune.cu)
#define PLUMB_BLOCK_GEMM_DECODE_TILES 2
#endif
#ifndef PLUMB_BLOCK_GEMM_DECODE_GROUP
#define PLUMB_BLOCK_GEMM_DECODE_GROUP 2  // H100: 2 beat 4 and 8 (block_gemm_tuning.md)
#endif
inline constexpr int kDecodeTilesPerWarp = PLUMB_BLOCK_GEMM_DECODE_TILES;  // n8 tiles per warp
inline constexpr int kDecodeColsPerBlock = kDecodeWarps * kDecodeTilesPerWarp * 8;

template <int MRows>
__host__ __device__ constexpr int decode_row_bytes(int k_pass) {
  return 2 * k_pass + 32;  // bf16 row + 32 bytes: the 8 rows of a step fall in distinct banks
}

// Dequantised A pass: MRows rows of k_pass bf16 in the permuted K order,
// zeros past m and k. Each item is 16 consecutive k of one row (one 16-byte
// load when aligned); a thread issues the loads of kFillItems items before
// converting any, so the pass costs about one memory latency.
inline constexpr int kFillItems = 4;

template <Fmt F>
__device__ __forceinline__ void decode_fill_item(const Params& p, int r, int k, uint4& codes, uint32_t& scale) {
  codes = make_uint4(0u, 0u, 0u, 0u);
  scale = 0u;
  if (r >= p.m || k >= p.k) return;
  scale = p.a.scales[static_cast<size_t>(r) * p.nb + k / block_of(F)];
  const uint8_t* row = p.a.codes + static_cast<size_t>(r) * p.k;
  if (p.vec && k + 16 <= p.k) {
    codes = __ldg(reinterpret_cast<const uint4*>(row + k));
  } else {
    uint32_t w[4] = {0u, 0u, 0u, 0u};
#pragma unroll
    for (int j = 0; j < 16; ++j)
      if (k + j < p.k) w[j / 4] |= static_cast<uint32_t>(row[k + j]) << (8 * (j % 4));
    codes = make_uint4(w[0], w[1], w[2], w[3]);
  }
}

template <Fmt F, int MRows>
__device__ __forceinline__ void decode_fill_a(const Params& p, uint8_t* smem, int k0, int row_bytes) {
  const int per_row = p.k_pass / 16, items = MRows * per_row;
  for (int base = threadIdx.x; base < items; base += blockDim.x * kFillItems) {
    uint4 codes[kFillItems];
    uint32_t scale[kFillItems];
#pragma unroll
    for (int i = 0; i < kFillItems; ++i) {
      const int item = base + i * blockDim.x;
      const int r = item / per_row, kk = (item % per_row) * 16;
      decode_fill_item<F>(p, item < items ? r : p.m, k0 + kk, codes[i], scale[i]);
    }
#pragma unroll
    for (int i = 0; i < kFillItems; ++i) {
      const int item = base + i * blockDim.x;
      if (item >= items) break;
      const int r = item / per_row, kk = (item % per_row) * 16;
      const float mult = scale_value<F>(scale[i]);
      const uint32_t w[4] = {codes[i].x, codes[i].y, codes[i].z, codes[i].w};
#pragma unroll
      for (int q = 0; q < 4; ++q) {  // 4 consecutive k: one 8-byte store at their permuted place
        const int kq = kk + 4 * q, within = kq % 128, t = within / 32, s = (within % 32) / 4;
        uint2 v;
        v.x = pack_bf16x2(element_times<F>(code_at<false>(w[q], 0), mult), element_times<F>(code_at<false>(w[q], 1), mult));
        v.y = pack_bf16x2(element_times<F>(code_at<false>(w[q], 2), mult), element_times<F>(code_at<false>(w[q], 3), mult));
        *reinterpret_cast<uint2*>(smem + static_cast<size_t>(r) * row_bytes + ((kq - within) + (s * 4 + t) * 4) * 2) = v;
      }
    }
  }
}

// The 32 codes of row n, k = kc .. kc + 31 (raw, one u32 per 4 or 8 codes) and
// their scale codes; zeros past k or n (code 0 is +0 in every format).
template <Fmt F, bool Packed>
struct RawCodes {
  static constexpr int kWords = Packed ? 4 : 8;
  uint32_t w[kWords];
  uint32_t s0, s1;
};

template <Fmt F, bool Packed>
__device__ __forceinline__ void load_b_codes(const Params& p, int n, int kc, RawCodes<F, Packed>& raw) {
  constexpr int B = block_of(F);
#pragma unroll
  for (int i = 0; i < RawCodes<F, Packed>::kWords; ++i) raw.w[i] = 0u;
  raw.s0 = raw.s1 = 0u;
  if (n >= p.n || kc >= p.k) return;
  const size_t nb_row = static_cast<size_t>(n) * p.nb;
  raw.s0 = p.b.scales[nb_row + kc / B];
  if (B == 16 && kc / B + 1 < p.nb) raw.s1 = p.b.scales[nb_row + kc / B + 1];
  if constexpr (Packed) {
    // Packed rows (k % 32 == 0, checked on the host): always whole.
    const uint4 q = __ldg(reinterpret_cast<const uint4*>(p.b.codes + static_cast<size_t>(n) * (p.k / 2) + kc / 2));
    raw.w[0] = q.x, raw.w[1] = q.y, raw.w[2] = q.z, raw.w[3] = q.w;
  } else {
    const uint8_t* row = p.b.codes + static_cast<size_t>(n) * p.k;
    if (p.vec && kc + 32 <= p.k) {
      const uint4 q0 = __ldg(reinterpret_cast<const uint4*>(row + kc));
      const uint4 q1 = __ldg(reinterpret_cast<const uint4*>(row + kc + 16));
      raw.w[0] = q0.x, raw.w[1] = q0.y, raw.w[2] = q0.z, raw.w[3] = q0.w;
      raw.w[4] = q1.x, raw.w[5] = q1.y, raw.w[6] = q1.z, raw.w[7] = q1.w;
    } else {
#pragma unroll
      for (int j = 0; j < 32; ++j)  // constant indices: the words stay in registers
        if (kc + j < p.k) raw.w[j / 4] |= static_cast<uint32_t>(row[kc + j]) << (8 * (j % 4));
    }
  }
}

// Codes 4s..4s+3 of the raw word set, as two bf16x2 (value x block scale).
template <Fmt F, bool Packed>
__device__ __forceinline__ void b_fragment(const RawCodes<F, Packed>& raw, int s, float m0, float m1, uint32_t& b0,
                                           uint32_t& b1) {
  const float mult = (block_of(F) == 16 && s >= 4) ? m1 : m0;
  if constexpr (four_bit(F)) {
    const uint32_t nib = Packed ? (raw.w[s / 2] >> (16 * (s % 2))) & 0xFFFFu : nibbles_of_bytes(raw.w[s]);
    bf16x4_from_nibbles<F>(nib, pack_bf16x2(mult, mult), b0, b1);
    return;
  }
  uint32_t word;
  int first;
  if constexpr (Packed) word = raw.w[s / 2], first = (s % 2) * 4;
  else word = raw.w[s], first = 0;
  b0 = pack_bf16x2(element_times<F>(code_at<Packed>(word, first), mult),
                   element_times<F>(code_at<Packed>(word, first + 1), mult));
  b1 = pack_bf16x2(element_times<F>(code_at<Packed>(word, first + 2), mult),
                   element_times<F>(code_at<Packed>(word, first + 3), mult));
}

inline constexpr int kDecodeGroup = PLUMB_BLOCK_GEMM_DECODE_GROUP;  // chunks of 128 whose B codes one warp loads at once

// One 128-wide chunk: 8 MMA steps per n8 tile, A from shared memory.
template <Fmt F, bool Packed, int MRows>
__device__ __forceinline__ void decode_chunk(const RawCodes<F, Packed> (&raw)[kDecodeTilesPerWarp], const uint8_t* a_row,
                                             int row_bytes, int t, float (&acc)[kDecodeTilesPerWarp][4]) {
  float m0[kDecodeTilesPerWarp], m1[kDecodeTilesPerWarp];
#pragma unroll
  for (int nt = 0; nt < kDecodeTilesPerWarp; ++nt) {
    m0[nt] = scale_value<F>(raw[nt].s0);
    m1[nt] = block_of(F) == 16 ? scale_value<F>(raw[nt].s1) : m0[nt];
  }
#pragma unroll
  for (int s = 0; s < 8; ++s) {
    uint32_t a[4];
    const uint2 lo = *reinterpret_cast<const uint2*>(a_row + (s * 4 + t) * 8);
    a[0] = lo.x, a[2] = lo.y;
    if constexpr (MRows == 16) {
      const uint2 hi = *reinterpret_cast<const uint2*>(a_row + 8 * row_bytes + (s * 4 + t) * 8);
      a[1] = hi.x, a[3] = hi.y;
    } else {
      a[1] = a[3] = 0u;
    }
#pragma unroll
    for (int nt = 0; nt < kDecodeTilesPerWarp; ++nt) {
      uint32_t b0, b1;
      b_fragment<F, Packed>(raw[nt], s, m0[nt], m1[nt], b0, b1);
      mma_bf16(acc[nt], a, b0, b1);
    }
  }
}

// Grid: (column blocks of kDecodeColsPerBlock, K slices). Each block of
// threads covers its K slice in passes of p.k_pass (A's dequantised pass in
// shared memory); with several slices, the slices of one column block form
// a thread-block cluster and rank 0 sums their partial results from
// distributed shared memory in rank order (deterministic, no atomics).
template <Fmt F, bool Packed, int MRows>
__global__ void __launch_bounds__(kDecodeWarps * 32) block_gemm_decode_kernel(const Params p) {
  extern __shared__ __align__(16) uint8_t smem[];
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
  const int n_block = blockIdx.x * kDecodeColsPerBlock;
  const int n_warp = n_block + warp * kDecodeTilesPerWarp * 8;
  const int row_bytes = decode_row_bytes<MRows>(p.k_pass);
  const int k_begin = blockIdx.y * p.k_slice, k_end = min(p.k, k_begin + p.k_slice);

  float acc[kDecodeTilesPerWarp][4] = {};
  RawCodes<F, Packed> raw[kDecodeGroup][kDecodeTilesPerWarp];
  const auto load_group = [&](int kc) {  // chunks kc, kc + 128, ... (zeros past k_end)
#pragma unroll
    for (int c = 0; c < kDecodeGroup; ++c)
#pragma unroll
      for (int nt = 0; nt < kDecodeTilesPerWarp; ++nt) {
        const int k = kc + c * 128;
        load_b_codes<F, Packed>(p, k < k_end ? n_warp + nt * 8 + g : p.n, k + 32 * t, raw[c][nt]);
      }
  };
  for (int k0 = k_begin; k0 < k_end; k0 += p.k_pass) {
    const int chunks = (min(p.k_pass, k_end - k0) + 127) / 128;
    load_group(k0);  // in flight while A is dequantised
    if (k0 != k_begin) __syncthreads();  // the previous pass is done with A
    decode_fill_a<F, MRows>(p, smem, k0, row_bytes);
    __syncthreads();
    for (int c0 = 0; c0 < chunks; c0 += kDecodeGroup) {
      if (c0 > 0) load_group(k0 + c0 * 128);
#pragma unroll
      for (int c = 0; c < kDecodeGroup; ++c)
        if (c0 + c < chunks)
          decode_chunk<F, Packed, MRows>(raw[c], smem + static_cast<size_t>(g) * row_bytes + (c0 + c) * 256, row_bytes, t,
                                         acc);
    }
  }

  if (gridDim.y == 1) {
#pragma unroll
    for (int nt = 0; nt < kDecodeTilesPerWarp; ++nt)
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const int row = g + (i / 2) * 8, col = n_warp + nt * 8 + 2 * t + (i % 2);
        if (row < p.m && col < p.n) p.c[static_cast<size_t>(row) * p.n + col] = (acc[nt][i] * p.ga) * p.gb;
      }
    return;
  }
  // Partial results of this K slice: MRows x kDecodeColsPerBlock fp32 after A.
  float* partial = reinterpret_cast<float*>(smem + static_cast<size_t>(MRows) * row_bytes);
#pragma unroll
  for (int nt = 0; nt < kDecodeTilesPerWarp; ++nt)
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const int row = g + (i / 2) * 8, col = warp * kDecodeTilesPerWarp * 8 + nt * 8 + 2 * t + (i % 2);
      if (row < MRows) partial[row * kDecodeColsPerBlock + col] = acc[nt][i];
    }
  cooperative_groups::cluster_group cluster = cooperative_groups::this_cluster();
  cluster.sync();
  if (cluster.block_rank() == 0) {
    for (int idx = threadIdx.x; idx < p.m * kDecodeColsPerBlock; idx += blockDim.x) {
      const int row = idx / kDecodeColsPerBlock, col = n_block + idx % kDecodeColsPerBlock;
      if (col >= p.n) continue;
      float sum = 0.0f;
      for (unsigned r = 0; r < cluster.num_blocks(); ++r) sum += cluster.map_shared_rank(partial, r)[idx];
      p.c[static_cast<size_t>(row) * p.n + col] = (sum * p.ga) * p.gb;
    }
  }
  cluster.sync();  // the other blocks keep their shared memory until rank 0 has read it
}

}  // namespace plumb::kernels::cuda::block_gemm
