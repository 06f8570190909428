// plumb reference, block oracle: the random Hadamard transform of
// docs/BLOCK_SEMANTICS.md, its butterflies emulated as binary32 operations in
// MPFR (mpfr_fp32.hpp). Private to the block oracle.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "plumb/formats/block_format.hpp"

namespace plumb::reference::block_oracle {

// The sign vector: bit j set means s_j = -1 (j = 0..15).
uint16_t hadamard_signs(uint64_t hadamard_seed);

// Throws std::invalid_argument, naming the length, when the length along the
// layout's block direction (cols for rows and tile_2d, rows for cols) is not
// a multiple of 16.
void check_hadamard_length(size_t rows, size_t cols, BlockLayout layout);

// Transforms every group of 16 consecutive elements along the block
// direction of the rows x cols row-major tensor x, in place: forward
// (y = (1/4) H16 D x, quantisation) or inverse (dequantisation).
void hadamard_tensor(std::vector<float>& x, size_t rows, size_t cols, BlockLayout layout,
                     uint64_t hadamard_seed, bool inverse);

}  // namespace plumb::reference::block_oracle
