// plumb harness: `plumb verify --plugin` (plugin_verify.hpp).
#include "plugin_verify.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "plumb/checks/block_suite.hpp"
#include "plumb/checks/gemm_suite.hpp"
#include "plumb/checks/lmul_suite.hpp"
#include "plumb/checks/softmax_suite.hpp"
#include "plumb/checks/suite_plan.hpp"

namespace plumb::harness {

PluginVerifyOptions plugin_verify_options(const CliArgs& a) {
  PluginVerifyOptions o;
  o.paths = a.values("plugin");
  o.only_plugins = a.has("only-plugins");
  o.isolation.in_process = a.has("plugin-in-process");
  if (const auto t = a.value("plugin-timeout")) {
    char* end = nullptr;
    const double s = std::strtod(t->c_str(), &end);
    if (t->empty() || *end != 0 || !std::isfinite(s) || s <= 0 || s > 86400)
      throw std::runtime_error("--plugin-timeout: expected seconds in (0, 86400], got '" + *t + "'");
    o.isolation.timeout_seconds = s;
  }
  if (o.only_plugins && o.paths.empty()) throw std::runtime_error("--only-plugins needs at least one --plugin");
  return o;
}

const PluginRegistry& load_verify_plugins(const PluginVerifyOptions& o) {
  for (const auto& path : o.paths) {
    const LoadedPlugin& p = keep_plugin(path);
    register_plugin(p, o.isolation);
    std::fprintf(stderr, "plumb verify: plugin %s (ABI %u): %zu kernels:", path.c_str(), p.abi_version,
                 p.kernels.size());
    for (const auto& k : p.kernels) std::fprintf(stderr, " %s (%s)", k.desc.name, plugin_op_name(k.desc.op));
    std::fprintf(stderr, "\n");
  }
  return plugin_registry();
}

std::vector<std::string> plugin_suites(const PluginRegistry& r) {
  std::vector<std::string> suites;
  if (!r.convert.empty()) {
    for (const auto& s : checks::conversion_suites()) suites.push_back(s.name);
    suites.push_back("round_trip");
    suites.push_back("stochastic_statistics");
  }
  if (!r.block.empty()) suites.push_back(checks::kBlockSuite);
  if (!r.softmax.empty()) suites.push_back(checks::kSoftmaxSuite);
  if (!r.lmul.empty()) suites.push_back(checks::kLmulSuite);
  if (!r.gemm.empty()) suites.push_back(checks::kGemmSuite);
  return suites;
}

void point_repro_at_plugin(checks::Verdict& v, uint64_t seed) {
  for (const auto* k : plugin_registry().sources) {
    if (v.kernel != k->desc.name) continue;
    const std::string path = std::filesystem::absolute(k->plugin_path).string();
    const std::string suite = v.suite.substr(0, v.suite.find('/'));
    for (auto& c : v.counterexamples)
      if (c.command.empty())
        c.command = "plumb verify --plugin " + path + " --only-plugins --suite " + suite + " --seed " +
                    std::to_string(seed) + "   # reruns this cell";
    return;
  }
}

void print_plugin_kernels(const PluginRegistry& r) {
  if (r.empty()) return;
  std::printf("plugin kernels:\n");
  for (const auto* k : r.sources)
    std::printf("  %-22s %-5s %-14s %s (formats: %s; %s)\n", k->desc.name,
                k->desc.device == PLUMB_DEVICE_CUDA ? "cuda" : "cpu", plugin_op_name(k->desc.op),
                k->desc.description ? k->desc.description : "", k->formats_text().c_str(), k->plugin_path.c_str());
}

}  // namespace plumb::harness
