// Helpers of the block-quantisation kernel suites (block_*_test.cpp): running a
// BlockKernel on a tensor, element values and quanta in double, transposes.
#pragma once

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "plumb/formats/block_names.hpp"
#include "plumb/formats/block_scale.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/kernels/block_kernel.hpp"

namespace plumb::block_test {

using kernels::BlockKernel;
using kernels::KernelStatus;

struct Quantized {
  KernelStatus status = KernelStatus::ok;
  std::string message;
  std::vector<uint8_t> elements, scales;
  float tensor_scale = 0.0f;
  size_t grid_rows = 0, grid_cols = 0;
};

inline const BlockKernel& block_kernel(const char* name) {
  const BlockKernel* k = kernels::find_block_kernel(name);
  INFO("block kernel " << name << " is not in the registry");
  REQUIRE(k != nullptr);
  return *k;
}

inline Quantized quantize(const BlockKernel& k, const BlockFormat& f, const BlockOptions& o,
                          const std::vector<float>& x, size_t rows, size_t cols) {
  Quantized q;
  const auto grid = kernels::scale_grid(f, o.layout, rows, cols);
  q.grid_rows = grid.rows;
  q.grid_cols = grid.cols;
  q.elements.assign(rows * cols, 0xAA);
  q.scales.assign(grid.rows * grid.cols, 0xAA);
  q.status = k.quantize(f, o, x.data(), rows, cols, q.elements.data(), q.scales.data(),
                        &q.tensor_scale, &q.message);
  return q;
}

// Quantises with cpu_block and REQUIREs success.
inline Quantized quantize_ok(const BlockFormat& f, const BlockOptions& o,
                             const std::vector<float>& x, size_t rows, size_t cols) {
  Quantized q = quantize(block_kernel("cpu_block"), f, o, x, rows, cols);
  INFO(block_format_name(f) << " " << block_layout_name(o.layout) << ": " << q.message);
  REQUIRE(q.status == KernelStatus::ok);
  return q;
}

inline std::vector<float> dequantize_ok(const BlockFormat& f, const BlockOptions& o,
                                        const Quantized& q, size_t rows, size_t cols) {
  std::vector<float> y(rows * cols, -1.0f);
  std::string message;
  const auto st = block_kernel("cpu_block").dequantize(f, o, q.elements.data(), q.scales.data(),
                                                       q.tensor_scale, rows, cols, y.data(), &message);
  INFO(message);
  REQUIRE(st == KernelStatus::ok);
  return y;
}

// Exact value of an element code (times 2^element_shift).
inline double element_value(const BlockFormat& f, uint64_t code) {
  return std::ldexp(decode(f.element, code), f.element_shift);
}

// Largest element value (integers: the symmetric maximum).
inline double max_element(const BlockFormat& f) {
  return element_value(f, f.element.max_finite_code());
}

// The element grid's spacing at value v (in element values, shift included).
inline double element_quantum(const BlockFormat& f, double v) {
  if (f.element.is_integer()) return std::ldexp(1.0, f.element_shift);
  const double u = std::fabs(std::ldexp(v, -f.element_shift));
  const int e = u == 0 ? f.element.min_exponent() : std::max(std::ilogb(u), f.element.min_exponent());
  return std::ldexp(1.0, e - f.element.mbits + f.element_shift);
}

// The block (grid row, grid col) that element (r, c) belongs to, written from
// the specification's layout text.
inline std::pair<size_t, size_t> block_of(BlockLayout layout, int block, size_t r, size_t c) {
  const size_t b = static_cast<size_t>(block);
  switch (layout) {
    case BlockLayout::rows: return {r, c / b};
    case BlockLayout::cols: return {r / b, c};
    default: return {r / 16, c / 16};
  }
}

template <typename T>
std::vector<T> transpose(const std::vector<T>& a, size_t rows, size_t cols) {
  std::vector<T> t(a.size());
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) t[c * rows + r] = a[r * cols + c];
  return t;
}

inline bool same_bits(float a, float b) { return f32_bits(a) == f32_bits(b); }

}  // namespace plumb::block_test
