// plumb check --op lmul: a user's elementwise L-Mul products against the
// exact reference, bit for bit (check_lmul_elementwise through the replay
// kernel).
#include <stdexcept>

#include "check_ops.hpp"
#include "check_replay.hpp"
#include "npy_values.hpp"
#include "plumb/checks/lmul_check.hpp"
#include "plumb/formats/format_names.hpp"

namespace plumb::harness {

int check_lmul_op(const CliArgs& a, CheckContext& context) {
  require_files(a, 3, "A.npy B.npy OUTPUT.npy");
  const std::string a_path = a.positional()[0], b_path = a.positional()[1], out_path = a.positional()[2];
  const auto f = find_format(*a.value("format"));
  if (!f) throw std::runtime_error("--format: " + unknown_format_message(*a.value("format")));
  if (f->is_integer()) throw std::runtime_error("--format: L-Mul is defined for float formats, not " + format_name(*f));
  LmulSpec spec;
  if (const auto c = a.value("carry")) {
    if (*c != "paper" && *c != "int_add")
      throw std::runtime_error("--carry: unknown '" + *c + "'; valid: paper int_add");
    spec.carry = *c == "paper" ? LmulCarry::paper : LmulCarry::int_add;
  }
  if (const auto s = a.value("subnormals")) {
    if (*s != "flush" && *s != "gradual")
      throw std::runtime_error("--subnormals: unknown '" + *s + "'; valid: flush gradual");
    spec.subnormals = *s == "flush" ? LmulSubnormals::flush : LmulSubnormals::gradual;
  }
  spec.overflow = parse_overflow_option(a, spec.overflow);

  const FormatArray x = read_format_array(a_path, *f), y = read_format_array(b_path, *f);
  const FormatArray out = read_format_array(out_path, *f);
  require_same_shape(y.shape, b_path, x.shape, a_path);
  require_same_shape(out.shape, out_path, x.shape, a_path);
  if (x.codes.empty()) throw std::runtime_error(a_path + ": the array is empty");
  context.notes.push_back(a_path + ", " + b_path + ": " + x.assumed + ", " + y.assumed);
  context.notes.push_back(out_path + ": " + out.assumed + " (pair i is element i in C order)");

  checks::LmulPairs pairs{x.codes, y.codes, "from " + a_path + " and " + b_path};
  replay_outputs().codes = out.codes;
  checks::Verdict v = checks::check_lmul_elementwise(replay_lmul_kernel(), *f, spec, pairs);
  v.suite = "check";
  for (auto& ce : v.counterexamples) ce.command = context.command_line;
  return finish_check(v, context);
}

}  // namespace plumb::harness
