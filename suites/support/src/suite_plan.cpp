// plumb checks: the named conversion suites (see suite_plan.hpp).
#include "plumb/checks/suite_plan.hpp"

#include "plumb/formats/format_names.hpp"

namespace plumb::checks {

const std::vector<SuiteInfo>& conversion_suites() {
  static const std::vector<SuiteInfo> list = {
      {"decode", "every code of every format of <= 16 bits into fp64 and fp32 (exact decode)"},
      {"exhaustive_fp16", "every fp16 code into every 4-, 6- and 8-bit format, all modes and policies"},
      {"exhaustive_bf16", "every bf16 code into every 4-, 6- and 8-bit format, all modes and policies"},
      {"edge_cases_fp32", "TestFloat-style fp32 edge cases into every named format"},
      {"edge_cases_fp64", "TestFloat-style fp64 edge cases into every named format (one rounding)"},
      {"random_fp32", "seeded random fp32 inputs across and beyond each format's range"},
      {"random_fp64", "seeded random fp64 inputs across and beyond each format's range"},
      {"exmy_sweep", "run-time eXmY formats (X 1..8, Y 0..23, every encoding) from fp32 edge cases"},
  };
  return list;
}

bool is_conversion_suite(const std::string& name) {
  for (const auto& s : conversion_suites())
    if (name == s.name) return true;
  return false;
}

std::vector<FormatDesc> narrow_formats() {
  std::vector<FormatDesc> out;
  for (const auto& n : named_formats())
    if (n.desc.bits() <= 8) out.push_back(n.desc);
  return out;
}

std::vector<FormatDesc> all_named_formats() {
  std::vector<FormatDesc> out;
  for (const auto& n : named_formats()) out.push_back(n.desc);
  return out;
}

std::vector<FormatDesc> exmy_sweep_formats() {
  std::vector<FormatDesc> out;
  const Encoding encodings[] = {Encoding::ieee, Encoding::fn, Encoding::fnuz, Encoding::finite};
  int i = 0;
  for (int e = 1; e <= 8; ++e) {
    for (int m : {0, 1, 2, 3, 4, 5, 7, 10, 15, 23}) {
      Encoding enc = encodings[i++ % 4];
      if (enc == Encoding::ieee && e == 1) enc = Encoding::finite;
      out.push_back(float_format(e, m, enc, true));
    }
  }
  out.push_back(float_format(5, 3, Encoding::fn, false));  // an unsigned one
  out.push_back(float_format(4, 3, Encoding::fnuz, true));
  out.back().bias = 11;  // e4m3b11fnuz
  return out;
}

void for_each_block(const std::string& suite, const PlanOptions& o,
                    const std::function<void(const SuiteBlock&)>& visit) {
  const auto specs = all_rounding_specs(8);
  const std::vector<RoundingSpec> nearest = {{Rounding::nearest_even, Overflow::saturate, 0}};
  if (suite == "decode") {
    for (const auto& f : all_named_formats()) {
      if (f.bits() > 16) continue;
      auto cases = std::make_shared<CaseSet>(exhaustive_cases(f));
      cases->name = suite;
      visit({cases, {formats::fp64, formats::fp32}, nearest});
    }
  } else if (suite == "exhaustive_fp16" || suite == "exhaustive_bf16") {
    const FormatDesc from = suite == "exhaustive_fp16" ? formats::fp16 : formats::bf16;
    auto cases = std::make_shared<CaseSet>(exhaustive_cases(from));
    cases->name = suite;
    visit({cases, narrow_formats(), specs});
  } else if (suite == "edge_cases_fp32" || suite == "edge_cases_fp64") {
    const FormatDesc from = suite == "edge_cases_fp32" ? formats::fp32 : formats::fp64;
    for (const auto& to : all_named_formats()) {
      if (to == from) continue;
      auto cases = std::make_shared<CaseSet>(edge_cases(from, to, o.level, o.seed));
      cases->name = suite;
      visit({cases, {to}, specs});
    }
  } else if (suite == "random_fp32" || suite == "random_fp64") {
    const FormatDesc from = suite == "random_fp32" ? formats::fp32 : formats::fp64;
    for (const auto& to : all_named_formats()) {
      if (to == from) continue;
      auto cases = std::make_shared<CaseSet>(random_cases(from, to, o.random_count, o.seed));
      cases->name = suite;
      visit({cases, {to}, specs});
    }
  } else if (suite == "exmy_sweep") {
    for (const auto& to : exmy_sweep_formats()) {
      auto cases = std::make_shared<CaseSet>(edge_cases(formats::fp32, to, 1, o.seed));
      cases->name = suite;
      visit({cases, {to}, specs});
    }
  }
}

}  // namespace plumb::checks
