// plumb formats: names on the command line (host only). Every named format with
// its canonical name and aliases, and the run-time grammar for any eXmY:
//
//   [u]e<X>m<Y>[b<bias>][fn|fnuz|fin]    1 <= X <= 8, 0 <= Y <= 23
//
// no suffix: IEEE-like (infinity and NaN at the top exponent); fn: NaN only at
// all ones (OCP e4m3); fnuz: no -0, NaN at 0x80..; fin: no infinity, no NaN;
// u: unsigned. Named formats win over the grammar (e3m2fn is OCP's finite fp6).
#pragma once

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plumb/formats/format_desc.hpp"

namespace plumb {

struct NamedFormat {
  const char* name;
  FormatDesc desc;
  std::array<const char*, 5> aliases;  // unused slots are nullptr
};

inline const std::vector<NamedFormat>& named_formats() {
  namespace F = formats;
  static const std::vector<NamedFormat> list = {
      {"fp64", F::fp64, {"float64", "f64", "double", "binary64"}},
      {"fp32", F::fp32, {"float32", "f32", "float", "binary32"}},
      {"tf32", F::tf32, {"tensorfloat32"}},
      {"bf16", F::bf16, {"bfloat16"}},
      {"fp16", F::fp16, {"float16", "f16", "half", "binary16"}},
      {"e5m2", F::e5m2, {"fp8_e5m2", "float8_e5m2"}},
      {"e4m3fn", F::e4m3fn, {"fp8_e4m3", "fp8_e4m3fn", "float8_e4m3fn"}},
      {"e4m3fnuz", F::e4m3fnuz, {"fp8_e4m3fnuz", "float8_e4m3fnuz"}},
      {"e5m2fnuz", F::e5m2fnuz, {"fp8_e5m2fnuz", "float8_e5m2fnuz"}},
      {"e3m2fn", F::e3m2fn, {"fp6_e3m2", "float6_e3m2fn"}},
      {"e2m3fn", F::e2m3fn, {"fp6_e2m3", "float6_e2m3fn"}},
      {"e2m1fn", F::e2m1fn, {"fp4_e2m1", "float4_e2m1fn", "fp4"}},
      {"ue8m0", F::ue8m0, {"e8m0", "e8m0fnu", "float8_e8m0fnu"}},
      {"ue4m3", F::ue4m3, {"fp8_ue4m3"}},
      {"int8", F::int8, {"i8", "s8"}},
      {"int4", F::int4, {"i4", "s4"}},
      {"uint8", F::uint8, {"u8"}},
      {"uint4", F::uint4, {"u4"}},
  };
  return list;
}

inline std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The run-time grammar; nullopt when the text does not follow it.
inline std::optional<FormatDesc> parse_exmy(std::string_view text) {
  std::string s = lowercase(text);
  bool is_signed = true;
  size_t i = 0;
  if (i < s.size() && s[i] == 'u') is_signed = false, ++i;
  auto read_int = [&](int& v) {
    size_t start = i;
    v = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - start < 4)
      v = v * 10 + (s[i++] - '0');
    return i > start;
  };
  int e = 0, m = 0, bias = -1;
  if (i >= s.size() || s[i++] != 'e' || !read_int(e)) return std::nullopt;
  if (i >= s.size() || s[i++] != 'm' || !read_int(m)) return std::nullopt;
  if (i < s.size() && s[i] == 'b') {
    ++i;
    if (!read_int(bias)) return std::nullopt;
  }
  const std::string suffix = s.substr(i);
  Encoding enc = Encoding::ieee;
  if (suffix == "fn") enc = Encoding::fn;
  else if (suffix == "fnuz") enc = Encoding::fnuz;
  else if (suffix == "fin") enc = Encoding::finite;
  else if (!suffix.empty()) return std::nullopt;
  if (e < 1 || e > 8 || m < 0 || m > 23) return std::nullopt;
  if (enc == Encoding::ieee && e == 1) return std::nullopt;  // no room for finite normals
  if (enc == Encoding::fnuz && !is_signed) return std::nullopt;
  FormatDesc f = float_format(e, m, enc, is_signed);
  if (bias >= 0) {
    if (bias > 255) return std::nullopt;
    f.bias = static_cast<int16_t>(bias);
  }
  return f;
}

// A canonical name for any descriptor: the named format's, else the grammar's.
inline std::string format_name(const FormatDesc& f) {
  for (const auto& n : named_formats())
    if (n.desc == f) return n.name;
  if (f.is_integer()) return (f.is_signed ? "int" : "uint") + std::to_string(f.bits());
  std::string s = std::string(f.is_signed ? "" : "u") + "e" + std::to_string(f.ebits) + "m" +
                  std::to_string(f.mbits);
  if (f.bias != default_bias(f.ebits, f.encoding)) s += "b" + std::to_string(f.bias);
  switch (f.encoding) {
    case Encoding::fn: s += "fn"; break;
    case Encoding::fnuz: s += "fnuz"; break;
    case Encoding::finite: s += "fin"; break;
    default: break;
  }
  return s;
}

inline std::optional<FormatDesc> find_format(std::string_view text) {
  const std::string s = lowercase(text);
  for (const auto& n : named_formats()) {
    if (s == n.name) return n.desc;
    for (const char* a : n.aliases)
      if (a && s == a) return n.desc;
  }
  return parse_exmy(s);
}

// The message for a name that is neither named nor in the grammar.
inline std::string unknown_format_message(std::string_view text) {
  std::string msg = "unknown format '" + std::string(text) + "'. Valid names:";
  for (const auto& n : named_formats()) msg += " " + std::string(n.name);
  msg += "; or any [u]e<X>m<Y>[b<bias>][fn|fnuz|fin] with 1<=X<=8, 0<=Y<=23"
         " (see `plumb formats` for aliases)";
  return msg;
}

}  // namespace plumb
