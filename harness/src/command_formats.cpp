// plumb formats: a table of every named format with its parameters, or the
// parameters of the formats named on the command line (any eXmY).
#include <cmath>
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "commands.hpp"
#include "plumb/checks/verdict.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/formats/value.hpp"
#include "value_text.hpp"

namespace plumb::harness {

namespace {

const char* encoding_name(Encoding e) {
  switch (e) {
    case Encoding::ieee: return "ieee";
    case Encoding::fn: return "fn";
    case Encoding::fnuz: return "fnuz";
    case Encoding::finite: return "finite";
    case Encoding::e8m0: return "e8m0";
    case Encoding::integer: return "integer";
  }
  return "?";
}

std::string special_codes(const FormatDesc& f, ValueClass c) {
  std::vector<uint64_t> codes;
  if (f.bits() <= 16) {
    for (uint64_t x = 0; x <= f.code_mask(); ++x)
      if (classify(f, x) == c) codes.push_back(x);
  } else if (c == ValueClass::infinite && f.has_inf()) {
    codes = {f.inf_code(false), f.inf_code(true)};
  } else if (c == ValueClass::nan && f.has_nan()) {
    return "exp all ones, mantissa != 0 (canonical " + checks::hex_code(f.nan_code(false)) + ")";
  }
  if (codes.empty()) return "none";
  if (codes.size() <= 2) {
    std::string s = checks::hex_code(codes[0]);
    if (codes.size() == 2) s += " " + checks::hex_code(codes[1]);
    return s;
  }
  return std::to_string(codes.size()) + " codes (canonical " + checks::hex_code(f.nan_code(false)) + ")";
}

void print_row(const std::string& name, const FormatDesc& f, const std::string& aliases) {
  const double max = decode(f, f.max_finite_code());
  const double min_normal = f.is_integer() ? 1.0 : std::ldexp(1.0, f.min_exponent());
  const double min_sub = f.is_integer() ? 1.0 : f.encoding == Encoding::e8m0 ? std::ldexp(1.0, -f.bias) : decode(f, 1);
  std::printf("%-10s %4d %2d %2d %5d %-6s %-8s %-13s %-13s %-13s %-10s %-34s %s\n", name.c_str(), f.bits(),
              f.ebits, f.mbits, f.bias, f.is_signed ? "yes" : "no", encoding_name(f.encoding),
              value_text(max).c_str(), value_text(min_normal).c_str(),
              f.mbits == 0 || f.is_integer() ? "-" : value_text(min_sub).c_str(),
              special_codes(f, ValueClass::infinite).c_str(), special_codes(f, ValueClass::nan).c_str(),
              aliases.c_str());
}

}  // namespace

int command_formats(const std::vector<std::string>& args) {
  std::printf("%-10s %4s %2s %2s %5s %-6s %-8s %-13s %-13s %-13s %-10s %-34s %s\n", "format", "bits", "E", "M",
              "bias", "signed", "encoding", "max_finite", "min_normal", "min_subnorm", "inf", "nan", "aliases");
  if (!args.empty()) {
    for (const auto& a : args) {
      auto f = find_format(a);
      if (!f) throw std::runtime_error(unknown_format_message(a));
      print_row(format_name(*f), *f, "");
    }
    return 0;
  }
  for (const auto& n : named_formats()) {
    std::string aliases;
    for (const char* a : n.aliases)
      if (a) aliases += (aliases.empty() ? "" : ",") + std::string(a);
    print_row(n.name, n.desc, aliases);
  }
  std::printf("\nAny [u]e<X>m<Y>[b<bias>][fn|fnuz|fin] with 1<=X<=8, 0<=Y<=23 is also accepted, e.g. e5m4, "
              "e4m3b11fnuz.\nEncodings: docs/SEMANTICS.md. Integers: min_normal/min_subnorm show 1.\n");
  return 0;
}

}  // namespace plumb::harness
