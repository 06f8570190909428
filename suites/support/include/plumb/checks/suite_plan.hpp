// plumb checks: the named conversion suites. One list, read by the Catch2
// suites and by `plumb verify`, so both always check the same cells.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "plumb/checks/check_convert.hpp"

namespace plumb::checks {

// One case set converted into several targets under several specs.
struct SuiteBlock {
  std::shared_ptr<const CaseSet> cases;
  std::vector<FormatDesc> targets;
  std::vector<RoundingSpec> specs;
};

struct PlanOptions {
  uint64_t seed = 1;
  int level = 1;              // TestFloat-like level for edge cases (1 or 2)
  size_t random_count = 20000;
};

struct SuiteInfo {
  const char* name;
  const char* description;
};

// Every suite plumb verify knows, in running order.
const std::vector<SuiteInfo>& conversion_suites();
bool is_conversion_suite(const std::string& name);

// The blocks of one suite (built lazily: edge cases depend on the target).
// `visit` is called once per block.
void for_each_block(const std::string& suite, const PlanOptions& options,
                    const std::function<void(const SuiteBlock&)>& visit);

// Named formats by role.
std::vector<FormatDesc> narrow_formats();   // every named 4-, 6- and 8-bit format
std::vector<FormatDesc> all_named_formats();
std::vector<FormatDesc> exmy_sweep_formats();  // run-time eXmY formats, encodings mixed

}  // namespace plumb::checks
