// plumb harness: numbers as text (shortest round-trip decimal, inf, nan).
#pragma once

#include <charconv>
#include <cmath>
#include <string>

namespace plumb::harness {

inline std::string value_text(double v) {
  if (std::isnan(v)) return std::signbit(v) ? "-nan" : "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

}  // namespace plumb::harness
