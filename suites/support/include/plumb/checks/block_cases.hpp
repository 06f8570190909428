// plumb checks: the input tensors of the block-quantisation suites
// (`plumb verify --suite block_formats`, suites/kernels/block_suites_test.cpp).
//
//  - distributions: seeded Gaussian, Laplace and Student-t(3) tensors of the
//    shapes 1x1, 3x17, 33x45, 16x48 and 64x64 (lengths that are and are not a
//    multiple of the block, and of the Hadamard group of 16);
//  - edge tensors, 32 x 32, aimed at a block format: every block of every
//    layout (rows, cols, tile_2d) holds one of the tensor's "pattern"
//    positions ((r + c) % 16 == 0), which carry the block's largest
//    magnitude, so each block sees the edge:
//    zeros (signed), +-infinity, NaN, amax a power of two, one fp32 ulp below
//    and above one, at the `even` rule's carry boundary, elements on exact
//    ties of the element grid after scaling, fp32 subnormals only, FLT_MAX,
//    block amaxes that land on ties of the ue4m3 scale (NV rules), a single
//    huge outlier.
//
// A case is reproducible from (format, seed) and its name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/block_format.hpp"

namespace plumb::checks {

struct BlockCase {
  std::string name;  // "gaussian_33x45", "edge_nan", ...
  size_t rows = 0, cols = 0;
  std::vector<float> x;  // rows x cols, row-major
};

// Seeded tensors from a distribution (the same for every format).
enum class BlockDistribution : uint8_t { gaussian, laplace, student_t3 };
std::vector<float> distribution_tensor(BlockDistribution d, size_t rows, size_t cols, uint64_t seed);

// The edge tensors for one block format (the ties depend on its element
// grid and, for the NV rules, on max_elem).
std::vector<BlockCase> block_edge_cases(const BlockFormat& format, uint64_t seed);
// Every distribution tensor, then the edge tensors.
std::vector<BlockCase> block_cases(const BlockFormat& format, uint64_t seed);

}  // namespace plumb::checks
