// plumb checks: the L-Mul suite `lmul`: its cells and its runner, shared by
// `plumb verify` and the Catch2 suites (docs/LMUL_SEMANTICS.md).
//
// Cells: elementwise, bit for bit against the exact reference, for every pair
// of codes of e4m3fn, e5m2, e4m3fnuz, e3m2fn, e2m1fn, e3m4 and for edge x edge
// + 20,000 seeded random pairs of bf16, fp16, fp32, e6m9, e8m13fn, under every
// LmulSpec (2 carries x 2 subnormal rules x 3 overflow policies; saturate only
// for the 8-bit formats other than e4m3fn and e5m2); dot (8 x k = 1000) and
// GEMM (9 x 7 x 300) within the fp32 accumulation bound for e4m3fn, e5m2,
// bf16, fp32 under the four saturate specs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "plumb/checks/lmul_check.hpp"

namespace plumb::checks {

inline constexpr const char* kLmulSuite = "lmul";
inline constexpr const char* kLmulSuiteDescription =
    "every L-Mul kernel against the exact (Boost cpp_rational) reference: elementwise bit for bit "
    "(all pairs of 8-bit codes; edge + random for wider formats; every carry / subnormal / overflow "
    "parameter), dot and GEMM within the fp32 accumulation bound";

struct LmulCell {
  enum Op { elementwise, dot, gemm } op = elementwise;
  FormatDesc format;
  LmulSpec spec;
};
std::vector<LmulCell> lmul_suite_cells();

struct LmulSuiteOptions {
  uint64_t seed = 1;
  std::vector<const kernels::LmulKernel*> kernels;
  // A planted kernel that no cell catches gets one failing verdict of its own.
  bool require_planted_caught = true;
  std::function<void(const Verdict&)> on_verdict;
};
// Runs every cell on every kernel (CUDA kernels without a GPU: one skipped
// verdict each); returns the number of cells.
size_t run_lmul_suite(const LmulSuiteOptions& options);

// The L-Mul kernels of the registry for a device ("" or "all": every device).
std::vector<const kernels::LmulKernel*> registry_lmul_kernels(const std::string& device);

}  // namespace plumb::checks
