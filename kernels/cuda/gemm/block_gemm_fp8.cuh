// plumb's Hopper block-scaled GEMM on fp8 tensor cores: the 4-bit element
// codes (e2m1, int4) re-quantised exactly to e4m3 (by byte permutes), the
// block scales kept in fp32. Same tiling as block_gemm_tile.cuh (128 x 128 x
// 64, 8 warps of 64 x 32, two stages), with mma.sync m16n8k32 e4m3: each
// block's partial products come from an MMA with a zero accumulator, and are
// then scaled and added in fp32 (acc = fma(P x sa, sb, acc)). A 16-element NV
// block is half of the MMA's k = 32: two MMAs, each with the other half of A's
// fragment zeroed.
#pragma once

#include "block_gemm_dequant.cuh"
#include "block_gemm_params.cuh"
#include "block_gemm_tile.cuh"

namespace plumb::kernels::cuda::block_gemm {

inline constexpr int kFp8RowBytes = kTileK + 16;             // e4m3 row + 16: conflict-free ldmatrix
inline constexpr int kFp8BlocksPerTile = 4;                  // scale slots per row and K tile (16-element blocks)
inline constexpr int kFp8CodeBytes = (kTileM + kTileN) * kFp8RowBytes;
inline constexpr int kFp8StageBytes = kFp8CodeBytes + (kTileM + kTileN) * kFp8BlocksPerTile * 4;
inline constexpr int kFp8SmemBytes = 2 * kFp8StageBytes;

// 32 codes as e4m3 bytes, and the row's block scales as fp32 values.
template <Fmt F, bool Packed>
__device__ __forceinline__ void store_row_e4m3(const RowCodes<Packed>& raw, uint8_t* dst, float* scales, int lh) {
  uint32_t o[8];
#pragma unroll
  for (int q = 0; q < 8; ++q) {
    uint32_t four;
    if constexpr (Packed) four = spread_nibbles((raw.w[q / 2] >> (16 * (q % 2))) & 0xFFFFu);
    else four = raw.w[q];
    o[q] = to_e4m3x4<F>(four);
  }
  *reinterpret_cast<uint4*>(dst) = make_uint4(o[0], o[1], o[2], o[3]);
  *reinterpret_cast<uint4*>(dst + 16) = make_uint4(o[4], o[5], o[6], o[7]);
  if constexpr (block_of(F) == 16) {
    scales[lh * 2] = scale_value<F>(raw.s0);
    scales[lh * 2 + 1] = scale_value<F>(raw.s1);
  } else {
    scales[lh] = scale_value<F>(raw.s0);
  }
}

template <Fmt F, bool Packed>
__global__ void __launch_bounds__(kTileThreads) block_gemm_fp8_kernel(const Params p) {
  static_assert(four_bit(F), "the fp8 path takes the 4-bit formats");
  extern __shared__ __align__(16) uint8_t smem[];
  const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32, g = lane / 4, t = lane % 4;
  const int wm = warp / 4, wn = warp % 4;
  const int m0 = blockIdx.y * kTileM, n0 = blockIdx.x * kTileN;
  const int lr = tid / 2, lh = tid % 2;
  const int k_tiles = (p.k + kTileK - 1) / kTileK;
  const auto scale_row = [](uint8_t* stage, int row) {
    return reinterpret_cast<float*>(stage + kFp8CodeBytes) + row * kFp8BlocksPerTile;
  };

  RowCodes<Packed> ra, rb;
  load_row_codes<F, Packed>(p, p.a, p.m, m0 + lr, lh * 32, ra);
  load_row_codes<F, Packed>(p, p.b, p.n, n0 + lr, lh * 32, rb);
  store_row_e4m3<F, Packed>(ra, smem + lr * kFp8RowBytes + lh * 32, scale_row(smem, lr), lh);
  store_row_e4m3<F, Packed>(rb, smem + (kTileM + lr) * kFp8RowBytes + lh * 32, scale_row(smem, kTileM + lr), lh);
  __syncthreads();

  float acc[4][4][4] = {};
  for (int kt = 0; kt < k_tiles; ++kt) {
    uint8_t* stage = smem + (kt % 2) * kFp8StageBytes;
    uint8_t* other = smem + ((kt + 1) % 2) * kFp8StageBytes;
    const bool more = kt + 1 < k_tiles;
    if (more) {
      load_row_codes<F, Packed>(p, p.a, p.m, m0 + lr, (kt + 1) * kTileK + lh * 32, ra);
      load_row_codes<F, Packed>(p, p.b, p.n, n0 + lr, (kt + 1) * kTileK + lh * 32, rb);
    }
#pragma unroll
    for (int ks = 0; ks < kTileK / 32; ++ks) {
      uint32_t af[4][4], bf[2][4];
#pragma unroll
      for (int mt = 0; mt < 4; ++mt)
        ldmatrix_x4(af[mt], stage + (wm * 64 + mt * 16 + lane % 16) * kFp8RowBytes + ks * 32 + (lane / 16) * 16);
#pragma unroll
      for (int np = 0; np < 2; ++np)
        ldmatrix_x4(bf[np], stage + (kTileM + wn * 32 + np * 16 + lane % 8 + (lane / 16) * 8) * kFp8RowBytes + ks * 32 +
                                ((lane / 8) % 2) * 16);
      constexpr int kHalves = block_of(F) == 16 ? 2 : 1;
#pragma unroll 1
      for (int half = 0; half < kHalves; ++half) {
        const int blk = ks * kHalves + half;  // scale slot within the K tile
        float sa[4][2], sb[4][2];
#pragma unroll
        for (int mt = 0; mt < 4; ++mt)
#pragma unroll
          for (int h = 0; h < 2; ++h) sa[mt][h] = scale_row(stage, wm * 64 + mt * 16 + g + h * 8)[blk];
#pragma unroll
        for (int nt = 0; nt < 4; ++nt)
#pragma unroll
          for (int j = 0; j < 2; ++j) sb[nt][j] = scale_row(stage, kTileM + wn * 32 + nt * 8 + 2 * t + j)[blk];
#pragma unroll
        for (int mt = 0; mt < 4; ++mt) {
          // a0, a1: k 0..15 of the k32 step; a2, a3: k 16..31.
          const bool lo = kHalves == 1 || half == 0, hi = kHalves == 1 || half == 1;
          const uint32_t a0 = lo ? af[mt][0] : 0u, a1 = lo ? af[mt][1] : 0u;
          const uint32_t a2 = hi ? af[mt][2] : 0u, a3 = hi ? af[mt][3] : 0u;
#pragma unroll
          for (int nt = 0; nt < 4; ++nt) {
            float part[4];
            mma_e4m3_zero(part, a0, a1, a2, a3, bf[nt / 2][(nt % 2) * 2], bf[nt / 2][(nt % 2) * 2 + 1]);
#pragma unroll
            for (int i = 0; i < 4; ++i) acc[mt][nt][i] = fmaf(part[i] * sa[mt][i / 2], sb[nt][i % 2], acc[mt][nt][i]);
          }
        }
      }
    }
    if (more) {
      store_row_e4m3<F, Packed>(ra, other + lr * kFp8RowBytes + lh * 32, scale_row(other, lr), lh);
      store_row_e4m3<F, Packed>(rb, other + (kTileM + lr) * kFp8RowBytes + lh * 32, scale_row(other, kTileM + lr), lh);
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
