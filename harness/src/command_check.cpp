// plumb check: judges outputs a user produced anywhere (PyTorch, Triton,
// another vendor's library), read from .npy files, against plumb's references
// with the same checks `plumb verify` runs on plumb's own kernels.
#include <cstdio>
#include <iostream>
#include <map>
#include <stdexcept>

#include "check_ops.hpp"
#include "commands.hpp"
#include "plumb/checks/verdict.hpp"

namespace plumb::harness {

namespace {

// clang-format off
const char* kUsage =
    "usage: plumb check --op OP --format F [options] FILES... [--json FILE]\n"
    "  --op convert  --format F [--rounding M] [--overflow P] [--from fp32|fp64|fp16|bf16] IN.npy OUT.npy\n"
    "       OUT: codes of F (uint8 for <= 8 bits, uint16 for 16, uint32 for 32) or its values as float;\n"
    "       compared code for code with the MPFR reference (NaN: the canonical NaN of docs/SEMANTICS.md;\n"
    "       --any-nan accepts any NaN code where the reference gives NaN). Flags are not judged.\n"
    "  --op quantize --format mxfp8|mxfp6|mxfp4|mxint8|nvfp4|nvint4|... [--rule R] [--block N]\n"
    "       [--layout rows|cols|tile_2d] [--tensor-scale S] INPUT.npy ELEMENTS.npy SCALES.npy\n"
    "       element and scale codes (uint8) against the MPFR block reference (docs/BLOCK_SEMANTICS.md).\n"
    "  --op softmax  --format fp32|bf16|fp16 (--algorithm A [--lanes L] [--fp32-block B] | --max-ulp N)\n"
    "       [--safe] INPUT.npy OUTPUT.npy   softmax along each row (1-D: one row) against MPFR; within the\n"
    "       bound of algorithm A (three_pass_recompute three_pass_reload two_pass online; --fp32-block:\n"
    "       fp32 additions per accumulator, default the row length) or within N ULPs of the correctly\n"
    "       rounded value. --safe: an all -inf row gives 0 (else NaN). docs/SOFTMAX_SEMANTICS.md.\n"
    "  --op lmul     --format F [--carry paper|int_add] [--subnormals flush|gradual] [--overflow P]\n"
    "       A.npy B.npy OUTPUT.npy   elementwise, bit for bit against the exact reference\n"
    "       (docs/LMUL_SEMANTICS.md).\n"
    "  --op gemm     --format fp32|bf16|fp16|int8 [--accumulator-bits 24] [--b-layout nk|kn]\n"
    "       A.npy B.npy C.npy   C = A B (A m x k; B n x k, or k x n with --b-layout kn) against the exact\n"
    "       product: int8 bit for bit (C int32), floats within gamma_K sum|ab| (C float32).\n"
    "       docs/GEMM_SEMANTICS.md.\n"
    "Float operands may be codes (uint16 for bf16/fp16) or values the format holds exactly.\n"
    "Exit status: 0 passed, 1 incorrect (counterexamples printed), 2 bad usage or bad input.\n";
// clang-format on

// The options each op accepts beyond --op, --format and --json.
const std::map<std::string, std::set<std::string>>& op_options() {
  static const std::map<std::string, std::set<std::string>> ops = {
      {"convert", {"rounding", "overflow", "from", "any-nan"}},
      {"quantize", {"rule", "block", "layout", "tensor-scale"}},
      {"softmax", {"algorithm", "lanes", "fp32-block", "max-ulp", "safe"}},
      {"lmul", {"carry", "subnormals", "overflow"}},
      {"gemm", {"accumulator-bits", "b-layout"}},
  };
  return ops;
}

std::string quoted(const std::string& s) {
  if (!s.empty() && s.find_first_of(" \t'\"$\\*?;&|<>()") == std::string::npos) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

void require_files(const CliArgs& a, size_t count, const char* names) {
  if (a.positional().size() != count)
    throw std::runtime_error("expected " + std::to_string(count) + " files (" + names + "), got " +
                             std::to_string(a.positional().size()));
}

Overflow parse_overflow_option(const CliArgs& a, Overflow fallback) {
  const auto text = a.value("overflow");
  Overflow o = fallback;
  if (text && !checks::parse_overflow(*text, o))
    throw std::runtime_error("--overflow: unknown policy '" + *text + "'; valid: saturate infinity nan");
  return o;
}

int command_check(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  std::set<std::string> with_value = {"op", "format", "json"}, switches;
  for (const auto& [op, options] : op_options())
    for (const auto& o : options) (o == "any-nan" || o == "safe" ? switches : with_value).insert(o);
  const CliArgs a(args, with_value, switches);
  const auto op = a.value("op");
  if (!op) throw std::runtime_error(std::string("--op is required\n") + kUsage);
  const auto it = op_options().find(*op);
  if (it == op_options().end()) {
    std::string valid;
    for (const auto& [name, options] : op_options()) valid += " " + name;
    throw std::runtime_error("--op: unknown op '" + *op + "'; valid:" + valid);
  }
  if (!a.value("format")) throw std::runtime_error("--format is required for --op " + *op);
  for (const auto& name : with_value)
    if (name != "op" && name != "format" && name != "json" && a.has(name) && !it->second.count(name))
      throw std::runtime_error("--" + name + " does not apply to --op " + *op);
  for (const auto& name : switches)
    if (a.has(name) && !it->second.count(name))
      throw std::runtime_error("--" + name + " does not apply to --op " + *op);

  CheckContext context;
  context.command_line = "plumb check";
  for (const auto& s : args) context.command_line += " " + quoted(s);
  context.json_path = a.value("json");
  if (*op == "convert") return check_convert_op(a, context);
  if (*op == "quantize") return check_quantize_op(a, context);
  if (*op == "softmax") return check_softmax_op(a, context);
  if (*op == "lmul") return check_lmul_op(a, context);
  return check_gemm_op(a, context);
}

}  // namespace plumb::harness
