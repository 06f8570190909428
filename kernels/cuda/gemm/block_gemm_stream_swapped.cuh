// plumb's Hopper block-scaled GEMM, decode shapes: an operand-swapped
// variant of the streaming kernel (block_gemm_stream.cuh). H100
// (results/h100-2026-11-25/block_gemm_tuning.md, "Operand-swapped streaming
// kernel"): correct for every format; faster than the streaming kernel only
// for nvfp4 (fp16 operands, below) at m = 1, where block_gemm_launch.cuh
// takes it; slower elsewhere (16 weight rows per warp: half the warps
// streaming B, like the streaming kernel's two-tile variant).
#pragma once

#include "block_gemm_stream.cuh"

namespace plumb::kernels::cuda::block_gemm {

// C^T = B A^T: the weights as the MMA's 16-row A operand (rows g and g + 8
// of the warp's 16, dequantised as in block_gemm_stream.cuh) and A's rows as
// its n8 operand (one LDS.64 per 8 rows and step): 256 weight codes per MMA,
// no zero rows for m <= 8. Same loads, chunks, K order, grid and cluster
// reduction as block_gemm_stream_kernel with two tiles per warp.
// nvfp4 takes fp16 operands (exact: e2m1 or e2m1 x ue4m3 has <= 7
// significant bits, 2^-10 .. 2688; GEMM_SEMANTICS.md): an e2m1 nibble is
// the e4m3 code (sign << 7) | (magnitude << 2) of its value x 2^-6, and one
// cvt turns two e4m3 codes into an f16x2, so eight codes cost 7 ALU
// instructions, 4 cvt and 4 HMUL2 (by the block scale x 2^6, fp16, exact).
template <Fmt F>
__host__ __device__ constexpr bool swapped_half() {
  return F == Fmt::nvfp4;
}

__device__ __forceinline__ void f16x2_from_e4m3x4(uint32_t x, uint32_t& lo, uint32_t& hi) {
  asm("{\n .reg .b16 a, b;\n mov.b32 {a, b}, %2;\n cvt.rn.f16x2.e4m3x2 %0, a;\n cvt.rn.f16x2.e4m3x2 %1, b;\n}"
      : "=r"(lo), "=r"(hi)
      : "r"(x));
}
__device__ __forceinline__ uint32_t hmul2_bits(uint32_t x, __half2 s) {
  const __half2 y = __hmul2(*reinterpret_cast<const __half2*>(&x), s);
  return *reinterpret_cast<const uint32_t*>(&y);
}

// The thread's codes 8q .. 8q+7 (one row) as the fragments of steps 2q
// (out[0], out[1]) and 2q + 1 (out[2], out[3]). Packed: word q, low nibbles
// give codes 0, 2, 4, 6 and high nibbles 1, 3, 5, 7, so each step holds its
// four codes in the order 0, 2, 1, 3 (stream_fill_a<..., Half> stores A so).
// One per byte: words 2q and 2q + 1, natural order.
template <bool Packed>
__device__ __forceinline__ void nvfp4_half_fragments(const StreamRaw& raw, int q, uint32_t (&out)[4]) {
  const int si = q / 2;  // 16-code blocks
  const uint32_t code = ((si < 4 ? raw.s.x : raw.s.y) >> (8 * (si % 4))) & 0xFFu;
  const __half2 s2 = __float2half2_rn(scale_value<Fmt::nvfp4>(code) * 64.0f);
  uint32_t l0, l1, h0, h1;
  if constexpr (Packed) {
    const uint32_t x = raw.w[q];
    f16x2_from_e4m3x4(((x << 4) & 0x80808080u) | ((x << 2) & 0x1C1C1C1Cu), l0, l1);
    f16x2_from_e4m3x4((x & 0x80808080u) | ((x >> 2) & 0x1C1C1C1Cu), h0, h1);
    out[0] = hmul2_bits(l0, s2), out[1] = hmul2_bits(h0, s2), out[2] = hmul2_bits(l1, s2), out[3] = hmul2_bits(h1, s2);
  } else {
    const uint32_t x = raw.w[2 * q], y = raw.w[2 * q + 1];
    f16x2_from_e4m3x4(((x << 4) & 0x80808080u) | ((x << 2) & 0x1C1C1C1Cu), l0, l1);
    f16x2_from_e4m3x4(((y << 4) & 0x80808080u) | ((y << 2) & 0x1C1C1C1Cu), h0, h1);
    out[0] = hmul2_bits(l0, s2), out[1] = hmul2_bits(l1, s2), out[2] = hmul2_bits(h0, s2), out[3] = hmul2_bits(h1, s2);
  }
}

template <Fmt F, bool Packed, int MRows>
__device__ __forceinline__ void stream_chunk_mma_swapped(const StreamRaw (&raw)[2], const uint8_t* a_row, int row_bytes,
                                                         int t, float (&acc)[MRows / 8][4]) {
  constexpr int kSteps = stream_codes_per_thread<Packed>() / 4;
  if constexpr (swapped_half<F>()) {
#pragma unroll
    for (int q = 0; q < kSteps / 2; ++q) {
      uint32_t r0[4], r1[4];  // weight rows g and g + 8
      nvfp4_half_fragments<Packed>(raw[0], q, r0);
      nvfp4_half_fragments<Packed>(raw[1], q, r1);
#pragma unroll
      for (int u = 0; u < 2; ++u) {
        const int s = 2 * q + u;
        const uint32_t w[4] = {r0[2 * u], r1[2 * u], r0[2 * u + 1], r1[2 * u + 1]};
#pragma unroll
        for (int h = 0; h < MRows / 8; ++h) {
          const uint2 x = *reinterpret_cast<const uint2*>(a_row + h * 8 * row_bytes + (s * 16 + t * 4) * 2);
          mma_f16(acc[h], w, x.x, x.y);
        }
      }
    }
  } else {
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
    stream_fill_a<F, Packed, MRows, swapped_half<F>()>(p, smem, k0, min(p.k_pass, k_end - k0), row_bytes);
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

}  // namespace plumb::kernels::cuda::block_gemm
