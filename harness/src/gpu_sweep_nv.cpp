// plumb harness: the exhaustive_fp32 cells of cuda_nv_intrinsics (see
// gpu_sweep_suite.hpp): NVIDIA's intrinsics over all 2^32 fp32 codes, the
// differences counted per class on the GPU and judged on the host by the
// shared classifier (checks::judge_device_class_tallies).
#include <string>
#include <vector>

#include "gpu_sweep_suite.hpp"
#include "plumb/checks/vendor_sweep.hpp"
#include "plumb/kernels/cuda_nv_sweep.hpp"

namespace plumb::harness {

namespace {
constexpr size_t kMaxCounterexamples = 16;
}

bool nv_sweep_cell(const FormatDesc& to, const RoundingSpec& spec) {
  return kernels::cuda::nv_sweep_offered(to, spec, nullptr);
}

checks::Verdict nv_sweep_verdict(const FormatDesc& to, const RoundingSpec& spec) {
  namespace kc = kernels::cuda;
  checks::Verdict v;
  v.suite = kExhaustiveFp32Suite;
  v.kernel = "cuda_nv_intrinsics";
  v.device = "cuda";
  v.from = formats::fp32;
  v.to = to;
  v.spec = spec;
  const kc::NvSweepResult r = kc::nv_intrinsics_fp32_sweep(to, spec);
  v.seconds = r.seconds;
  if (!r.ok) {
    v.disposition = checks::Disposition::kernel_error;
    v.message = r.error;
    return v;
  }
  v.cases = r.cases;
  std::vector<checks::DeviceClassTally> tallies;
  for (int c = 0; c < kernels::kNvSweepClasses; ++c) {
    checks::DeviceClassTally t{kernels::kNvSweepClassNames[c], r.classes[c].count, {}};
    for (const auto& e : r.classes[c].examples)
      t.examples.push_back({e.input, 0, e.got, 0, e.expected, e.expected_flags});
    tallies.push_back(std::move(t));
  }
  checks::judge_device_class_tallies(v, tallies, r.max_ulp, kMaxCounterexamples);
  v.message = "every fp32 code on the GPU against the table oracle, differences classed on the GPU" +
              (v.message.empty() ? std::string() : "; " + v.message);
  return v;
}

}  // namespace plumb::harness
