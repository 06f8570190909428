// plumb harness: the exhaustive_fp32 suite of plumb verify, a GPU-only suite.
// Every fp32 code (2^32) into every named format of at most 8 bits, under
// every rounding mode (stochastic with k = 8) and overflow policy, on the GPU,
// against the table oracle (kernels/include/plumb/kernels/cuda_sweep.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "plumb/checks/verdict.hpp"

namespace plumb::harness {

inline constexpr const char* kExhaustiveFp32Suite = "exhaustive_fp32";

// The suite's one verdict when it does not run, saying why.
inline checks::Verdict exhaustive_fp32_skipped(const std::string& why) {
  checks::Verdict v;
  v.suite = kExhaustiveFp32Suite;
  v.kernel = "cuda_plumb";
  v.device = "cuda";
  v.from = formats::fp32;
  v.to = formats::fp32;  // no one target: the suite as a whole
  v.disposition = checks::Disposition::skipped;
  v.message = why;
  return v;
}

struct SweepSuiteOptions {
  uint64_t seed = 1;         // the stochastic-rounding bits are sweep_rbits(seed, input)
  bool with_planted = true;  // also one planted ties-away sweep per format
  bool plumb = true;         // the cuda_plumb cells
  bool nv_intrinsics = true;  // the cuda_nv_intrinsics cells: every conversion NVIDIA offers (gpu_sweep_nv.cpp)
  std::function<void(size_t sweeps_done, uint64_t cases_done)> on_progress;  // may be empty
};

#if defined(PLUMB_HAVE_CUDA)
// Appends one verdict per sweep (suite exhaustive_fp32, kernel cuda_plumb,
// cuda_nv_intrinsics for the conversions NVIDIA offers, or
// cuda_planted_ties_away with expected_failure for the planted sweeps; a
// failing verdict when no planted sweep caught the bug); without a GPU, one
// skipped verdict. Prints the total seconds of all sweeps to stderr.
void run_exhaustive_fp32_suite(const SweepSuiteOptions& options, std::vector<checks::Verdict>& verdicts);
// cuda_nv_intrinsics: whether NVIDIA offers fp32 -> to under spec, and its
// sweep's verdict (differences counted per class on the GPU, the documented
// ones listed in Verdict::differences; any other class fails the cell).
bool nv_sweep_cell(const FormatDesc& to, const RoundingSpec& spec);
checks::Verdict nv_sweep_verdict(const FormatDesc& to, const RoundingSpec& spec);
#else
inline void run_exhaustive_fp32_suite(const SweepSuiteOptions&, std::vector<checks::Verdict>& verdicts) {
  verdicts.push_back(exhaustive_fp32_skipped("CUDA kernels were not built (no nvcc at build time)"));
}
#endif

}  // namespace plumb::harness
