// plumb checks: run one named conversion suite over a set of kernels.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "plumb/checks/suite_plan.hpp"

namespace plumb::checks {

struct RunOptions {
  PlanOptions plan;
  CheckSettings settings;
  std::vector<const kernels::ConvertKernel*> kernels;  // checked against the MPFR oracle
  bool oracle_agreement = true;  // also check the Boost and table oracles against MPFR, every cell
  std::function<void(const Verdict&)> on_verdict;
  std::function<void(size_t cells_done, size_t cases_done)> on_progress;  // may be empty
};

// Every cell of the suite: MPFR results once per cell, then each kernel (and
// the Boost and table oracles) compared with them. Returns the number of cells run.
size_t run_conversion_suite(const std::string& suite, const RunOptions& options);

// The kernels of the registry for a device ("" or "all": every device).
std::vector<const kernels::ConvertKernel*> registry_kernels(const std::string& device);

}  // namespace plumb::checks
