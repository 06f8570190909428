// plumb check --op softmax: a user's softmax rows against the MPFR reference,
// within the documented bound of a named algorithm (check_softmax, through
// the replay kernel) or within a user-given number of ULPs.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "check_ops.hpp"
#include "check_replay.hpp"
#include "npy_values.hpp"
#include "plumb/checks/softmax_check.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/formats/value.hpp"

namespace plumb::harness {

namespace {

using kernels::SoftmaxAlgorithm;

FormatDesc softmax_format(const std::string& text) {
  const auto f = find_format(text);
  if (!f || (*f != formats::fp32 && *f != formats::bf16 && *f != formats::fp16))
    throw std::runtime_error("--format: softmax reads and writes fp32, bf16 or fp16, not '" + text + "'");
  return *f;
}

SoftmaxAlgorithm parse_algorithm(const std::string& text) {
  std::string valid;
  for (int i = 0; i < 4; ++i) {
    const auto alg = static_cast<SoftmaxAlgorithm>(i);
    if (text == kernels::softmax_algorithm_name(alg)) return alg;
    valid += std::string(" ") + kernels::softmax_algorithm_name(alg);
  }
  throw std::runtime_error("--algorithm: unknown algorithm '" + text + "'; valid:" + valid);
}

// Every element within max_ulp ULPs of io of the correctly rounded code; NaN
// exactly where the reference has NaN.
checks::Verdict judge_ulps(const checks::SoftmaxCase& c, const std::vector<uint64_t>& in,
                           const std::vector<uint64_t>& got, const reference::SoftmaxReference& ref,
                           const FormatDesc& io, int64_t max_ulp) {
  checks::Verdict v;
  v.op = "softmax";
  v.from = v.to = io;
  v.label =
      c.name + " " + std::to_string(c.rows) + "x" + std::to_string(c.cols) + " max " + std::to_string(max_ulp) + " ulp";
  for (size_t i = 0; i < got.size(); ++i) {
    ++v.cases;
    const bool want_nan = std::isnan(ref.values[i]), got_nan = classify(io, got[i]) == ValueClass::nan;
    const int64_t d = want_nan || got_nan ? -1 : ulp_distance(io, got[i], ref.codes[i]);
    if (d >= 0 && v.max_ulp >= 0) v.max_ulp = std::max(v.max_ulp, d);
    if (want_nan != got_nan) v.max_ulp = -1;
    if (want_nan == got_nan && d <= max_ulp) continue;
    ++v.mismatches;
    if (v.counterexamples.size() >= kCheckCounterexamples) continue;
    char buf[256];
    std::snprintf(buf, sizeof buf, "row %zu col %zu: x = %.9g, got %.9g (%s), expected %.9g (%s), exact %.17g, %s",
                  i / c.cols, i % c.cols, decode(io, in[i]), decode(io, got[i]), checks::hex_code(got[i]).c_str(),
                  decode(io, ref.codes[i]), checks::hex_code(ref.codes[i]).c_str(), ref.values[i],
                  d < 0 ? "NaN vs non-NaN" : (std::to_string(d) + " ulp").c_str());
    checks::Counterexample ce;
    ce.input = in[i], ce.got = got[i], ce.expected = ref.codes[i];
    ce.detail = "case " + c.name + " " + buf;
    v.counterexamples.push_back(ce);
  }
  v.disposition = v.mismatches ? checks::Disposition::incorrect : checks::Disposition::passed;
  return v;
}

}  // namespace

int check_softmax_op(const CliArgs& a, CheckContext& context) {
  require_files(a, 2, "INPUT.npy OUTPUT.npy");
  const std::string in_path = a.positional()[0], out_path = a.positional()[1];
  const FormatDesc io = softmax_format(*a.value("format"));
  const bool by_ulps = a.has("max-ulp");
  if (by_ulps == a.has("algorithm"))
    throw std::runtime_error(
        "give either --algorithm (three_pass_recompute three_pass_reload two_pass online) or --max-ulp N");
  if (by_ulps && (a.has("lanes") || a.has("fp32-block")))
    throw std::runtime_error("--lanes and --fp32-block describe an --algorithm, not a --max-ulp bound");
  const FormatArray input = read_format_array(in_path, io);
  const FormatArray output = read_format_array(out_path, io);
  require_same_shape(output.shape, out_path, input.shape, in_path);
  const auto [rows, cols] = rows_cols(input.shape, in_path);
  context.notes.push_back(in_path + ": " + input.assumed + ", " + std::to_string(rows) + " rows of " +
                          std::to_string(cols));
  context.notes.push_back(out_path + ": " + output.assumed);

  checks::SoftmaxCase c{in_path, rows, cols, std::vector<float>(input.codes.size())};
  for (size_t i = 0; i < c.x.size(); ++i) c.x[i] = static_cast<float>(decode(io, input.codes[i]));
  const bool safe = a.has("safe");
  const reference::SoftmaxReference ref = checks::softmax_reference(c, safe, io);
  checks::Verdict v;
  if (by_ulps) {
    const auto max_ulp = static_cast<int64_t>(parse_u64(*a.value("max-ulp"), "--max-ulp"));
    v = judge_ulps(c, input.codes, output.codes, ref, io, max_ulp);
    v.kernel = "user";
    v.message = "allowed: " + *a.value("max-ulp") + " ulp of " + format_name(io) +
                " from the correctly rounded value (NaN where the reference has NaN); reference: MPFR";
  } else {
    const kernels::SoftmaxErrorModel model{parse_algorithm(*a.value("algorithm")),
                                           static_cast<int>(parse_size(a, "lanes", 1, 1 << 20)),
                                           static_cast<int>(parse_size(a, "fp32-block", cols, 1u << 30))};
    replay_outputs().codes = output.codes;
    v = checks::check_softmax(replay_softmax_kernel(model, safe), c, ref, nullptr, io);
    v.message += "; bound: " + std::string(kernels::softmax_algorithm_name(model.algorithm)) + ", " +
                 std::to_string(model.lanes) + " lane(s), " + std::to_string(model.fp32_block) +
                 " fp32 additions per accumulator";
  }
  v.suite = "check";
  v.label += " " + format_name(io);
  for (auto& ce : v.counterexamples) ce.command = context.command_line;
  return finish_check(v, context);
}

}  // namespace plumb::harness
