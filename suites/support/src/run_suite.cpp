// plumb checks: running a named suite (see run_suite.hpp).
#include "plumb/checks/run_suite.hpp"
#include "plumb/checks/kernels_on_device.hpp"

namespace plumb::checks {

size_t run_conversion_suite(const std::string& suite, const RunOptions& o) {
  size_t cells = 0, cases = 0;
  // The second and third oracles, checked against MPFR on every cell they support.
  std::vector<const kernels::ConvertKernel*> oracles;
  for (const auto& k : oracle_kernels())
    if (std::string(k.name) == "boost" || std::string(k.name) == "table") oracles.push_back(&k);
  for_each_block(suite, o.plan, [&](const SuiteBlock& block) {
    for (const auto& to : block.targets) {
      for (const auto& spec : block.specs) {
        const Expected expected = oracle_results(Oracle::mpfr, *block.cases, to, spec, o.settings);
        for (const auto* k : o.kernels) o.on_verdict(check_convert(*k, *block.cases, to, spec, expected, o.settings));
        for (const auto* oracle : oracles) {
          if (!o.oracle_agreement) break;
          Verdict v = check_convert(*oracle, *block.cases, to, spec, expected, o.settings);
          // The table oracle's reach is narrow (<= 8-bit targets): no row where it does not apply.
          if (v.disposition == Disposition::not_supported) continue;
          v.suite = "oracle_agreement/" + v.suite;
          o.on_verdict(v);
        }
        ++cells;
        cases += block.cases->codes.size();
        if (o.on_progress) o.on_progress(cells, cases);
      }
    }
  });
  return cells;
}

std::vector<const kernels::ConvertKernel*> registry_kernels(const std::string& device) {
  return kernels_on_device(kernels::convert_kernels(), device);
}

}  // namespace plumb::checks
