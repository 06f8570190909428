// plumb checks: the L-Mul suite (see lmul_suite.hpp).
#include "plumb/checks/lmul_suite.hpp"
#include "plumb/checks/kernels_on_device.hpp"

namespace plumb::checks {
namespace {

std::vector<LmulSpec> specs(bool every_overflow) {
  std::vector<LmulSpec> list;
  for (LmulCarry c : {LmulCarry::paper, LmulCarry::int_add})
    for (LmulSubnormals s : {LmulSubnormals::flush, LmulSubnormals::gradual})
      for (Overflow o : {Overflow::saturate, Overflow::infinity, Overflow::nan})
        if (every_overflow || o == Overflow::saturate) list.push_back({c, s, o});
  return list;
}

}  // namespace

std::vector<LmulCell> lmul_suite_cells() {
  std::vector<LmulCell> cells;
  for (const FormatDesc f : {formats::e4m3fn, formats::e5m2, formats::e4m3fnuz, formats::e3m2fn,
                             formats::e2m1fn, float_format(3, 4, Encoding::ieee)})
    for (const LmulSpec& s : specs(f == formats::e4m3fn || f == formats::e5m2))
      cells.push_back({LmulCell::elementwise, f, s});
  for (const FormatDesc f : {formats::bf16, formats::fp16, formats::fp32, float_format(6, 9, Encoding::ieee),
                             float_format(8, 13, Encoding::fn)})
    for (const LmulSpec& s : specs(true)) cells.push_back({LmulCell::elementwise, f, s});
  for (const FormatDesc f : {formats::e4m3fn, formats::e5m2, formats::bf16, formats::fp32})
    for (const LmulSpec& s : specs(false)) {
      cells.push_back({LmulCell::dot, f, s});
      cells.push_back({LmulCell::gemm, f, s});
    }
  return cells;
}

size_t run_lmul_suite(const LmulSuiteOptions& o) {
  const auto cells = lmul_suite_cells();
  const bool gpu = kernels::cuda_device_count() > 0;
  for (const auto* k : o.kernels) {
    if (k->device == kernels::Device::cuda && !gpu) {
      Verdict v;
      v.suite = kLmulSuite;
      v.kernel = k->name;
      v.device = "cuda";
      v.op = "lmul";
      v.label = "all cells";
      v.disposition = Disposition::skipped;
      v.message = "no usable CUDA device";
      o.on_verdict(v);
      continue;
    }
    bool caught = false;
    for (const auto& c : cells) {
      Verdict v;
      switch (c.op) {
        case LmulCell::elementwise:
          v = check_lmul_elementwise(*k, c.format, c.spec, lmul_pairs(c.format, o.seed, 20000));
          break;
        case LmulCell::dot: v = check_lmul_dot(*k, c.format, c.spec, 1000, 8, o.seed); break;
        case LmulCell::gemm: v = check_lmul_gemm(*k, c.format, c.spec, 9, 7, 300, o.seed); break;
      }
      v.suite = kLmulSuite;
      for (auto& ce : v.counterexamples)
        ce.command = std::string("plumb verify --suite lmul --kernel ") + k->name + " --seed " + std::to_string(o.seed);
      caught |= v.disposition == Disposition::incorrect;
      o.on_verdict(v);
    }
    if (k->planted_bug && o.require_planted_caught && !caught)
      o.on_verdict(planted_not_caught(kLmulSuite, k->name, kernels::device_name(k->device), "lmul"));
  }
  return cells.size();
}

std::vector<const kernels::LmulKernel*> registry_lmul_kernels(const std::string& device) {
  return kernels_on_device(kernels::lmul_kernels(), device);
}

}  // namespace plumb::checks
