// plumb checks: the softmax suite runner (softmax_suite.hpp).
#include "plumb/checks/softmax_suite.hpp"
#include "plumb/checks/kernels_on_device.hpp"

#include <map>
#include <set>

namespace plumb::checks {

std::vector<const kernels::SoftmaxKernel*> registry_softmax_kernels(const std::string& device) {
  return kernels_on_device(kernels::softmax_kernels(), device);
}

size_t run_softmax_suite(const SoftmaxSuiteOptions& o) {
  const bool gpu = kernels::cuda_device_count() > 0;
  const auto cases = softmax_cases(o.seed, o.long_cols);
  std::set<std::string> planted_ran, planted_caught;
  size_t cells = 0, done_cases = 0;
  for (const auto& io : {formats::fp32, formats::bf16, formats::fp16}) {
    const std::string io_name = io == formats::fp32 ? "fp32" : io == formats::bf16 ? "bf16" : "fp16";
    std::vector<const kernels::SoftmaxKernel*> ks;  // CPU kernels take fp32 only
    for (const auto* k : o.kernels)
      if (io == formats::fp32 || k->device == kernels::Device::cuda) ks.push_back(k);
    if (ks.empty()) continue;
    for (const auto& c : cases) {
      std::map<bool, reference::SoftmaxReference> ref;
      for (const auto* k : ks) {
        Verdict v;
        if (k->device == kernels::Device::cuda && !gpu) {
          v.suite = kSoftmaxSuite, v.kernel = k->name, v.device = "cuda", v.op = "softmax";
          v.label = c.name + " " + io_name;
          v.from = v.to = io;
          v.expected_failure = k->planted_bug;
          v.disposition = Disposition::skipped;
          v.message = "no usable CUDA device";
        } else {
          if (!ref.count(k->safe)) ref[k->safe] = softmax_reference(c, k->safe, io);
          v = check_softmax(*k, c, ref[k->safe], nullptr, io);
          v.suite = kSoftmaxSuite;
          v.label += " " + io_name;
          for (auto& ce : v.counterexamples) ce.command += " --seed " + std::to_string(o.seed);
          if (k->planted_bug && v.cases) {
            planted_ran.insert(k->name);
            if (v.disposition == Disposition::incorrect) planted_caught.insert(k->name);
          }
        }
        ++cells;
        done_cases += v.cases;
        if (o.on_verdict) o.on_verdict(v);
        if (o.on_progress) o.on_progress(cells, done_cases);
      }
    }
  }
  for (const auto& name : planted_ran) {
    if (!o.require_planted_caught || planted_caught.count(name)) continue;
    const auto* k = kernels::find_softmax_kernel(name);
    if (o.on_verdict)
      o.on_verdict(planted_not_caught(kSoftmaxSuite, name, k ? kernels::device_name(k->device) : "cpu",
                                      "softmax"));
  }
  return cells;
}

}  // namespace plumb::checks
