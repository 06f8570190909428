// plumb checks: the block_formats suite (see block_suite.hpp).
#include "plumb/checks/block_suite.hpp"
#include "plumb/checks/kernels_on_device.hpp"

#include <map>

#include "plumb/formats/block_names.hpp"

namespace plumb::checks {

std::vector<BlockCell> block_suite_cells(uint64_t seed) {
  static const ScaleRule mx_rules[] = {ScaleRule::floor, ScaleRule::ceil, ScaleRule::even, ScaleRule::rceil};
  static const ScaleRule nv_rules[] = {ScaleRule::nv_te, ScaleRule::nv_exact};
  static const BlockLayout layouts[] = {BlockLayout::rows, BlockLayout::cols, BlockLayout::tile_2d};
  static const uint8_t sr_bits[] = {8, 32, 3};  // by layout
  std::vector<BlockCell> cells;
  for (const auto& named : named_block_formats()) {
    const bool nv = named.format.scale == formats::ue4m3;
    const auto& rules = nv ? std::vector<ScaleRule>(std::begin(nv_rules), std::end(nv_rules))
                           : std::vector<ScaleRule>(std::begin(mx_rules), std::end(mx_rules));
    for (ScaleRule rule : rules)
      for (int l = 0; l < 3; ++l)
        for (bool hadamard : {false, true})
          for (bool stochastic : {false, true}) {
            BlockCell c{named.name, named.format, {}};
            c.format.rule = rule;
            c.options.layout = layouts[l];
            c.options.hadamard = hadamard;
            c.options.hadamard_seed = seed * 31 + 7;
            c.options.stochastic = stochastic;
            c.options.sr_bits = sr_bits[l];
            c.options.sr_seed = seed;
            cells.push_back(c);
          }
  }
  return cells;
}

size_t run_block_suite(const BlockSuiteOptions& o) {
  const auto cells = block_suite_cells(o.seed);
  std::map<std::string, std::vector<BlockCase>> cases_of;  // by format name
  std::map<std::string, bool> planted_ran, planted_caught;
  BlockCheckSettings settings;
  settings.seed = o.seed;
  settings.max_counterexamples = o.max_counterexamples;
  // The oracle is not run for a cell when every kernel is skipped (CUDA kernels without a GPU).
  bool any_runs = false;
  for (const auto* k : o.kernels) any_runs |= k->device != kernels::Device::cuda || kernels::cuda_device_count() > 0;
  size_t done = 0, cases_done = 0;
  for (const auto& cell : cells) {
    auto it = cases_of.find(cell.format_name);
    if (it == cases_of.end()) it = cases_of.emplace(cell.format_name, block_cases(cell.format, o.seed)).first;
    const auto expected =
        any_runs ? block_reference_results(cell, it->second, o.threads) : std::vector<BlockExpected>{};
    for (const auto* k : o.kernels) {
      Verdict v = check_block(*k, cell, it->second, expected, settings);
      if (k->planted_bug && v.cases > 0) {
        planted_ran[k->name] = true;
        planted_caught[k->name] = planted_caught[k->name] || v.acceptable();
      }
      if (o.on_verdict) o.on_verdict(v);
    }
    ++done;
    cases_done += it->second.size();
    if (o.on_progress) o.on_progress(done, cases_done);
  }
  for (const auto& [name, ran] : planted_ran) {
    if (!o.require_planted_caught || !ran || planted_caught[name]) continue;
    const auto* k = kernels::find_block_kernel(name);
    if (o.on_verdict)
      o.on_verdict(planted_not_caught(kBlockSuite, name, k ? kernels::device_name(k->device) : "cpu",
                                      "block_quantize"));
  }
  return done;
}

std::vector<const kernels::BlockKernel*> registry_block_kernels(const std::string& device) {
  return kernels_on_device(kernels::block_kernels(), device);
}

}  // namespace plumb::checks
