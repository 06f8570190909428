// plumb harness: the end of `plumb check` (see check_report.hpp).
#include "check_report.hpp"

#include <cstdio>

#include "plumb/formats/format_names.hpp"
#include "result_file.hpp"

namespace plumb::harness {

int finish_check(const checks::Verdict& v, const CheckContext& context) {
  using checks::Disposition;
  for (const auto& note : context.notes) std::printf("%s\n", note.c_str());
  const char* verdict = v.disposition == Disposition::passed      ? "PASSED"
                        : v.disposition == Disposition::incorrect ? "INCORRECT"
                                                                  : "NOT CHECKED";
  const std::string what = v.label.empty() ? format_name(v.from) + " -> " + format_name(v.to) + " " +
                                                 checks::rounding_name(v.spec.rounding) + "/" +
                                                 checks::overflow_name(v.spec.overflow)
                                           : v.label;
  std::printf("plumb check --op %s, %s: %s\n", v.op.c_str(), what.c_str(), verdict);
  std::printf("  cases %llu, mismatches %llu, max ULP %s\n", static_cast<unsigned long long>(v.cases),
              static_cast<unsigned long long>(v.mismatches),
              v.max_ulp < 0 ? "NaN vs non-NaN" : std::to_string(v.max_ulp).c_str());
  if (!v.message.empty()) std::printf("  %s\n", v.message.c_str());
  if (!v.counterexamples.empty())
    std::printf("counterexamples (first %zu of %llu):\n", v.counterexamples.size(),
                static_cast<unsigned long long>(v.mismatches));
  for (const auto& c : v.counterexamples) {
    std::printf("  %s\n", c.detail.c_str());
    std::printf("    reproduce: %s\n", checks::repro_command(v, c).c_str());
  }
  if (context.json_path) {
    nlohmann::json result = new_result(context.command_line);
    result["verdicts"].push_back(verdict_json(v));
    write_json_file(*context.json_path, result);
    std::printf("results: %s\n", context.json_path->c_str());
  }
  if (v.disposition == Disposition::passed) return 0;
  if (v.disposition == Disposition::incorrect) return 1;
  std::fprintf(stderr, "plumb check: error: the check could not run: %s\n", v.message.c_str());
  return 2;
}

}  // namespace plumb::harness
