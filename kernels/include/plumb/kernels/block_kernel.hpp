// plumb kernels: the interface every block quantise/dequantise kernel under
// test implements, and its registry (kernels/registry/block.inc and
// block_cuda.inc), read by suites, benches and `plumb` alike.
//
// Data layout (docs/BLOCK_SEMANTICS.md): x is a rows x cols row-major fp32
// tensor; elements are rows x cols codes, one per byte, row-major (4- and
// 6-bit codes unpacked, in the low bits); scales are one code per block, one
// byte each, row-major over the block grid (scale_grid below). tensor_scale
// is S_enc (fp32) for formats with a tensor scale, else 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/block_format.hpp"
#include "plumb/kernels/convert_kernel.hpp"

namespace plumb::kernels {

struct BlockGrid {
  size_t rows = 0, cols = 0;  // scales: rows x cols codes
};
inline BlockGrid scale_grid(const BlockFormat& f, BlockLayout layout, size_t rows, size_t cols) {
  const auto up = [](size_t n, size_t d) { return (n + d - 1) / d; };
  switch (layout) {
    case BlockLayout::rows: return {rows, up(cols, f.block_size)};
    case BlockLayout::cols: return {up(rows, f.block_size), cols};
    default: return {up(rows, 16), up(cols, 16)};
  }
}

// Host arrays in and out. elements: rows*cols bytes; scales: grid bytes.
using QuantizeFn = KernelStatus (*)(const BlockFormat& format, const BlockOptions& options,
                                    const float* x, size_t rows, size_t cols, uint8_t* elements,
                                    uint8_t* scales, float* tensor_scale, std::string* message);
using DequantizeFn = KernelStatus (*)(const BlockFormat& format, const BlockOptions& options,
                                      const uint8_t* elements, const uint8_t* scales,
                                      float tensor_scale, size_t rows, size_t cols, float* out,
                                      std::string* message);

struct BlockKernel {
  const char* name;
  Device device;
  const char* description;
  QuantizeFn quantize;
  DequantizeFn dequantize;
  bool planted_bug;
};

const std::vector<BlockKernel>& block_kernels();
const BlockKernel* find_block_kernel(const std::string& name);

}  // namespace plumb::kernels
