// plumb kernels: the data layout of the sm_120a warp-level block-scaled MMA
// (PTX ISA "mma.sync.aligned ... .block_scale", m16n8k32 kind::mxf8f6f4 and
// m16n8k64 kind::mxf4 / kind::mxf4nvf4) built from plumb's block tensors
// (docs/GEMM_SEMANTICS.md kind `block`, layout rows). One header, PLUMB_HD, so
// the CUDA kernel (kernels/cuda/gemm/blackwell_sm120_block_mma.cu) and the
// host emulation that the Catch2 test runs (suites/kernels/
// blackwell_mma_emulation.hpp) pack fragments and scales with the same code.
//
// One warp computes one 16 x 8 tile of C; lane = 4 * group + thread_in_group.
// Per instruction (K = 32 for 8-bit elements, 64 for e2m1):
//   A (16 x K, row-major "row"): 4 registers; register r, slot j (byte j of
//     8-bit codes, nibble j of e2m1 codes) holds A[group + 8 (r & 1)]
//     [thread_in_group * P + j + K/2 (r >> 1)], P = 4 (8-bit) or 8 (e2m1).
//   B (K x 8, "col": B's row j of plumb's N x K tensor is column j): 2
//     registers; register r, slot j holds B[k = thread_in_group * P + j +
//     K/2 r][n = group].
//   C / D (16 x 8 fp32): d[i] is C[group + 8 (i >> 1)][2 thread_in_group + (i & 1)].
//   Scales (thread-id 0, byte-id 0): lane 4 g holds A row g's scales, lane
//     4 g + 1 row g + 8's; lane 4 g holds B column g's. Byte s of the register
//     is the scale of K range [s K/V, (s + 1) K/V) of this instruction, V =
//     scale_vec (1X: one byte for 32 elements; 2X: two for 32 each; 4X: four
//     for 16 each). Every lane fills its register the same way (lane & 1
//     picks the A row), so the lanes the instruction does not read hold
//     copies.
// K tails and tile edges: element codes outside the tensor are 0 (+0 in
// every element format), their scales the code of 1.0, so they add +0.
#pragma once

#include <cstddef>
#include <cstdint>

#include "plumb/formats/block_format.hpp"
#include "plumb/formats/host_device.hpp"

namespace plumb::kernels::blackwell {

// The instruction a block format maps to (none: not supported).
enum class MmaKind : uint8_t {
  none,
  mxf8f6f4_e4m3,  // mxfp8_e4m3: kind::mxf8f6f4 .e4m3, scale_vec::1X, ue8m0, m16n8k32
  mxf8f6f4_e5m2,  // mxfp8_e5m2: kind::mxf8f6f4 .e5m2, scale_vec::1X, ue8m0, m16n8k32
  mxf4,           // mxfp4: kind::mxf4 .e2m1 (packed), scale_vec::2X, ue8m0, m16n8k64
  mxf4nvf4,       // nvfp4: kind::mxf4nvf4 .e2m1 (packed), scale_vec::4X, ue4m3, m16n8k64
};

inline constexpr int kTileM = 16, kTileN = 8, kWarpLanes = 32;

PLUMB_HD constexpr bool is_fp4(MmaKind k) { return k == MmaKind::mxf4 || k == MmaKind::mxf4nvf4; }
PLUMB_HD constexpr int mma_k(MmaKind k) { return is_fp4(k) ? 64 : 32; }
PLUMB_HD constexpr int elements_per_register(MmaKind k) { return is_fp4(k) ? 8 : 4; }
PLUMB_HD constexpr int scale_vec(MmaKind k) {
  return k == MmaKind::mxf4nvf4 ? 4 : k == MmaKind::mxf4 ? 2 : 1;
}
// Elements per scale: 32 for the MX kinds, 16 for nvfp4 (= the format's block size).
PLUMB_HD constexpr int scale_block(MmaKind k) { return mma_k(k) / scale_vec(k); }
PLUMB_HD constexpr bool ue4m3_scales(MmaKind k) { return k == MmaKind::mxf4nvf4; }
// The scale code of 1.0: ue8m0 2^0 = 127, ue4m3 1.0 = 0x38.
PLUMB_HD constexpr uint8_t unit_scale_code(MmaKind k) { return ue4m3_scales(k) ? 0x38 : 127; }
// plumb's NaN scales (docs/BLOCK_SEMANTICS.md "Special blocks"): ue8m0 0xFF, ue4m3 0x7F.
PLUMB_HD constexpr bool scale_code_is_nan(MmaKind k, uint8_t code) {
  return ue4m3_scales(k) ? (code & 0x7F) == 0x7F : code == 0xFF;
}

// Host only: the kind for a block format, or none.
inline MmaKind mma_kind_for(const BlockFormat& f) {
  if (f.element_shift != 0) return MmaKind::none;
  if (f.scale == formats::ue8m0 && f.block_size == 32 && !f.tensor_scale) {
    if (f.element == formats::e4m3fn) return MmaKind::mxf8f6f4_e4m3;
    if (f.element == formats::e5m2) return MmaKind::mxf8f6f4_e5m2;
    if (f.element == formats::e2m1fn) return MmaKind::mxf4;
  }
  if (f.scale == formats::ue4m3 && f.block_size == 16 && f.element == formats::e2m1fn)
    return MmaKind::mxf4nvf4;
  return MmaKind::none;
}

// One block-scaled operand, plumb's layout rows: rows x k element codes (one
// byte each, row-major) and rows x ceil(k / block) scale codes.
struct BlockOperand {
  const uint8_t* elements = nullptr;
  const uint8_t* scales = nullptr;
  size_t rows = 0, k = 0;
};

PLUMB_HD inline size_t scale_columns(MmaKind kind, size_t k) {
  const size_t b = static_cast<size_t>(scale_block(kind));
  return (k + b - 1) / b;
}
PLUMB_HD inline uint8_t element_code(MmaKind kind, const BlockOperand& o, size_t row, size_t k) {
  if (row >= o.rows || k >= o.k) return 0;
  const uint8_t c = o.elements[row * o.k + k];
  return is_fp4(kind) ? static_cast<uint8_t>(c & 0x0F) : c;
}
PLUMB_HD inline uint8_t scale_code(MmaKind kind, const BlockOperand& o, size_t row, size_t block) {
  const size_t cols = scale_columns(kind, o.k);
  if (row >= o.rows || block >= cols) return unit_scale_code(kind);
  return o.scales[row * cols + block];
}

struct FragmentCoord {
  int row;  // A: row of the tile (0..15); B: column n of the tile (0..7)
  int k;    // K index within this instruction
};
PLUMB_HD constexpr FragmentCoord a_fragment_coord(MmaKind kind, int lane, int reg, int slot) {
  return {lane / 4 + 8 * (reg & 1), (lane % 4) * elements_per_register(kind) + slot + (mma_k(kind) / 2) * (reg >> 1)};
}
PLUMB_HD constexpr FragmentCoord b_fragment_coord(MmaKind kind, int lane, int reg, int slot) {
  return {lane / 4, (lane % 4) * elements_per_register(kind) + slot + (mma_k(kind) / 2) * reg};
}
// d[i] of a lane: row and column of the 16 x 8 tile.
PLUMB_HD constexpr int c_fragment_row(int lane, int i) { return lane / 4 + 8 * (i >> 1); }
PLUMB_HD constexpr int c_fragment_col(int lane, int i) { return 2 * (lane % 4) + (i & 1); }

PLUMB_HD inline uint32_t put_slot(MmaKind kind, uint32_t reg, int slot, uint8_t code) {
  const int bits = is_fp4(kind) ? 4 : 8;
  return reg | (static_cast<uint32_t>(code) << (bits * slot));
}

// Everything one lane passes to one instruction.
struct MmaOperands {
  uint32_t a[4];
  uint32_t b[2];
  uint32_t scale_a;
  uint32_t scale_b;
};

// The operands of the instruction at K offset k0 for the tile whose top-left
// is (row0, col0): A rows row0.., B rows (C columns) col0...
PLUMB_HD inline MmaOperands load_mma_operands(MmaKind kind, const BlockOperand& a, const BlockOperand& b,
                                              size_t row0, size_t col0, size_t k0, int lane) {
  MmaOperands op{};
  const int per = elements_per_register(kind);
  for (int r = 0; r < 4; ++r)
    for (int s = 0; s < per; ++s) {
      const FragmentCoord c = a_fragment_coord(kind, lane, r, s);
      op.a[r] = put_slot(kind, op.a[r], s, element_code(kind, a, row0 + c.row, k0 + c.k));
    }
  for (int r = 0; r < 2; ++r)
    for (int s = 0; s < per; ++s) {
      const FragmentCoord c = b_fragment_coord(kind, lane, r, s);
      op.b[r] = put_slot(kind, op.b[r], s, element_code(kind, b, col0 + c.row, k0 + c.k));
    }
  const size_t first_block = k0 / static_cast<size_t>(scale_block(kind));
  const size_t a_row = row0 + lane / 4 + 8 * (lane & 1), b_row = col0 + lane / 4;
  for (int s = 0; s < scale_vec(kind); ++s) {
    op.scale_a |= static_cast<uint32_t>(scale_code(kind, a, a_row, first_block + s)) << (8 * s);
    op.scale_b |= static_cast<uint32_t>(scale_code(kind, b, b_row, first_block + s)) << (8 * s);
  }
  // Bytes the instruction does not read (1X: 1..3; 2X: 2..3) are left 0.
  return op;
}

PLUMB_HD inline size_t mma_steps(MmaKind kind, size_t k) {
  const size_t step = static_cast<size_t>(mma_k(kind));
  return (k + step - 1) / step;
}

// Does row `row` of the operand have a NaN scale anywhere (plumb: a NaN block
// makes every dot through it NaN, whatever the hardware does with the code)?
PLUMB_HD inline bool row_has_nan_scale(MmaKind kind, const BlockOperand& o, size_t row) {
  const size_t cols = scale_columns(kind, o.k);
  for (size_t j = 0; j < cols; ++j)
    if (scale_code_is_nan(kind, o.scales[row * cols + j])) return true;
  return false;
}

// fp32(1 / S_enc): the NV tensor scale of an operand, applied after the
// instruction (1 for formats without one).
PLUMB_HD inline float inverse_tensor_scale(const BlockFormat& f, float s_enc) {
  return f.tensor_scale ? 1.0f / s_enc : 1.0f;
}

// C[row][col] (C m x n, row-major) from the accumulated dot, where inside C:
// NaN where a NaN scale feeds the dot; else the fp32 tensor scales (nvfp4: g =
// fp32(1 / S_enc) of each operand, 1 otherwise), applied outside the instruction.
PLUMB_HD inline void store_output(MmaKind kind, const BlockOperand& a, const BlockOperand& b, size_t row,
                                  size_t col, float acc, float g_a, float g_b, float* c) {
  if (row >= a.rows || col >= b.rows) return;
  float v = (acc * g_a) * g_b;
  if (row_has_nan_scale(kind, a, row) || row_has_nan_scale(kind, b, col)) v = __builtin_nanf("");
  c[row * b.rows + col] = v;
}

// Epilogue of one lane of the sm_120 warp tile: its d[4] to C.
PLUMB_HD inline void store_tile(MmaKind kind, const BlockOperand& a, const BlockOperand& b, size_t row0,
                                size_t col0, int lane, const float d[4], float g_a, float g_b, float* c) {
  for (int i = 0; i < 4; ++i)
    store_output(kind, a, b, row0 + c_fragment_row(lane, i), col0 + c_fragment_col(lane, i), d[i], g_a, g_b, c);
}

}  // namespace plumb::kernels::blackwell
