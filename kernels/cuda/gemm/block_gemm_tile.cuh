// plumb's Hopper block-scaled GEMM, large shapes: 128 x 128 x 64 tiles, 8
// warps of 64 x 32, mma.sync m16n8k16 bf16 with fp32 accumulation. Each
// thread loads 32 codes of one row of A and of B (one or two 16-byte loads)
// plus their scale codes into registers for the next K tile while the warps
// run the MMAs of the current one, then dequantises them (value x block
// scale, exact in bf16) into the other shared-memory stage: two stages, one
// barrier per K tile. The NV tensor scales are applied to the fp32 result.
#pragma once

#include "block_gemm_dequant.cuh"
#include "block_gemm_params.cuh"

namespace plumb::kernels::cuda::block_gemm {

inline constexpr int kTileM = 128, kTileN = 128, kTileK = 64;
inline constexpr int kTileThreads = 256;

// 32 codes (k = kc .. kc + 31) of one row with their 1 or 2 scale codes.
template <bool Packed>
struct RowCodes {
  static constexpr int kWords = Packed ? 4 : 8;
  uint32_t w[kWords];
  uint32_t s0, s1;
};

template <Fmt F, bool Packed>
__device__ __forceinline__ void load_row_codes(const Params& p, const Operand& x, int rows, int r, int kc,
                                               RowCodes<Packed>& raw) {
  constexpr int B = block_of(F);
#pragma unroll
  for (int i = 0; i < RowCodes<Packed>::kWords; ++i) raw.w[i] = 0u;
  raw.s0 = raw.s1 = 0u;
  if (r >= rows || kc >= p.k) return;
  const size_t nb_row = static_cast<size_t>(r) * p.nb;
  raw.s0 = x.scales[nb_row + kc / B];
  if (B == 16 && kc / B + 1 < p.nb) raw.s1 = x.scales[nb_row + kc / B + 1];
  if constexpr (Packed) {
    const uint4 q = __ldg(reinterpret_cast<const uint4*>(x.codes + static_cast<size_t>(r) * (p.k / 2) + kc / 2));
    raw.w[0] = q.x, raw.w[1] = q.y, raw.w[2] = q.z, raw.w[3] = q.w;
  } else {
    const uint8_t* row = x.codes + static_cast<size_t>(r) * p.k;
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

// Codes 8q .. 8q + 7 of the 32 as bf16 (value x block scale): one 16-byte store.
template <Fmt F, bool Packed>
__device__ __forceinline__ void store_row_part(const RowCodes<Packed>& raw, uint8_t* dst, int q) {
  const float m = (block_of(F) == 16 && q >= 2) ? scale_value<F>(raw.s1) : scale_value<F>(raw.s0);
  uint4 v;
  if constexpr (four_bit(F)) {
    const uint32_t scale2 = pack_bf16x2(m, m);
    const uint32_t lo = Packed ? raw.w[q] & 0xFFFFu : nibbles_of_bytes(raw.w[2 * q]);
    const uint32_t hi = Packed ? raw.w[q] >> 16 : nibbles_of_bytes(raw.w[2 * q + 1]);
    bf16x4_from_nibbles<F>(lo, scale2, v.x, v.y);
    bf16x4_from_nibbles<F>(hi, scale2, v.z, v.w);
  } else {
    uint32_t* o = reinterpret_cast<uint32_t*>(&v);
#pragma unroll
    for (int h = 0; h < 4; ++h) {
      const uint32_t word = raw.w[2 * q + h / 2];
      o[h] = pack_bf16x2(element_times<F>(code_at<false>(word, (h % 2) * 2), m),
                         element_times<F>(code_at<false>(word, (h % 2) * 2 + 1), m));
    }
  }
  *reinterpret_cast<uint4*>(dst + q * 16) = v;
}

template <Fmt F, bool Packed>
__device__ __forceinline__ void store_row_bf16(const RowCodes<Packed>& raw, uint8_t* dst) {
#pragma unroll
  for (int q = 0; q < 4; ++q) store_row_part<F, Packed>(raw, dst, q);
}

inline constexpr int kTileRowBytes = kTileK * 2 + 16;  // bf16 row + 16: conflict-free ldmatrix
inline constexpr int kTileStageBytes = (kTileM + kTileN) * kTileRowBytes;
inline constexpr int kTileSmemBytes = 2 * kTileStageBytes;

template <Fmt F, bool Packed>
__global__ void __launch_bounds__(kTileThreads) block_gemm_tile_kernel(const Params p) {
  extern __shared__ __align__(16) uint8_t smem[];
  const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32, g = lane / 4, t = lane % 4;
  const int wm = warp / 4, wn = warp % 4;  // 2 x 4 warps of 64 x 32
  const int m0 = blockIdx.y * kTileM, n0 = blockIdx.x * kTileN;
  const int lr = tid / 2, lh = tid % 2;  // the row and half of the K tile this thread loads
  const int k_tiles = (p.k + kTileK - 1) / kTileK;

  // Registers take the codes of tile kt + 1 while the MMAs of tile kt run;
  // then they are dequantised into the other stage. (Measured on the H100:
  // loading two tiles ahead and spreading the dequantisation between the MMA
  // steps was slower, 231 vs 241 TFLOP/s packed mxfp4, and its 142-150
  // registers halved the occupancy of the one-code-per-byte variant.)
  RowCodes<Packed> ra, rb;
  load_row_codes<F, Packed>(p, p.a, p.m, m0 + lr, lh * 32, ra);
  load_row_codes<F, Packed>(p, p.b, p.n, n0 + lr, lh * 32, rb);
  store_row_bf16<F, Packed>(ra, smem + lr * kTileRowBytes + lh * 64);
  store_row_bf16<F, Packed>(rb, smem + (kTileM + lr) * kTileRowBytes + lh * 64);
  __syncthreads();

  float acc[4][4][4] = {};
  for (int kt = 0; kt < k_tiles; ++kt) {
    uint8_t* stage = smem + (kt % 2) * kTileStageBytes;
    uint8_t* other = smem + ((kt + 1) % 2) * kTileStageBytes;
    const bool more = kt + 1 < k_tiles;
    if (more) {
      load_row_codes<F, Packed>(p, p.a, p.m, m0 + lr, (kt + 1) * kTileK + lh * 32, ra);
      load_row_codes<F, Packed>(p, p.b, p.n, n0 + lr, (kt + 1) * kTileK + lh * 32, rb);
    }
#pragma unroll
    for (int ks = 0; ks < kTileK / 16; ++ks) {
      uint32_t af[4][4], bf[2][4];
#pragma unroll
      for (int mt = 0; mt < 4; ++mt)
        ldmatrix_x4(af[mt], stage + (wm * 64 + mt * 16 + lane % 16) * kTileRowBytes + (ks * 16 + (lane / 16) * 8) * 2);
#pragma unroll
      for (int np = 0; np < 2; ++np)
        ldmatrix_x4(bf[np], stage + (kTileM + wn * 32 + np * 16 + lane % 8 + (lane / 16) * 8) * kTileRowBytes +
                                (ks * 16 + ((lane / 8) % 2) * 8) * 2);
#pragma unroll
      for (int mt = 0; mt < 4; ++mt)
#pragma unroll
        for (int nt = 0; nt < 4; ++nt) mma_bf16(acc[mt][nt], af[mt], bf[nt / 2][(nt % 2) * 2], bf[nt / 2][(nt % 2) * 2 + 1]);
    }
    if (more) {
      store_row_bf16<F, Packed>(ra, other + lr * kTileRowBytes + lh * 64);
      store_row_bf16<F, Packed>(rb, other + (kTileM + lr) * kTileRowBytes + lh * 64);
    }
    __syncthreads();
  }

#pragma unroll
  for (int mt = 0; mt < 4; ++mt)
#pragma unroll
    for (int nt = 0; nt < 4; ++nt)
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        const int row = m0 + wm * 64 + mt * 16 + g + h * 8, col = n0 + wn * 32 + nt * 8 + 2 * t;
        if (row >= p.m) continue;
        float* out = p.c + static_cast<size_t>(row) * p.n + col;
        const float v0 = (acc[mt][nt][2 * h] * p.ga) * p.gb, v1 = (acc[mt][nt][2 * h + 1] * p.ga) * p.gb;
        if (col + 1 < p.n && (p.n % 2) == 0) {
          *reinterpret_cast<float2*>(out) = make_float2(v0, v1);
        } else {
          if (col < p.n) out[0] = v0;
          if (col + 1 < p.n) out[1] = v1;
        }
      }
}

}  // namespace plumb::kernels::cuda::block_gemm
