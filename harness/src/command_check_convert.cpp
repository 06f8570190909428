// plumb check --op convert: a user's converted codes (or values) against the
// MPFR oracle, through check_convert (suites/support) and the replay kernel.
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "check_ops.hpp"
#include "check_replay.hpp"
#include "npy_values.hpp"
#include "plumb/checks/check_convert.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/formats/value.hpp"

namespace plumb::harness {

namespace {

FormatDesc format_option(const std::string& text, const char* option) {
  const auto f = find_format(text);
  if (!f) throw std::runtime_error(std::string("--") + option + ": " + unknown_format_message(text));
  return *f;
}

// The input as codes of its format: --from names it; else a float dtype does.
FormatArray read_input(const CliArgs& a, const std::string& path) {
  const NpyArray in = read_npy(path);
  FormatDesc from{};
  if (const auto text = a.value("from")) {
    from = format_option(*text, "from");
    if (from != formats::fp32 && from != formats::fp64 && from != formats::fp16 && from != formats::bf16)
      throw std::runtime_error("--from: '" + *text + "' is not a source format; valid: fp32 fp64 fp16 bf16");
  } else if (!float_dtype_format(in.dtype, from)) {
    throw std::runtime_error(path + ": dtype '" + in.dtype +
                             "' needs --from (fp32 fp64 fp16 bf16) to say whose codes these are");
  }
  return format_array(in, path, from);
}

std::string code_value(const FormatDesc& f, uint64_t code) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s (%.9g)", checks::hex_code(code).c_str(), decode(f, code));
  return buf;
}

}  // namespace

int check_convert_op(const CliArgs& a, CheckContext& context) {
  require_files(a, 2, "INPUT.npy OUTPUT.npy");
  const std::string in_path = a.positional()[0], out_path = a.positional()[1];
  const FormatDesc to = format_option(*a.value("format"), "format");
  RoundingSpec spec;
  if (const auto r = a.value("rounding"); r && !checks::parse_rounding(*r, spec.rounding))
    throw std::runtime_error("--rounding: unknown mode '" + *r +
                             "'; valid: nearest_even nearest_away toward_zero upward downward odd");
  if (spec.rounding == Rounding::stochastic)
    throw std::runtime_error(
        "--rounding stochastic: plumb cannot know a user's random bits, so the codes cannot be checked one by one; "
        "valid: nearest_even nearest_away toward_zero upward downward odd");
  spec.overflow = parse_overflow_option(a, spec.overflow);

  const FormatArray input = read_input(a, in_path);
  const FormatArray output = read_format_array(out_path, to);
  require_same_shape(output.shape, out_path, input.shape, in_path);
  if (input.codes.empty()) throw std::runtime_error(in_path + ": the array is empty");
  const checks::CaseSet cases{"check", input.format, input.codes};
  context.notes.push_back(in_path + ": " + input.assumed);
  context.notes.push_back(out_path + ": " + output.assumed + (output.from_values ? " (values, read as codes)" : ""));

  checks::CheckSettings settings;
  settings.max_counterexamples = kCheckCounterexamples;
  const checks::Expected expected = checks::oracle_results(checks::Oracle::mpfr, cases, to, spec, settings);
  ReplayOutputs& replay = replay_outputs();
  replay.codes = output.codes;
  replay.flags = expected.flags;  // flags are not judged: a user's array has none
  size_t other_nans = 0;
  for (size_t i = 0; i < replay.codes.size(); ++i) {
    const bool both_nan =
        classify(to, replay.codes[i]) == ValueClass::nan && classify(to, expected.codes[i]) == ValueClass::nan;
    if (both_nan && replay.codes[i] != expected.codes[i] && a.has("any-nan")) {
      replay.codes[i] = expected.codes[i];
      ++other_nans;
    }
  }
  if (a.has("any-nan"))
    context.notes.push_back("--any-nan: " + std::to_string(other_nans) +
                            " NaN codes other than the canonical NaN accepted");

  checks::Verdict v = checks::check_convert(replay_convert_kernel(), cases, to, spec, expected, settings);
  v.suite = "check";
  // Each counterexample's index: they are the first mismatches in order, and
  // an input with the same output code is the same mismatch (no random bits).
  size_t at = 0;
  for (auto& c : v.counterexamples) {
    while (at < cases.codes.size() && !(cases.codes[at] == c.input && replay.codes[at] == c.got)) ++at;
    c.detail = out_path + index_text(at, input.shape) + ": input " + code_value(cases.from, c.input) + ", got " +
               code_value(to, c.got) + ", expected " + code_value(to, c.expected);
    checks::Verdict as_reference = v;
    as_reference.kernel = "mpfr";
    c.command = checks::repro_command(as_reference, c);  // prints the expected code
    ++at;
  }
  v.message = "codes compared (flags not judged); reference: MPFR";
  return finish_check(v, context);
}

}  // namespace plumb::harness
