// plumb formats: block-scaled quantisation of a whole rows x cols fp32 tensor on
// the host (the cpu_block kernel): validation, the Hadamard pass, the tensor
// amax of the NV rules, then block_quantize.hpp's quantize_block on every block.
// The data layout is docs/BLOCK_SEMANTICS.md's (and kernels/block_kernel.hpp's):
// elements rows x cols bytes, scales one byte per block, row-major over the grid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/block_names.hpp"
#include "plumb/formats/block_quantize.hpp"
#include "plumb/formats/hadamard.hpp"

namespace plumb {

// What is wrong with quantising a rows x cols tensor with these arguments;
// empty when nothing. The kernels call it before doing anything.
inline std::string block_problem(const BlockFormat& f, const BlockOptions& o, size_t rows,
                                 size_t cols) {
  std::string p = block_format_problem(f);
  if (p.empty()) p = block_options_problem(o);
  if (!p.empty()) return p;
  if (rows < 1 || cols < 1)
    return "a block-scaled tensor needs rows >= 1 and cols >= 1, not " + std::to_string(rows) +
           " x " + std::to_string(cols);
  if (o.hadamard) {
    const size_t len = hadamard_length(o.layout, rows, cols);
    if (len % kHadamardSize != 0)
      return std::string("the Hadamard transform runs along the block direction (layout ") +
             block_layout_name(o.layout) + ": " + (o.layout == BlockLayout::cols ? "rows" : "cols") +
             " = " + std::to_string(len) + "), whose length must be a multiple of 16";
  }
  return {};
}

// The forward (or inverse) transform of every group of 16, in place. Inverse
// outputs that are NaN become the canonical 0x7FC00000.
inline void hadamard_tensor(float* x, size_t rows, size_t cols, BlockLayout layout, uint64_t seed,
                            bool inverse) {
  const uint32_t signs = hadamard_sign_word(seed);
  const size_t groups = rows * cols / kHadamardSize;
  for (size_t g = 0; g < groups; ++g) {
    const HadamardGroup h = hadamard_group(layout, rows, cols, g);
    hadamard16_group(x + h.offset, h.stride, signs, inverse);
  }
  if (inverse)
    for (size_t i = 0; i < rows * cols; ++i)
      if (f32_is_nan(f32_bits(x[i]))) x[i] = f32_from_bits(kF32CanonicalNaN);
}

// The largest finite magnitude of n floats (0 when none is finite and nonzero).
inline float finite_amax(const float* x, size_t n) {
  uint32_t m = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t a = f32_bits(x[i]) & 0x7FFFFFFFu;
    if (a < 0x7F800000u && a > m) m = a;
  }
  return f32_from_bits(m);
}

// Quantises x; returns an empty string, or what is wrong (nothing written).
inline std::string quantize_tensor(const BlockFormat& f, const BlockOptions& o, const float* x,
                                   size_t rows, size_t cols, uint8_t* elements, uint8_t* scales,
                                   float* tensor_scale) {
  std::string problem = block_problem(f, o, rows, cols);
  if (!problem.empty()) return problem;
  std::vector<float> transformed;
  if (o.hadamard) {
    transformed.assign(x, x + rows * cols);
    hadamard_tensor(transformed.data(), rows, cols, o.layout, o.hadamard_seed, false);
    x = transformed.data();
  }
  BlockPlan plan = make_block_plan(f, o);
  const float s_enc =
      block_tensor_scale(f, plan, plan.nv && f.tensor_scale ? finite_amax(x, rows * cols) : 0.0f);
  plan_tensor_scale(plan, s_enc);
  if (tensor_scale) *tensor_scale = s_enc;
  const BlockGridShape grid = block_grid(o.layout, f.block_size, rows, cols);
  for (size_t br = 0; br < grid.rows; ++br)
    for (size_t bc = 0; bc < grid.cols; ++bc)
      scales[br * grid.cols + bc] = quantize_block(
          plan, x, cols, block_rect(o.layout, f.block_size, rows, cols, br, bc), elements);
  return {};
}

// Dequantises into out (rows x cols fp32); returns an empty string, or what is
// wrong (nothing written).
inline std::string dequantize_tensor(const BlockFormat& f, const BlockOptions& o,
                                     const uint8_t* elements, const uint8_t* scales,
                                     float tensor_scale, size_t rows, size_t cols, float* out) {
  std::string problem = block_problem(f, o, rows, cols);
  if (!problem.empty()) return problem;
  BlockPlan plan = make_block_plan(f, o);
  plan_tensor_scale(plan, tensor_scale);
  const BlockGridShape grid = block_grid(o.layout, f.block_size, rows, cols);
  for (size_t br = 0; br < grid.rows; ++br)
    for (size_t bc = 0; bc < grid.cols; ++bc)
      dequantize_block(plan, elements, scales[br * grid.cols + bc], cols,
                       block_rect(o.layout, f.block_size, rows, cols, br, bc), out);
  if (o.hadamard) hadamard_tensor(out, rows, cols, o.layout, o.hadamard_seed, true);
  return {};
}

}  // namespace plumb
