// plumb checks: the block-quantisation suite `block_formats`: its cells and
// its runner, shared by `plumb verify` and the Catch2 suites.
//
// Cells: the 8 named block formats x every rule their scale allows (MX:
// floor, ceil, even, rceil; NV: nv_te, nv_exact) x layouts rows, cols,
// tile_2d x Hadamard off/on x nearest_even / stochastic (k = 8, 32 and 3 by
// layout), each on every case of block_cases(format, seed). The MPFR oracle
// runs once per cell; every kernel is compared with it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "plumb/checks/check_block.hpp"

namespace plumb::checks {

inline constexpr const char* kBlockSuite = "block_formats";
inline constexpr const char* kBlockSuiteDescription =
    "every block kernel against the MPFR block oracle: 8 block formats x rules x layouts x Hadamard x RNE/SR, "
    "bit for bit (scales, tensor scale, elements, dequantisation)";

std::vector<BlockCell> block_suite_cells(uint64_t seed);

struct BlockSuiteOptions {
  uint64_t seed = 1;
  unsigned threads = 0;  // for the oracle; 0: all cores
  std::vector<const kernels::BlockKernel*> kernels;
  size_t max_counterexamples = 4;
  // A planted kernel that no cell catches gets one failing verdict of its own.
  bool require_planted_caught = true;
  std::function<void(const Verdict&)> on_verdict;
  std::function<void(size_t cells_done, size_t cases_done)> on_progress;  // may be empty
};

// Runs every cell; returns the number of cells.
size_t run_block_suite(const BlockSuiteOptions& options);

// The block kernels of the registry for a device ("" or "all": every device).
std::vector<const kernels::BlockKernel*> registry_block_kernels(const std::string& device);

}  // namespace plumb::checks
