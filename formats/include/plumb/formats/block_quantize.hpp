// plumb formats: block-scaled quantisation of one block, host and device: the
// one definition that cpu_block (through block_tensor.hpp) and cuda_block (one
// GPU thread per block) both run. docs/BLOCK_SEMANTICS.md is the specification.
//
// A tensor is quantised in up to three passes: the Hadamard transform of each
// group of 16 (hadamard.hpp), the largest finite magnitude of the whole tensor
// (NV rules with a tensor scale: it fixes S_enc, the plan's tensor scale), and
// quantize_block on every block of the grid (block_rect). Every rounding of a
// scale or an element is round_to_format's.
#pragma once

#include <cstddef>
#include <cstdint>

#include "plumb/formats/block_scale.hpp"

namespace plumb {

// ---- where blocks and Hadamard groups lie ------------------------------------

struct BlockRect {  // rows [r0, r1) x columns [c0, c1) of a row-major tensor
  size_t r0 = 0, r1 = 0, c0 = 0, c1 = 0;
};
struct BlockGridShape {
  size_t rows = 0, cols = 0;
};

PLUMB_HD constexpr size_t ceil_div(size_t n, size_t d) { return (n + d - 1) / d; }

inline constexpr size_t kTileSize = 16;

PLUMB_HD constexpr BlockGridShape block_grid(BlockLayout layout, int block_size, size_t rows,
                                             size_t cols) {
  const size_t b = static_cast<size_t>(block_size);
  switch (layout) {
    case BlockLayout::rows: return {rows, ceil_div(cols, b)};
    case BlockLayout::cols: return {ceil_div(rows, b), cols};
    default: return {ceil_div(rows, kTileSize), ceil_div(cols, kTileSize)};
  }
}

// The elements of block (br, bc) of the grid; edge blocks are short.
PLUMB_HD constexpr BlockRect block_rect(BlockLayout layout, int block_size, size_t rows,
                                        size_t cols, size_t br, size_t bc) {
  const size_t b = static_cast<size_t>(block_size);
  const auto clip = [](size_t v, size_t n) { return v < n ? v : n; };
  switch (layout) {
    case BlockLayout::rows: return {br, br + 1, bc * b, clip((bc + 1) * b, cols)};
    case BlockLayout::cols: return {br * b, clip((br + 1) * b, rows), bc, bc + 1};
    default:
      return {br * kTileSize, clip((br + 1) * kTileSize, rows), bc * kTileSize,
              clip((bc + 1) * kTileSize, cols)};
  }
}

// The Hadamard transform runs along the block direction: along each row for
// `rows` and `tile_2d`, down each column for `cols`.
PLUMB_HD constexpr size_t hadamard_length(BlockLayout layout, size_t rows, size_t cols) {
  return layout == BlockLayout::cols ? rows : cols;
}
// Group g (0 <= g < rows * cols / 16) starts at element `offset`; its 16
// elements are `stride` apart.
struct HadamardGroup {
  size_t offset = 0, stride = 1;
};
PLUMB_HD constexpr HadamardGroup hadamard_group(BlockLayout layout, size_t rows, size_t cols,
                                                size_t g) {
  (void)rows;
  if (layout == BlockLayout::cols) return {(g / cols) * kTileSize * cols + g % cols, cols};
  const size_t per_row = cols / kTileSize;
  return {(g / per_row) * cols + (g % per_row) * kTileSize, 1};
}

// ---- the plan: everything a block needs besides its elements -----------------

struct BlockPlan {
  FormatDesc element;
  FormatDesc scale;
  ScaleRule rule = ScaleRule::floor;
  int element_shift = 0;
  bool nv = false;           // an NV rule (ue4m3 scale, tensor scale S_enc)
  bool clamp_int = false;    // symmetric integer elements: -max-1 becomes -max
  uint64_t special_element = 0;  // element code of a block with a NaN or an infinity
  ElementMax max;
  float max_f32 = 0.0f;      // M = max_elem
  RoundingSpec spec;         // the elements' rounding (scales are always RNE)
  uint64_t sr_seed = 0;
  float s_enc = 1.0f;        // set by plan_tensor_scale
  NvTeConstants te;
};

PLUMB_HD inline BlockPlan make_block_plan(const BlockFormat& f, const BlockOptions& o) {
  BlockPlan p;
  p.element = f.element;
  p.scale = f.scale;
  p.rule = f.rule;
  p.element_shift = f.element_shift;
  p.nv = is_nv_rule(f.rule);
  p.clamp_int = f.element.is_integer() && f.element.is_signed && f.symmetric_int;
  p.special_element = f.element.has_nan() ? f.element.nan_code(false) : 0;
  p.max = element_max(f);
  p.max_f32 = element_max_f32(p.max);
  p.spec = o.stochastic ? RoundingSpec{Rounding::stochastic, Overflow::saturate, o.sr_bits}
                        : RoundingSpec{Rounding::nearest_even, Overflow::saturate, 0};
  p.sr_seed = o.sr_seed;
  p.te = nv_te_constants(1.0f, p.max_f32);
  return p;
}

// S_enc of a tensor whose (transformed) largest finite magnitude is gamax.
PLUMB_HD inline float block_tensor_scale(const BlockFormat& f, const BlockPlan& p, float gamax) {
  return p.nv && f.tensor_scale ? nv_tensor_scale(gamax, p.max_f32) : 1.0f;
}
PLUMB_HD inline void plan_tensor_scale(BlockPlan& p, float s_enc) {
  p.s_enc = s_enc;
  p.te = nv_te_constants(s_enc, p.max_f32);
}

// ---- one block -----------------------------------------------------------------

PLUMB_HD inline uint64_t clamp_element(const BlockPlan& p, uint64_t code) {
  return p.clamp_int && code == p.element.sign_bit() ? code | 1 : code;
}

// Quantises the block `b` of x (row-major, `cols` columns) into `elements`
// (same indexing) and returns its scale code.
PLUMB_HD inline uint8_t quantize_block(const BlockPlan& p, const float* x, size_t cols,
                                       const BlockRect& b, uint8_t* elements) {
  uint32_t amax = 0;
  bool special = false;
  for (size_t r = b.r0; r < b.r1; ++r)
    for (size_t c = b.c0; c < b.c1; ++c) {
      const uint32_t m = f32_bits(x[r * cols + c]) & 0x7FFFFFFFu;
      if (m >= 0x7F800000u) special = true;
      else if (m > amax) amax = m;
    }
  if (special) {
    for (size_t r = b.r0; r < b.r1; ++r)
      for (size_t c = b.c0; c < b.c1; ++c)
        elements[r * cols + c] = static_cast<uint8_t>(p.special_element);
    return static_cast<uint8_t>(p.scale.nan_code(false));
  }

  const float bamax = f32_from_bits(amax);
  uint64_t scale = 0;
  int mx_shift = 0;                 // MX: elements are x * 2^mx_shift
  float te_c = 0.0f;                // nv_te: elements are fp32(x * c) * 2^-shift
  uint64_t s_odd = 0;               // nv_exact: value(s) = s_odd * 2^s_exp (0: zero)
  int s_exp = 0;
  switch (p.rule) {
    case ScaleRule::nv_te:
      scale = nv_te_scale(bamax, p.te);
      te_c = nv_te_multiplier(scale, p.te);
      break;
    case ScaleRule::nv_exact: {
      scale = nv_exact_scale(bamax, p.s_enc, p.max);
      const Unpacked s = unpack(p.scale, scale);
      s_odd = s.significand;
      s_exp = s.exponent + p.element_shift;
      while (s_odd != 0 && (s_odd & 1) == 0) s_odd >>= 1, ++s_exp;
      break;
    }
    default: {
      const int e = mx_scale_exponent(p.rule, amax, p.max);
      scale = static_cast<uint64_t>(e + p.scale.bias);
      mx_shift = -e - p.element_shift;
      break;
    }
  }

  const bool stochastic = p.spec.rounding == Rounding::stochastic;
  for (size_t r = b.r0; r < b.r1; ++r)
    for (size_t c = b.c0; c < b.c1; ++c) {
      const size_t i = r * cols + c;
      const uint32_t bits = f32_bits(x[i]);
      Unpacked v;
      if (p.rule == ScaleRule::nv_exact) {
        if (s_odd == 0) v.negative = (bits >> 31) != 0;  // value(s) = 0: a signed zero
        else v = exact_product_quotient(bits, f32_bits(p.s_enc), s_odd, s_exp);
      } else {
        v = unpack(fp32_format(),
                   p.rule == ScaleRule::nv_te ? f32_bits(f32_mul(x[i], te_c)) : bits);
        const int shift = p.rule == ScaleRule::nv_te ? -p.element_shift : mx_shift;
        if (v.value_class == ValueClass::normal || v.value_class == ValueClass::subnormal)
          v.exponent += shift;
      }
      const uint32_t rbits = stochastic ? block_rbits(p.sr_seed, i) : 0u;
      elements[i] = static_cast<uint8_t>(
          clamp_element(p, round_to_format(p.element, v, p.spec, rbits).code));
    }
  return static_cast<uint8_t>(scale);
}

// Dequantises the block `b` (scale code `scale`) into out (fp32, row-major).
PLUMB_HD inline void dequantize_block(const BlockPlan& p, const uint8_t* elements, uint64_t scale,
                                      size_t cols, const BlockRect& b, float* out) {
  const Unpacked s = unpack(p.scale, scale);
  const bool nan_scale = s.value_class == ValueClass::nan;
  // MX: y = fp32(value(q) * 2^shift * 2^e); NV: d = fp32(value(s) * g), y = fp32(value(q) * d).
  const int shift = p.element_shift + (p.nv ? 0 : s.exponent);
  const float d = p.nv && !nan_scale ? f32_mul(f32_of(s), p.te.g) : 0.0f;
  for (size_t r = b.r0; r < b.r1; ++r)
    for (size_t c = b.c0; c < b.c1; ++c) {
      const size_t i = r * cols + c;
      Unpacked q = unpack(p.element, elements[i]);
      uint32_t y = kF32CanonicalNaN;
      if (!nan_scale && q.value_class != ValueClass::nan) {
        if (q.value_class == ValueClass::normal || q.value_class == ValueClass::subnormal)
          q.exponent += shift;
        const float v = f32_of(q);
        y = f32_bits(p.nv ? f32_mul(v, d) : v);
        if (f32_is_nan(y)) y = kF32CanonicalNaN;
      }
      out[i] = f32_from_bits(y);
    }
}

}  // namespace plumb
