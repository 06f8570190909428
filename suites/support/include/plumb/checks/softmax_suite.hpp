// plumb checks: the softmax suite `softmax` (docs/SOFTMAX_SEMANTICS.md): every
// softmax kernel against the MPFR reference on every case of softmax_cases,
// for each input/output format the kernel's device takes (CPU: fp32; CUDA:
// fp32, bf16, fp16). Shared by `plumb verify` and the Catch2 suites.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "plumb/checks/softmax_check.hpp"

namespace plumb::checks {

inline constexpr const char* kSoftmaxSuite = "softmax";
inline constexpr const char* kSoftmaxSuiteDescription =
    "every softmax kernel against the MPFR reference (correctly rounded): special rows, the [90, 100] "
    "overflow trap, all-equal, length 1, Gaussian, wide, sorted, a 10^5 row; bound per algorithm";

struct SoftmaxSuiteOptions {
  uint64_t seed = 1;
  size_t long_cols = 100000;  // the long_row case
  std::vector<const kernels::SoftmaxKernel*> kernels;
  // A planted kernel that no cell catches gets one failing verdict of its own.
  bool require_planted_caught = true;
  std::function<void(const Verdict&)> on_verdict;
  std::function<void(size_t cells_done, size_t cases_done)> on_progress;  // may be empty
};

// Runs every cell; returns the number of cells. CUDA kernels without a GPU
// give skipped verdicts that say so.
size_t run_softmax_suite(const SoftmaxSuiteOptions& options);

// The softmax kernels of the registry for a device ("" or "all": every device).
std::vector<const kernels::SoftmaxKernel*> registry_softmax_kernels(const std::string& device);

}  // namespace plumb::checks
