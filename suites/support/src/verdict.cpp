// plumb checks: verdict names, flag strings and reproduction commands.
#include "plumb/checks/verdict.hpp"

#include <cstdio>

#include "plumb/formats/format_names.hpp"
#include "plumb/formats/value.hpp"

namespace plumb::checks {

const char* disposition_name(Disposition d) {
  switch (d) {
    case Disposition::passed: return "passed";
    case Disposition::incorrect: return "incorrect";
    case Disposition::kernel_error: return "kernel_error";
    case Disposition::not_supported: return "not_supported";
    case Disposition::skipped: return "skipped";
  }
  return "?";
}

bool Verdict::acceptable() const {
  const bool not_run = disposition == Disposition::skipped || disposition == Disposition::not_supported;
  // A planted bug is good when caught, or honestly not run (no GPU here);
  // whether it was caught somewhere is checked over all its cells.
  if (expected_failure) return not_run || (disposition == Disposition::incorrect && !counterexamples.empty());
  return disposition == Disposition::passed || not_run;
}

Verdict planted_not_caught(const std::string& suite, const std::string& kernel,
                           const std::string& device, const std::string& op) {
  Verdict v;
  v.suite = suite;
  v.kernel = kernel;
  v.device = device;
  v.op = op;
  v.label = "all cells";
  v.disposition = Disposition::incorrect;
  v.message = "the planted bug " + kernel + " was NOT caught by any cell of " + suite;
  return v;
}

static const char* const kRoundingNames[] = {"nearest_even", "nearest_away", "toward_zero",
                                             "upward",       "downward",     "odd",
                                             "stochastic"};
static const char* const kOverflowNames[] = {"saturate", "infinity", "nan"};

const char* rounding_name(Rounding r) { return kRoundingNames[static_cast<int>(r)]; }
const char* overflow_name(Overflow o) { return kOverflowNames[static_cast<int>(o)]; }

bool parse_rounding(const std::string& s, Rounding& r) {
  const std::string l = lowercase(s);
  for (int i = 0; i < kRoundingCount; ++i)
    if (l == kRoundingNames[i]) return r = static_cast<Rounding>(i), true;
  // Common short names.
  struct Alias { const char* name; Rounding r; };
  static const Alias aliases[] = {{"rne", Rounding::nearest_even}, {"rn", Rounding::nearest_even},
                                  {"rna", Rounding::nearest_away}, {"rtz", Rounding::toward_zero},
                                  {"rz", Rounding::toward_zero},   {"ru", Rounding::upward},
                                  {"rd", Rounding::downward},      {"ro", Rounding::odd},
                                  {"sr", Rounding::stochastic}};
  for (const auto& a : aliases)
    if (l == a.name) return r = a.r, true;
  return false;
}

bool parse_overflow(const std::string& s, Overflow& o) {
  const std::string l = lowercase(s);
  for (int i = 0; i < kOverflowCount; ++i)
    if (l == kOverflowNames[i]) return o = static_cast<Overflow>(i), true;
  if (l == "satfinite" || l == "sat") return o = Overflow::saturate, true;
  if (l == "inf") return o = Overflow::infinity, true;
  return false;
}

std::string flags_to_string(uint8_t flags) {
  static const struct { uint8_t bit; const char* name; } names[] = {
      {kInexact, "inexact"}, {kUnderflow, "underflow"}, {kOverflow, "overflow"},
      {kInvalid, "invalid"}, {kNoEncoding, "no_encoding"}};
  std::string s;
  for (const auto& n : names)
    if (flags & n.bit) s += (s.empty() ? "" : "|") + std::string(n.name);
  return s.empty() ? "-" : s;
}

std::string hex_code(uint64_t code) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(code));
  return buf;
}

std::string repro_command(const Verdict& v, const Counterexample& c) {
  if (!c.command.empty()) return c.command;
  std::string cmd = "echo " + hex_code(c.input) + " | plumb convert --bits --from " +
                    format_name(v.from) + " --to " + format_name(v.to) + " --rounding " +
                    rounding_name(v.spec.rounding) + " --overflow " + overflow_name(v.spec.overflow);
  if (v.spec.rounding == Rounding::stochastic)
    cmd += " --sr-bits " + std::to_string(v.spec.sr_bits) + " --rbits " + hex_code(c.rbits);
  cmd += " --kernel " + v.kernel + " --flags";
  return cmd;
}

std::string describe(const Verdict& v) {
  if (!v.label.empty()) {  // ops other than convert
    std::string s = v.suite + " " + v.kernel + " " + v.label + " " + rounding_name(v.spec.rounding);
    return v.spec.rounding == Rounding::stochastic ? s + "(k=" + std::to_string(v.spec.sr_bits) + ")" : s;
  }
  std::string s = v.suite + " " + v.kernel + " " + format_name(v.from) + "->" + format_name(v.to) +
                  " " + rounding_name(v.spec.rounding);
  if (v.spec.rounding == Rounding::stochastic) s += "(k=" + std::to_string(v.spec.sr_bits) + ")";
  return s + "/" + overflow_name(v.spec.overflow);
}

}  // namespace plumb::checks
