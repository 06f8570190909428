// plumb checks: run a block quantisation kernel on block cases and compare
// it, bit for bit, with the MPFR block oracle (reference/.../block_reference.hpp):
// every scale code, the tensor scale, every element code, and the kernel's
// dequantisation of the oracle's codes (NaN equals NaN, -0 differs from +0).
// Used by the Catch2 suites and `plumb verify --suite block_formats`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plumb/checks/block_cases.hpp"
#include "plumb/checks/verdict.hpp"
#include "plumb/kernels/block_kernel.hpp"
#include "plumb/reference/block_reference.hpp"

namespace plumb::checks {

// One cell: a block format (a named one, its rule possibly changed) and the options.
struct BlockCell {
  std::string format_name;  // "mxfp4", "nvfp4", ...
  BlockFormat format;
  BlockOptions options;
};
// "mxfp4 floor": the verdict's label (one table row per format and rule).
std::string block_cell_label(const BlockCell& cell);
// "layout rows, hadamard seed 7, stochastic k=8 seed 1": the rest of the cell.
std::string block_cell_options(const BlockCell& cell);

// The oracle's answer for one case: the codes and their dequantisation, or
// the refusal (std::invalid_argument) of an input the specification rejects.
struct BlockExpected {
  bool refused = false;
  std::string refusal;
  reference::BlockQuantized q;
  std::vector<float> dequantized;  // mpfr_block_dequantize of q's codes
};

// The oracle's answers for every case of a cell, on `threads` threads (0:
// all cores).
std::vector<BlockExpected> block_reference_results(const BlockCell& cell, const std::vector<BlockCase>& cases,
                                                   unsigned threads);

struct BlockCheckSettings {
  uint64_t seed = 1;               // the suite seed, quoted in the reproduction command
  size_t max_counterexamples = 4;
  std::string suite = "block_formats";
};

// Runs the kernel on every case and compares with `expected`. Cases counted:
// one per block, plus one per tensor (its tensor scale); a refused case
// counts once and passes when the kernel refuses it too (any status but ok).
// A CUDA kernel without a GPU is skipped; not_supported on any accepted case
// makes the cell not_supported.
Verdict check_block(const kernels::BlockKernel& kernel, const BlockCell& cell, const std::vector<BlockCase>& cases,
                    const std::vector<BlockExpected>& expected, const BlockCheckSettings& settings);

// The elements (row-major indices) of block `block` of a layout.
std::vector<size_t> block_element_indices(const BlockFormat& format, BlockLayout layout, size_t rows, size_t cols,
                                          size_t block);

}  // namespace plumb::checks
