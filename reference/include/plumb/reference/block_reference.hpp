// plumb reference: the MPFR oracle for block-scaled quantisation. It follows
// docs/BLOCK_SEMANTICS.md and shares nothing with formats/block_quantize.hpp
// but the BlockFormat/BlockOptions fields and the FormatDesc description
// fields: amax, scales, the fp32 operation sequences of the NV rules, the
// Hadamard butterflies and every element rounding are computed with MPFR.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/block_format.hpp"

namespace plumb::reference {

struct BlockQuantized {
  std::vector<uint8_t> elements;  // rows x cols codes, row-major
  std::vector<uint8_t> scales;    // the block grid, row-major
  float tensor_scale = 1.0f;      // S_enc, 1 without a tensor scale
};

// Throws std::invalid_argument for options the specification rejects (for
// example a Hadamard transform along a length that is not a multiple of 16).
BlockQuantized mpfr_block_quantize(const BlockFormat& format, const BlockOptions& options,
                                   const float* x, size_t rows, size_t cols);
std::vector<float> mpfr_block_dequantize(const BlockFormat& format, const BlockOptions& options,
                                         const uint8_t* elements, const uint8_t* scales,
                                         float tensor_scale, size_t rows, size_t cols);

}  // namespace plumb::reference
