// plumb harness: the exhaustive_fp32 suite (see gpu_sweep_suite.hpp). Built
// only with CUDA; the CPU-only build has the inline skip in the header.
#include "gpu_sweep_suite.hpp"

#include <algorithm>
#include <cstdio>

#include "plumb/checks/check_convert.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/kernels/convert_kernel.hpp"
#include "plumb/kernels/cuda_sweep.hpp"

namespace plumb::harness {

namespace {

constexpr int kSrBits = 8;  // k of the stochastic sweeps

checks::Verdict sweep_verdict(const FormatDesc& to, const RoundingSpec& spec, uint64_t seed, bool planted) {
  namespace kc = kernels::cuda;
  checks::Verdict v;
  v.suite = kExhaustiveFp32Suite;
  v.kernel = planted ? "cuda_planted_ties_away" : "cuda_plumb";
  v.device = "cuda";
  v.from = formats::fp32;
  v.to = to;
  v.spec = spec;
  v.expected_failure = planted;
  const kc::SweepResult r = kc::exhaustive_fp32_sweep(to, spec, seed, planted);
  v.seconds = r.seconds;
  if (!r.ok) {
    v.disposition = checks::Disposition::kernel_error;
    v.message = r.error;
    return v;
  }
  v.cases = r.cases;
  v.mismatches = r.mismatches;
  v.flag_mismatches = r.flag_mismatches;
  v.max_ulp = r.max_ulp;
  for (const auto& c : r.counterexamples)
    v.counterexamples.push_back({c.input, c.rbits, c.got, c.got_flags, c.expected, c.expected_flags});
  v.disposition = r.mismatches == 0 ? checks::Disposition::passed : checks::Disposition::incorrect;
  v.message = "every fp32 code on the GPU against the table oracle";
  if (spec.rounding == Rounding::stochastic)
    v.message += "; rbits = sweep_rbits(" + std::to_string(seed) + ", input)";
  return v;
}

}  // namespace

void run_exhaustive_fp32_suite(const SweepSuiteOptions& options, std::vector<checks::Verdict>& verdicts) {
  if (kernels::cuda_device_count() == 0) {
    checks::Verdict v = exhaustive_fp32_skipped("no usable CUDA device (no GPU, no driver or an insufficient driver)");
    if (!options.plumb) v.kernel = "cuda_nv_intrinsics";
    verdicts.push_back(std::move(v));
    return;
  }
  double total = 0, slowest = 0;
  std::string slowest_name;
  size_t sweeps = 0, planted = 0, caught = 0, errors = 0;
  auto add = [&](checks::Verdict v) {
    ++sweeps;
    total += v.seconds;
    errors += v.disposition == checks::Disposition::kernel_error;
    if (v.seconds > slowest) slowest = v.seconds, slowest_name = checks::describe(v);
    if (v.expected_failure) ++planted, caught += v.disposition == checks::Disposition::incorrect && !v.counterexamples.empty();
    if (options.on_progress) options.on_progress(sweeps, sweeps * kernels::cuda::kSweepCases);
    verdicts.push_back(std::move(v));
  };
  const std::vector<RoundingSpec> specs = checks::all_rounding_specs(kSrBits);
  for (const auto& named : named_formats()) {
    if (named.desc.bits() > 8) continue;
    if (options.plumb)
      for (const RoundingSpec& spec : specs) add(sweep_verdict(named.desc, spec, options.seed, false));
    if (options.nv_intrinsics)
      for (const RoundingSpec& spec : specs)
        if (nv_sweep_cell(named.desc, spec)) add(nv_sweep_verdict(named.desc, spec));
    if (options.with_planted)
      add(sweep_verdict(named.desc, {Rounding::nearest_even, Overflow::saturate, 0}, options.seed, true));
  }
  // Each planted sweep only has to catch the bug where its format has ties
  // that the two modes round apart (ue8m0 has none); but some sweep must.
  if (planted > 0 && caught == 0) {
    checks::Verdict v = exhaustive_fp32_skipped("");
    v.kernel = "cuda_planted_ties_away";
    v.disposition = checks::Disposition::incorrect;
    v.message = "the planted bug cuda_planted_ties_away was NOT caught by any exhaustive sweep";
    verdicts.push_back(v);
  }
  std::fprintf(stderr,
               "[%s] %zu sweeps of 2^32 fp32 codes (%zu planted, %zu caught, %zu errors): %.2f s of GPU time "
               "in all, %.3f s per sweep on average, slowest %.3f s (%s)\n",
               kExhaustiveFp32Suite, sweeps, planted, caught, errors, total, sweeps ? total / sweeps : 0.0,
               slowest, slowest_name.c_str());
}

}  // namespace plumb::harness
