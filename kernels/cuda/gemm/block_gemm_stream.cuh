// plumb's Hopper block-scaled GEMM, decode shapes (m <= 16), streaming
// variant: the memory-bound GEMV-like kernel for k a multiple of the chunk
// (512 codes packed, 256 one per byte). Same arithmetic as
// block_gemm_decode.cuh (value x block scale exact in bf16, m16n8k16 bf16
// MMAs with fp32 accumulation, K slices summed by the cluster's rank 0 in
// rank order), different streaming:
// - each thread owns CPT = 128 (packed) or 64 (one per byte) contiguous codes
//   of a row per chunk: four 16-byte loads of codes and one load of all their
//   scale bytes (scales are contiguous too), no byte loads;
// - each warp keeps two chunks of its Tiles x 8 rows in registers: the next
//   chunk's loads are issued before the current one is multiplied, so a warp
//   always has one chunk (Tiles x 4 KB packed) in flight;
// - the grid is planned as one wave of co-resident blocks (2 per SM).
// (The tuning tool can change kStreamWords and the blocks per SM.) H100:
// 1.5x the gemv kernel's bandwidth, but issue-bound (~32 instructions per
// MMA; results/h100-2026-11-25/block_gemm_tuning.md "Streaming decode kernel").
//
// K order inside a chunk (any common order of k is a valid dot): thread t of
// a row's quad owns codes t CPT .. t CPT + CPT-1 and feeds codes 4s..4s+3 of
// them to MMA step s (fragment k 2t, 2t+1, 2t+8, 2t+9); A's chunk is stored
// in shared memory at position 16 s + 4 t + j for k = t CPT + 4 s + j.
#pragma once

#include <cooperative_groups.h>

#include "block_gemm_decode.cuh"

namespace plumb::kernels::cuda::block_gemm {

#ifndef PLUMB_BLOCK_GEMM_STREAM_WORDS  // tuning overrides (tools/gemm/block_gemm_tune.cu)
#define PLUMB_BLOCK_GEMM_STREAM_WORDS 16
#endif
#ifndef PLUMB_BLOCK_GEMM_STREAM_BLOCKS_PER_SM
#define PLUMB_BLOCK_GEMM_STREAM_BLOCKS_PER_SM 2
#endif
inline constexpr int kStreamWarps = 8;
inline constexpr int kStreamWords = PLUMB_BLOCK_GEMM_STREAM_WORDS;  // u32 code words per thread, row and chunk
inline constexpr int kStreamBlocksPerSm = PLUMB_BLOCK_GEMM_STREAM_BLOCKS_PER_SM;
static_assert(kStreamWords == 8 || kStreamWords == 16, "a thread's scale bytes of a chunk must fit a uint2");

template <bool Packed>
__host__ __device__ constexpr int stream_codes_per_thread() {
  return Packed ? 8 * kStreamWords : 4 * kStreamWords;
}
template <bool Packed>
__host__ __device__ constexpr int stream_chunk() {
  return 4 * stream_codes_per_thread<Packed>();
}
template <int Tiles>
__host__ __device__ constexpr int stream_cols_per_block() {
  return kStreamWarps * Tiles * 8;
}

// One thread's codes of one row and chunk, and their scale codes (byte i of
// s = scale of codes i B .. i B + B-1 of the thread's range).
struct StreamRaw {
  uint32_t w[kStreamWords];
  uint2 s;
};

template <Fmt F, bool Packed>
__device__ __forceinline__ void stream_load(const Params& p, int n, int k, StreamRaw& raw) {
  constexpr int B = block_of(F), kScaleBytes = stream_codes_per_thread<Packed>() / B;  // 1, 2, 4 or 8
#pragma unroll
  for (int i = 0; i < kStreamWords; ++i) raw.w[i] = 0u;
  raw.s = make_uint2(0u, 0u);
  if (n >= p.n) return;
  const uint8_t* row = p.b.codes + static_cast<size_t>(n) * (Packed ? p.k / 2 : p.k) + (Packed ? k / 2 : k);
  const uint4* q = reinterpret_cast<const uint4*>(row);
#pragma unroll
  for (int i = 0; i < kStreamWords / 4; ++i) {
    const uint4 v = __ldg(q + i);
    raw.w[4 * i] = v.x, raw.w[4 * i + 1] = v.y, raw.w[4 * i + 2] = v.z, raw.w[4 * i + 3] = v.w;
  }
  const uint8_t* sc = p.b.scales + static_cast<size_t>(n) * p.nb + k / B;
  if constexpr (kScaleBytes == 8) raw.s = __ldg(reinterpret_cast<const uint2*>(sc));
  else if constexpr (kScaleBytes == 4) raw.s.x = __ldg(reinterpret_cast<const uint32_t*>(sc));
  else if constexpr (kScaleBytes == 2) raw.s.x = __ldg(reinterpret_cast<const uint16_t*>(sc));
  else raw.s.x = __ldg(sc);
}

// A's chunks of one pass in the permuted order above; zero rows past m.
// Half (block_gemm_stream_swapped.cuh, nvfp4): fp16 values, and with Packed
// the k order 0, 2, 1, 3 inside each group of four (its weight fragments).
template <Fmt F, bool Packed, int MRows, bool Half = false>
__device__ __forceinline__ void stream_fill_a(const Params& p, uint8_t* smem, int k0, int k_pass, int row_bytes) {
  constexpr int CPT = stream_codes_per_thread<Packed>(), CW = stream_chunk<Packed>();
  const int per_row = k_pass / 16, items = MRows * per_row;
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
        const int kq = kk + 4 * q, within = kq % CW, t = within / CPT, s = (within % CPT) / 4;
        uint2 v;
        if constexpr (Half) {
          const float e0 = element_times<F>(code_at<false>(w[q], 0), mult);
          const float e1 = element_times<F>(code_at<false>(w[q], 1), mult);
          const float e2 = element_times<F>(code_at<false>(w[q], 2), mult);
          const float e3 = element_times<F>(code_at<false>(w[q], 3), mult);
          v.x = pack_half2(e0, Packed ? e2 : e1);
          v.y = pack_half2(Packed ? e1 : e2, e3);
        } else {
          v.x = pack_bf16x2(element_times<F>(code_at<false>(w[q], 0), mult), element_times<F>(code_at<false>(w[q], 1), mult));
          v.y = pack_bf16x2(element_times<F>(code_at<false>(w[q], 2), mult), element_times<F>(code_at<false>(w[q], 3), mult));
        }
        *reinterpret_cast<uint2*>(smem + static_cast<size_t>(r) * row_bytes + ((kq - within) + s * 16 + t * 4) * 2) = v;
      }
    }
  }
}

// MMA step s of a chunk: the thread's codes 4s..4s+3 as two bf16x2.
template <Fmt F, bool Packed>
__device__ __forceinline__ void stream_fragment(const StreamRaw& raw, int s, uint32_t& b0, uint32_t& b1) {
  constexpr int B = block_of(F);
  const int si = (4 * s) / B;
  const uint32_t code = ((si < 4 ? raw.s.x : raw.s.y) >> (8 * (si % 4))) & 0xFFu;
  const float mult = scale_value<F>(code);
  if constexpr (four_bit(F)) {
    const uint32_t nib = Packed ? (raw.w[s / 2] >> (16 * (s % 2))) & 0xFFFFu : nibbles_of_bytes(raw.w[s]);
    bf16x4_from_nibbles<F>(nib, pack_bf16x2(mult, mult), b0, b1);
  } else {
    const uint32_t word = raw.w[s];
    b0 = pack_bf16x2(element_times<F>(code_at<false>(word, 0), mult), element_times<F>(code_at<false>(word, 1), mult));
    b1 = pack_bf16x2(element_times<F>(code_at<false>(word, 2), mult), element_times<F>(code_at<false>(word, 3), mult));
  }
}

template <Fmt F, bool Packed, int MRows, int Tiles>
__device__ __forceinline__ void stream_chunk_mma(const StreamRaw (&raw)[Tiles], const uint8_t* a_row, int row_bytes,
                                                 int t, float (&acc)[Tiles][4]) {
  constexpr int kSteps = stream_codes_per_thread<Packed>() / 4;
#pragma unroll
  for (int s = 0; s < kSteps; ++s) {
    uint32_t a[4];
    const uint2 lo = *reinterpret_cast<const uint2*>(a_row + (s * 16 + t * 4) * 2);
    a[0] = lo.x, a[2] = lo.y;
    if constexpr (MRows == 16) {
      const uint2 hi = *reinterpret_cast<const uint2*>(a_row + 8 * row_bytes + (s * 16 + t * 4) * 2);
      a[1] = hi.x, a[3] = hi.y;
    } else {
      a[1] = a[3] = 0u;
    }
#pragma unroll
    for (int nt = 0; nt < Tiles; ++nt) {
      uint32_t b0, b1;
      stream_fragment<F, Packed>(raw[nt], s, b0, b1);
      mma_bf16(acc[nt], a, b0, b1);
    }
  }
}

// Grid: (column blocks of stream_cols_per_block, K slices); p.k_slice and
// p.k_pass are multiples of the chunk. Several slices form a cluster whose
// rank 0 sums the partials in rank order (as block_gemm_decode_kernel).
template <Fmt F, bool Packed, int MRows, int Tiles>
__global__ void __launch_bounds__(kStreamWarps * 32, kStreamBlocksPerSm) block_gemm_stream_kernel(const Params p) {
  extern __shared__ __align__(16) uint8_t smem[];
  constexpr int CPT = stream_codes_per_thread<Packed>(), CW = stream_chunk<Packed>();
  constexpr int kCols = stream_cols_per_block<Tiles>();
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
  const int n_block = blockIdx.x * kCols, n_warp = n_block + warp * Tiles * 8;
  const int row_bytes = decode_row_bytes<MRows>(p.k_pass);
  const int k_begin = blockIdx.y * p.k_slice, k_end = min(p.k, k_begin + p.k_slice);

  float acc[Tiles][4] = {};
  StreamRaw buf0[Tiles], buf1[Tiles];
  const auto load = [&](StreamRaw (&buf)[Tiles], int kc) {
#pragma unroll
    for (int nt = 0; nt < Tiles; ++nt) stream_load<F, Packed>(p, n_warp + nt * 8 + g, kc + t * CPT, buf[nt]);
  };
  for (int k0 = k_begin; k0 < k_end; k0 += p.k_pass) {
    const int chunks = min(p.k_pass, k_end - k0) / CW;
    load(buf0, k0);  // in flight while A is dequantised
    if (k0 != k_begin) __syncthreads();  // the previous pass is done with A
    stream_fill_a<F, Packed, MRows>(p, smem, k0, min(p.k_pass, k_end - k0), row_bytes);
    __syncthreads();
    const uint8_t* a_row = smem + static_cast<size_t>(g) * row_bytes;
    for (int c = 0; c < chunks; c += 2) {
      if (c + 1 < chunks) load(buf1, k0 + (c + 1) * CW);
      stream_chunk_mma<F, Packed, MRows, Tiles>(buf0, a_row + c * CW * 2, row_bytes, t, acc);
      if (c + 1 >= chunks) break;
      if (c + 2 < chunks) load(buf0, k0 + (c + 2) * CW);
      stream_chunk_mma<F, Packed, MRows, Tiles>(buf1, a_row + (c + 1) * CW * 2, row_bytes, t, acc);
    }
  }

  if (gridDim.y == 1) {
#pragma unroll
    for (int nt = 0; nt < Tiles; ++nt)
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const int row = g + (i / 2) * 8, col = n_warp + nt * 8 + 2 * t + (i % 2);
        if (row < p.m && col < p.n) p.c[static_cast<size_t>(row) * p.n + col] = (acc[nt][i] * p.ga) * p.gb;
      }
    return;
  }
  // Partial results of this K slice: MRows x kCols fp32 after A.
  float* partial = reinterpret_cast<float*>(smem + static_cast<size_t>(MRows) * row_bytes);
#pragma unroll
  for (int nt = 0; nt < Tiles; ++nt)
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const int row = g + (i / 2) * 8, col = warp * Tiles * 8 + nt * 8 + 2 * t + (i % 2);
      if (row < MRows) partial[row * kCols + col] = acc[nt][i];
    }
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
  cluster.sync();  // the other blocks keep their shared memory until rank 0 has read it
}

}  // namespace plumb::kernels::cuda::block_gemm
