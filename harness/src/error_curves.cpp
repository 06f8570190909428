// plumb harness: error curves (see error_curves.hpp).
#include "error_curves.hpp"

#include <bit>
#include <cmath>

#include "plumb/checks/check_convert.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/reference/convert_reference.hpp"

namespace plumb::harness {

nlohmann::json error_curves(const FormatDesc& to, size_t points, uint64_t seed) {
  nlohmann::json curves = nlohmann::json::array();
  const double max = decode(to, to.max_finite_code());
  const double smallest = to.is_integer() ? 1.0 : decode(to, to.encoding == Encoding::e8m0 ? 0 : 1);
  const double lo = smallest / 4, hi = max * 1.25;
  std::vector<double> xs(points);
  for (size_t i = 0; i < points; ++i)
    xs[i] = lo * std::pow(hi / lo, static_cast<double>(i) / static_cast<double>(points - 1));
  for (int r = 0; r < kRoundingCount; ++r) {
    const RoundingSpec spec{static_cast<Rounding>(r), Overflow::saturate,
                            static_cast<uint8_t>(r == static_cast<int>(Rounding::stochastic) ? 8 : 0)};
    nlohmann::json x = nlohmann::json::array(), err = nlohmann::json::array();
    for (size_t i = 0; i < points; ++i) {
      const double v = xs[i];
      const auto res = reference::mpfr_convert(formats::fp64, to, std::bit_cast<uint64_t>(v), spec,
                                               checks::case_rbits(seed, i));
      const double got = decode(to, res.code);
      // The quantum at v (at the largest finite value above the range).
      const double at = std::min(v, max);
      int e = std::ilogb(at);
      if (!to.is_integer() && e < to.min_exponent()) e = to.min_exponent();
      const double quantum = to.is_integer() ? 1.0 : std::ldexp(1.0, e - to.mbits);
      x.push_back(v);
      if (std::isfinite(got) && !(res.flags & kNoEncoding)) err.push_back((got - v) / quantum);
      else err.push_back(nullptr);
    }
    curves.push_back({{"to", format_name(to)},
                      {"from", "fp64"},
                      {"rounding", checks::rounding_name(spec.rounding)},
                      {"overflow", "saturate"},
                      {"sr_bits", spec.sr_bits},
                      {"x", x},
                      {"error_ulps", err}});
  }
  return curves;
}

}  // namespace plumb::harness
