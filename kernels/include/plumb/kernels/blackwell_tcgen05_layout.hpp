// plumb kernels: the data layout of the sm_100a block-scaled tensor-core MMA
// (PTX ISA "tcgen05.mma.cta_group::1.kind::{mxf8f6f4,mxf4,mxf4nvf4}
// .block_scale"), built from plumb's block tensors. One header, PLUMB_HD, so
// the CUDA kernel (kernels/cuda/gemm/blackwell_sm100_block_mma.cu) and the
// host emulation of suites/kernels/blackwell_mma_emulation.hpp use the same
// code. The instruction kinds, element packing and scale blocks are those of
// blackwell_block_mma.hpp (MmaKind).
//
// One CTA (128 threads) per 128 x 32 tile of C; per instruction (M = 128,
// N = 32, K = 32 bytes of each row: 32 fp8 codes or 64 e2m1 codes packed two a
// byte, the lower k in the low nibble):
//   A, B in shared memory, K-major, no swizzle: core matrices of 8 rows x 16
//     bytes (128 contiguous bytes, rows 16 bytes apart); the two core matrices
//     of a row group along K are kLbo bytes apart (the descriptor's leading
//     byte offset), row groups kSbo bytes apart (its stride byte offset).
//   D in tensor memory: lane = row of the tile, column = column (fp32).
//   Scales in tensor memory, four 32-bit columns per operand, the same in all
//     four lane quarters: lane l of any quarter, column c holds the scales of
//     row l + 32 c (A rows, B rows = C columns); byte s the scale of this
//     instruction's K range s (1X: byte 0; 2X: bytes 0-1; 4X: bytes 0-3);
//     scale factor id 0. (The layout CUTLASS's scale-factor atom implies; the
//     PTX ISA's figures were not at hand: docs/GEMM_SEMANTICS.md "Blackwell
//     paths" lists it as unverified.)
//   Out-of-range rows and K: element codes 0, scales the code of 1.0.
#pragma once

#include <cstddef>
#include <cstdint>

#include "plumb/kernels/blackwell_block_mma.hpp"

namespace plumb::kernels::blackwell::tcgen05 {

inline constexpr int kTileM = 128, kTileN = 32, kThreads = 128;
inline constexpr int kRowBytes = 32;                  // one instruction's K of one row
inline constexpr uint32_t kLbo = 128, kSbo = 256;     // bytes: K-adjacent / row-group-adjacent core matrices
inline constexpr uint32_t kScaleColumns = 4;          // per operand
inline constexpr uint32_t kAccumulatorColumns = kTileN;
inline constexpr uint32_t kTmemColumns = 64;          // allocated: D, then scales A, then scales B
inline constexpr uint32_t kScaleAColumn = kAccumulatorColumns, kScaleBColumn = kScaleAColumn + kScaleColumns;

// Byte offset of (row, byte) of a K-major, unswizzled operand tile.
PLUMB_HD constexpr uint32_t smem_offset(int row, int byte) {
  return static_cast<uint32_t>(row / 8) * kSbo + static_cast<uint32_t>(byte / 16) * kLbo +
         static_cast<uint32_t>(row % 8) * 16 + static_cast<uint32_t>(byte % 16);
}

// Byte `byte` of row `row` of the operand for the instruction at K offset k0.
PLUMB_HD inline uint8_t operand_byte(MmaKind kind, const BlockOperand& o, size_t row, size_t k0, int byte) {
  if (!is_fp4(kind)) return element_code(kind, o, row, k0 + static_cast<size_t>(byte));
  const size_t k = k0 + 2 * static_cast<size_t>(byte);
  return static_cast<uint8_t>(element_code(kind, o, row, k) | (element_code(kind, o, row, k + 1) << 4));
}

// Shared memory matrix descriptor: start address, leading / stride byte
// offsets (each >> 4, 14 bits), version 1 (bits 46-47), base offset 0, no
// swizzle (bits 61-63 = 0).
PLUMB_HD constexpr uint64_t smem_descriptor(uint32_t smem_address) {
  return (uint64_t{(smem_address >> 4) & 0x3FFFu}) | (uint64_t{(kLbo >> 4) & 0x3FFFu} << 16) |
         (uint64_t{(kSbo >> 4) & 0x3FFFu} << 32) | (uint64_t{1} << 46);
}

// Instruction descriptor of the block-scaled kinds: dense, scale factor ids 0,
// A and B formats (bits 7-9, 10-12: kind::mxf8f6f4 e4m3 0, e5m2 1; kind::mxf4 /
// mxf4nvf4 e2m1 1), no negation, both K-major, N >> 3 (bits 17-22), scale
// format (bit 23: ue8m0 1, ue4m3 0), M >> 4 (bits 24-28), K 32 / 64 (bit 31 = 0).
PLUMB_HD constexpr uint32_t instruction_descriptor(MmaKind kind) {
  const uint32_t format = kind == MmaKind::mxf8f6f4_e4m3 ? 0u : 1u;
  return (format << 7) | (format << 10) | (static_cast<uint32_t>(kTileN >> 3) << 17) |
         ((ue4m3_scales(kind) ? 0u : 1u) << 23) | (static_cast<uint32_t>(kTileM >> 4) << 24);
}

// The scale word of tensor-memory lane `lane` (0..31 of any quarter), column
// `column` (0..3) for the operand rows starting at row0, instruction at k0.
PLUMB_HD inline uint32_t scale_word(MmaKind kind, const BlockOperand& o, size_t row0, int lane, int column,
                                    size_t k0) {
  const size_t row = row0 + static_cast<size_t>(lane) + 32 * static_cast<size_t>(column);
  const size_t first_block = k0 / static_cast<size_t>(scale_block(kind));
  uint32_t w = 0;
  for (int s = 0; s < scale_vec(kind); ++s)
    w |= static_cast<uint32_t>(scale_code(kind, o, row, first_block + static_cast<size_t>(s))) << (8 * s);
  return w;
}

}  // namespace plumb::kernels::blackwell::tcgen05
