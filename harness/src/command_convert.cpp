// plumb convert: converts values read on stdin, one output line per value:
// the output code in hex, its decoded value (and flags with --flags).
#include <mpfr.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "cli_args.hpp"
#include "commands.hpp"
#include "plumb/checks/cases.hpp"
#include "plumb/checks/check_convert.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "plumb/formats/value.hpp"
#include "value_text.hpp"

namespace plumb::harness {

namespace {

const char* kUsage =
    "usage: plumb convert --to FMT [--from fp32] [--rounding MODE] [--overflow POLICY]\n"
    "                     [--sr-bits K (--seed S | --rbits X)] [--bits] [--flags] [--kernel NAME]\n"
    "Reads whitespace-separated values on stdin: decimals (1.5, -2e-3, inf, nan), hex floats\n"
    "(0x1.8p+3) or, with --bits, input codes (0x3c00). Prints one line per value: the output\n"
    "code in hex and its value. MODE: nearest_even nearest_away toward_zero upward downward odd\n"
    "stochastic. POLICY: saturate infinity nan. KERNEL: cpu_scalar (default), any registered\n"
    "kernel (plumb verify --list), or the oracles mpfr and boost.\n";

FormatDesc format_option(const CliArgs& a, const std::string& name, const char* fallback) {
  const std::string text = a.value(name).value_or(fallback);
  auto f = find_format(text);
  if (!f) throw std::runtime_error("--" + name + ": " + unknown_format_message(text));
  return *f;
}

// The code of the `from` format nearest to a decimal or hex-float token
// (parsed by MPFR, rounded to the nearest, ties to even). Returns false if the
// token is not a number; `exact` tells whether the token's value is the code's.
bool parse_value(const std::string& token, const FormatDesc& from, uint64_t& code, bool& exact) {
  mpfr_t x;
  // The format's own precision: one rounding, except in its subnormal range
  // (a note then says the value is not exact).
  mpfr_init2(x, from.is_integer() ? 53 : from.mbits + 1);
  char* end = nullptr;
  const int ternary = mpfr_strtofr(x, token.c_str(), &end, 0, MPFR_RNDN);
  const bool parsed = end && *end == '\0' && end != token.c_str();
  double v = mpfr_get_d(x, MPFR_RNDN);
  if (std::isnan(v)) v = std::copysign(v, token[0] == '-' ? -1.0 : 1.0);  // "nan" is +NaN
  const bool fits_fp64 = mpfr_nan_p(x) || mpfr_inf_p(x) || mpfr_zero_p(x) ||
                         (mpfr_get_exp(x) > -1021 && mpfr_get_exp(x) < 1025);
  mpfr_clear(x);
  if (!parsed) return false;
  const RoundingSpec rne{Rounding::nearest_even, Overflow::infinity, 0};
  const Converted c = round_to_format(from, unpack(formats::fp64, std::bit_cast<uint64_t>(v)), rne);
  code = c.code;
  exact = ternary == 0 && fits_fp64 && !(c.flags & kInexact);
  return !(c.flags & kNoEncoding);
}

}  // namespace

int command_convert(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  CliArgs a(args, {"to", "from", "rounding", "overflow", "sr-bits", "seed", "rbits", "kernel"},
            {"bits", "flags"});
  if (!a.value("to")) throw std::runtime_error(std::string("--to is required\n") + kUsage);
  const FormatDesc to = format_option(a, "to", "");
  const FormatDesc from = format_option(a, "from", "fp32");
  RoundingSpec spec;
  if (auto r = a.value("rounding"); r && !checks::parse_rounding(*r, spec.rounding))
    throw std::runtime_error("--rounding: unknown mode '" + *r +
                             "'; valid: nearest_even nearest_away toward_zero upward downward odd stochastic");
  if (auto o = a.value("overflow"); o && !checks::parse_overflow(*o, spec.overflow))
    throw std::runtime_error("--overflow: unknown policy '" + *o + "'; valid: saturate infinity nan");
  const bool sr = spec.rounding == Rounding::stochastic;
  if (sr) {
    const uint64_t k = parse_u64(a.value("sr-bits").value_or("8"), "--sr-bits");
    if (k < 1 || k > 32) throw std::runtime_error("--sr-bits must be between 1 and 32");
    spec.sr_bits = static_cast<uint8_t>(k);
    if (a.has("seed") && a.has("rbits")) throw std::runtime_error("give --seed or --rbits, not both");
  } else if (a.has("sr-bits") || a.has("seed") || a.has("rbits")) {
    throw std::runtime_error("--sr-bits, --seed and --rbits need --rounding stochastic");
  }
  const uint64_t seed = a.value("seed") ? parse_u64(*a.value("seed"), "--seed") : 1;
  const bool has_fixed_rbits = a.has("rbits");
  const uint64_t fixed_rbits = has_fixed_rbits ? parse_u64(*a.value("rbits"), "--rbits") : 0;
  if (fixed_rbits > 0xffffffffu) throw std::runtime_error("--rbits must fit in 32 bits");
  const std::string kernel_name = a.value("kernel").value_or("cpu_scalar");
  const auto* kernel = checks::find_kernel(kernel_name);
  if (!kernel) throw std::runtime_error("--kernel: unknown kernel '" + kernel_name + "'; see plumb verify --list");

  // Read every token, remembering its line for error messages.
  struct Item { size_t line; std::string token; uint64_t code = 0; bool ok = false; };
  std::vector<Item> items;
  std::string line;
  for (size_t line_no = 1; std::getline(std::cin, line); ++line_no) {
    std::istringstream ls(line);
    for (std::string tok; ls >> tok;) items.push_back({line_no, tok});
  }
  int errors = 0;
  std::vector<uint64_t> codes;
  std::vector<uint32_t> rbits;
  for (size_t i = 0; i < items.size(); ++i) {
    auto& it = items[i];
    if (a.has("bits")) {
      try {
        it.code = parse_u64(it.token, "input code");
        it.ok = it.code <= from.code_mask();
      } catch (const std::exception&) {
        it.ok = false;
      }
    } else {
      bool exact = true;
      it.ok = parse_value(it.token, from, it.code, exact);
      if (it.ok && !exact)
        std::cerr << "plumb convert: line " << it.line << ": note: '" << it.token << "' is not exact in "
                  << format_name(from) << "; its nearest value " << value_text(decode(from, it.code))
                  << " is converted\n";
    }
    if (!it.ok) {
      ++errors;
      std::cerr << "plumb convert: line " << it.line << ": cannot read '" << it.token << "' as "
                << (a.has("bits") ? "a code of " + format_name(from) + " (e.g. 0x3c00)"
                                  : "a number (decimal, hex float, inf or nan)")
                << "\n";
      continue;
    }
    codes.push_back(it.code);
    if (sr) rbits.push_back(has_fixed_rbits ? static_cast<uint32_t>(fixed_rbits) : checks::case_rbits(seed, i));
  }
  // Convert all good values with the kernel in one call.
  const size_t n = codes.size();
  std::vector<uint8_t> in(n * from.storage_bytes()), out(n * to.storage_bytes()), flags(n);
  for (size_t i = 0; i < n; ++i) kernels::store_code(in.data(), from.storage_bytes(), i, codes[i]);
  std::string message;
  const auto st = kernel->fn({from, to, spec}, in.data(), out.data(), flags.data(), n,
                             sr ? rbits.data() : nullptr, &message);
  if (st != kernels::KernelStatus::ok)
    throw std::runtime_error("kernel " + kernel_name + " failed: " +
                             (st == kernels::KernelStatus::not_supported ? "not supported: " : "") + message);
  size_t j = 0;
  for (const auto& it : items) {
    if (!it.ok) {
      std::cout << "error\n";
      continue;
    }
    const uint64_t c = kernels::load_code(out.data(), to.storage_bytes(), j);
    const uint8_t f = flags[j++];
    if (f & kNoEncoding) {
      ++errors;
      std::cout << "error\n";
      const bool nan_input = classify(from, it.code) == ValueClass::nan;
      std::cerr << "plumb convert: line " << it.line << ": '" << it.token << "' has no encoding in "
                << format_name(to) << " under --overflow " << checks::overflow_name(spec.overflow) << ": "
                << (nan_input ? "the format has no NaN, under any policy"
                              : "the format has neither infinity nor NaN; --overflow saturate gives its largest value")
                << "\n";
      continue;
    }
    std::cout << checks::hex_code(c) << " " << value_text(decode(to, c));
    if (a.has("flags")) std::cout << " " << checks::flags_to_string(f);
    std::cout << "\n";
  }
  return errors ? 1 : 0;
}

}  // namespace plumb::harness
