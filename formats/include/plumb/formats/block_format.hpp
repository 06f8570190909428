// plumb formats: the block-scaled formats (OCP MX v1.0, NVIDIA NVFP4, NVINT4).
//
// A block format is an element FormatDesc, a scale FormatDesc, a block size and
// a scale rule, and (NVFP4/NVINT4) an fp32 per-tensor scale. It is not a new
// descriptor: the element and the scale are ordinary FormatDescs, rounded by
// round_to_format. docs/BLOCK_SEMANTICS.md is the specification (scale rules,
// special blocks, layouts, the Hadamard transform, stochastic rounding);
// formats/.../block_quantize.hpp implements it for host and device, and
// reference/ implements it again, independently, with MPFR.
#pragma once

#include <cstdint>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/host_device.hpp"

namespace plumb {

// How a block's scale is chosen from its largest magnitude (amax).
// MX rules (ue8m0 scale, a power of two 2^e, e clamped to [-127, 127]):
enum class ScaleRule : uint8_t {
  floor,       // OCP MX v1.0: e = floor(log2 amax) - emax_elem; elements saturate
  ceil,        // e = ceil(log2 amax) - emax_elem
  even,        // torchao EVEN: amax first rounded (half up) to the element's
               // significand width, then floor(log2 .) - emax_elem
  rceil,       // cuBLAS / cuDNN / torchao RCEIL: e = ceil(log2(amax / max_elem)),
               // never saturates
  // NV rules (ue4m3 scale, fp32 tensor scale S_enc = fp32(448 * max_elem / global amax)):
  nv_te,       // Transformer Engine's fp32 operation order (core_nvfp4.cuh)
  nv_exact,    // block scale = RNE_ue4m3(amax * S_enc / max_elem), elements
               // RNE(x * S_enc / scale), each one rounding of the exact value
};
inline constexpr int kScaleRuleCount = 6;

PLUMB_HD constexpr bool is_nv_rule(ScaleRule r) {
  return r == ScaleRule::nv_te || r == ScaleRule::nv_exact;
}

struct BlockFormat {
  FormatDesc element;        // e4m3fn, e5m2, e3m2fn, e2m3fn, e2m1fn, int8 or int4
  FormatDesc scale;          // ue8m0 (MX) or ue4m3 (NV)
  int block_size = 32;       // elements per 1D block
  ScaleRule rule = ScaleRule::floor;
  bool tensor_scale = false;  // an fp32 per-tensor scale S_enc (NV rules)
  // Element value = decoded code * 2^element_shift (MXINT8: int8 * 2^-6).
  int element_shift = 0;
  // Integer elements are clamped to +-max (symmetric; the code -max-1 is never
  // produced, but decodes: MXINT8 -128 = -2).
  bool symmetric_int = true;
};

// Storage cost of one element including its share of the scales, as the
// quantisation-error report plots it. A scale occupies its storage (ue4m3 has
// 7 value bits but is stored in a byte, so NVFP4 is 4 + 8/16 = 4.5 bits).
PLUMB_HD constexpr double bits_per_element(const BlockFormat& f) {
  return f.element.bits() + static_cast<double>(8 * f.scale.storage_bytes()) / f.block_size;
}

namespace block_formats {
inline constexpr BlockFormat mxfp8_e4m3{formats::e4m3fn, formats::ue8m0, 32, ScaleRule::floor, false, 0, true};
inline constexpr BlockFormat mxfp8_e5m2{formats::e5m2, formats::ue8m0, 32, ScaleRule::floor, false, 0, true};
inline constexpr BlockFormat mxfp6_e3m2{formats::e3m2fn, formats::ue8m0, 32, ScaleRule::floor, false, 0, true};
inline constexpr BlockFormat mxfp6_e2m3{formats::e2m3fn, formats::ue8m0, 32, ScaleRule::floor, false, 0, true};
inline constexpr BlockFormat mxfp4{formats::e2m1fn, formats::ue8m0, 32, ScaleRule::floor, false, 0, true};
inline constexpr BlockFormat mxint8{formats::int8, formats::ue8m0, 32, ScaleRule::floor, false, -6, true};
inline constexpr BlockFormat nvfp4{formats::e2m1fn, formats::ue4m3, 16, ScaleRule::nv_te, true, 0, true};
inline constexpr BlockFormat nvint4{formats::int4, formats::ue4m3, 16, ScaleRule::nv_te, true, 0, true};
}  // namespace block_formats

// Where the blocks of a rows x cols row-major tensor lie.
enum class BlockLayout : uint8_t {
  rows,     // 1D blocks of block_size consecutive elements along each row
  cols,     // 1D blocks of block_size consecutive elements down each column
  tile_2d,  // 16 x 16 tiles, one scale per tile (block_size is not used)
};

// Everything that selects one quantisation besides the format and the data.
struct BlockOptions {
  BlockLayout layout = BlockLayout::rows;
  bool hadamard = false;          // 16x16 random Hadamard transform first
  uint64_t hadamard_seed = 0;     // its random signs
  bool stochastic = false;        // elements rounded stochastically (else RNE)
  uint8_t sr_bits = 32;           // k random bits per element, 1..32
  uint64_t sr_seed = 0;           // element i's bits: block_rbits(sr_seed, i)
};

}  // namespace plumb
