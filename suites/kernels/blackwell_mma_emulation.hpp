// A host emulation of the sm_120a block-scaled warp MMA (PTX ISA "mma.sync
// .aligned ... .block_scale", m16n8k32 kind::mxf8f6f4 and m16n8k64
// kind::mxf4 / kind::mxf4nvf4) and of cuda_sm120_block_mma, the GEMM that
// kernels/cuda/gemm/blackwell_sm120_block_mma.cu runs with it. The GEMM loop
// packs every lane's registers with the kernel's own code
// (plumb/kernels/blackwell_block_mma.hpp); the instruction below reads them
// back by the PTX ISA's per-element fragment tables (element index i of the
// whole fragment, not register and slot), written out separately here, and
// computes D = C + sum_k (A[m][k] scale_A[m][k / (K/V)]) (B[k][n]
// scale_B[k / (K/V)][n]). So a wrong register, slot, nibble, lane or scale
// byte in the shared packing makes the emulated GEMM disagree with the exact
// reference. What it cannot catch: a misreading of the ISA made the same way
// in both (the instruction has never run here).
//
// Accumulation model: the dot of one instruction exactly (long double; the
// terms have <= 16 significant bits), added to C with one fp32 rounding.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/value.hpp"
#include "plumb/kernels/blackwell_block_mma.hpp"
#include "plumb/kernels/gemm_kernel.hpp"

namespace plumb::emulation {

namespace bw = kernels::blackwell;

// Deliberate misreadings of the scale operands, to show the check sees them.
enum class ScaleMisread : uint8_t {
  none,
  reversed_bytes,  // byte V-1-s taken for K range s (2X, 4X)
  swapped_rows,    // A row g's scale taken from the lane of row g + 8 and back
};

inline double element_value(bw::MmaKind kind, uint32_t code) {
  switch (kind) {
    case bw::MmaKind::mxf8f6f4_e4m3: return decode(formats::e4m3fn, code);
    case bw::MmaKind::mxf8f6f4_e5m2: return decode(formats::e5m2, code);
    default: return decode(formats::e2m1fn, code);
  }
}
inline double scale_value(bw::MmaKind kind, uint32_t code) {
  return decode(bw::ue4m3_scales(kind) ? formats::ue4m3 : formats::ue8m0, code);
}

// One warp's instruction: ops[lane] as the lanes pass them, d[lane][4] the
// accumulators (C in, D out). thread-id 0, byte-id 0 for both scale operands.
inline void emulate_block_scale_mma(bw::MmaKind kind, const bw::MmaOperands (&ops)[32], float (&d)[32][4],
                                    ScaleMisread misread = ScaleMisread::none) {
  const bool fp4 = bw::is_fp4(kind);
  const int K = fp4 ? 64 : 32, V = bw::scale_vec(kind), bits = fp4 ? 4 : 8;
  const int a_count = fp4 ? 32 : 16, b_count = fp4 ? 16 : 8;  // elements per lane
  std::vector<double> A(16 * K), B(K * 8);
  const auto element = [&](uint32_t reg, int slot) { return (reg >> (bits * slot)) & ((1u << bits) - 1); };
  for (int lane = 0; lane < 32; ++lane) {
    const int group = lane / 4, tig = lane % 4;
    for (int i = 0; i < a_count; ++i) {
      // m16n8k32 (8-bit): row g for a0..a3 and a8..a11, col tig*4 + (i & 3) (+16 from a8).
      // m16n8k64 (e2m1): row g for a0..a7 and a16..a23, col tig*8 + (i & 7) (+32 from a16).
      const int q = fp4 ? 8 : 4;
      const bool low_row = i < q || (i >= 2 * q && i < 3 * q);
      const int row = low_row ? group : group + 8;
      const int col = tig * q + (i % q) + (i >= 2 * q ? K / 2 : 0);
      A[row * K + col] = element_value(kind, element(ops[lane].a[i / q], i % q));
    }
    for (int i = 0; i < b_count; ++i) {
      // B: row (k) tig*4 + (i & 3) (+16 from b4); e2m1: tig*8 + (i & 7) (+32 from b8); col g.
      const int q = fp4 ? 8 : 4;
      const int k = tig * q + (i % q) + (i >= q ? K / 2 : 0);
      B[k * 8 + group] = element_value(kind, element(ops[lane].b[i / q], i % q));
    }
  }
  double sa[16][4], sb[8][4];
  for (int m = 0; m < 16; ++m) {
    int lane = 4 * (m % 8) + m / 8;  // lane 4g: row g; lane 4g+1: row g+8
    if (misread == ScaleMisread::swapped_rows) lane = 4 * (m % 8) + 1 - m / 8;
    for (int s = 0; s < V; ++s) {
      const int byte = misread == ScaleMisread::reversed_bytes ? V - 1 - s : s;
      sa[m][s] = scale_value(kind, (ops[lane].scale_a >> (8 * byte)) & 0xFF);
    }
  }
  for (int n = 0; n < 8; ++n)
    for (int s = 0; s < V; ++s) {
      const int byte = misread == ScaleMisread::reversed_bytes ? V - 1 - s : s;
      sb[n][s] = scale_value(kind, (ops[4 * n].scale_b >> (8 * byte)) & 0xFF);
    }
  for (int lane = 0; lane < 32; ++lane)
    for (int i = 0; i < 4; ++i) {
      // C/D: row g for c0, c1 and g + 8 for c2, c3; col tig*2 + (i & 1).
      const int m = lane / 4 + (i >= 2 ? 8 : 0), n = (lane % 4) * 2 + (i & 1);
      long double sum = 0;
      for (int k = 0; k < K; ++k) {
        const int s = k / (K / V);
        sum += static_cast<long double>(A[m * K + k] * sa[m][s]) * static_cast<long double>(B[k * 8 + n] * sb[n][s]);
      }
      d[lane][i] = static_cast<float>(static_cast<long double>(d[lane][i]) + sum);
    }
}

// cuda_sm120_block_mma's loop on the host: the same tiles, the same packing
// and epilogue, the emulated instruction in place of the hardware's.
template <ScaleMisread Misread = ScaleMisread::none>
kernels::KernelStatus emulated_sm120_block_mma(const kernels::GemmArgs& args, float* c, int32_t* /*c_i32*/,
                                               std::string* message) {
  const bw::MmaKind kind = args.kind == kernels::GemmKind::block ? bw::mma_kind_for(args.format) : bw::MmaKind::none;
  if (kind == bw::MmaKind::none) {
    if (message) *message = "no sm_120 block-scaled MMA for this operand kind / format";
    return kernels::KernelStatus::not_supported;
  }
  const bw::BlockOperand a{args.a_elements, args.a_scales, args.m, args.k};
  const bw::BlockOperand b{args.b_elements, args.b_scales, args.n, args.k};
  const float g_a = bw::inverse_tensor_scale(args.format, args.a_tensor_scale);
  const float g_b = bw::inverse_tensor_scale(args.format, args.b_tensor_scale);
  for (size_t row0 = 0; row0 < args.m; row0 += bw::kTileM)
    for (size_t col0 = 0; col0 < args.n; col0 += bw::kTileN) {
      float d[32][4] = {};
      for (size_t s = 0; s < bw::mma_steps(kind, args.k); ++s) {
        bw::MmaOperands ops[32];
        for (int lane = 0; lane < 32; ++lane)
          ops[lane] = bw::load_mma_operands(kind, a, b, row0, col0, s * bw::mma_k(kind), lane);
        emulate_block_scale_mma(kind, ops, d, Misread);
      }
      for (int lane = 0; lane < 32; ++lane) bw::store_tile(kind, a, b, row0, col0, lane, d[lane], g_a, g_b, c);
    }
  return kernels::KernelStatus::ok;
}

}  // namespace plumb::emulation
