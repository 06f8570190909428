// plumb checks: input tensors of the block-quantisation suites (see
// block_cases.hpp).
#include "plumb/checks/block_cases.hpp"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <limits>
#include <numbers>

#include "plumb/checks/cases.hpp"
#include "plumb/formats/value.hpp"

namespace plumb::checks {

namespace {

constexpr size_t kEdge = 32;  // edge tensors are kEdge x kEdge

// A seeded stream of words (splitmix64 at consecutive indices).
class Stream {
 public:
  explicit Stream(uint64_t seed) : seed_(seed) {}
  uint64_t word() { return random_word(seed_, i_++); }
  double uniform_open() { return (static_cast<double>(word() >> 11) + 0.5) * 0x1p-53; }  // (0, 1)
  float unit_float() { return static_cast<float>(word() >> 40) * 0x1p-24f; }               // [0, 1), exact
  float sign() { return (word() >> 63) ? -1.0f : 1.0f; }
  int in(int lo, int hi) { return lo + static_cast<int>(word() % static_cast<uint64_t>(hi - lo + 1)); }
  double gaussian() {  // Box-Muller
    const double r = std::sqrt(-2.0 * std::log(uniform_open()));
    return r * std::cos(2.0 * std::numbers::pi * uniform_open());
  }

 private:
  uint64_t seed_, i_ = 0;
};

// The nonnegative finite values of a format's codes, sorted (code domain).
std::vector<double> element_grid(const FormatDesc& f) {
  std::vector<double> grid;
  const uint64_t magnitudes = f.is_signed ? uint64_t{1} << (f.bits() - 1) : uint64_t{1} << f.bits();
  for (uint64_t c = 0; c < magnitudes; ++c) {
    const double v = decode(f, c);
    if (std::isfinite(v) && v >= 0) grid.push_back(v);
  }
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  return grid;
}

bool is_pattern(size_t r, size_t c) { return (r + c) % 16 == 0; }

// A kEdge x kEdge tensor: pattern(r, c) at the pattern positions, background(r, c) elsewhere.
template <class Pattern, class Background>
BlockCase edge_tensor(std::string name, Pattern pattern, Background background) {
  BlockCase b{std::move(name), kEdge, kEdge, std::vector<float>(kEdge * kEdge)};
  for (size_t r = 0; r < kEdge; ++r)
    for (size_t c = 0; c < kEdge; ++c) b.x[r * kEdge + c] = is_pattern(r, c) ? pattern(r, c) : background(r, c);
  return b;
}

}  // namespace

std::vector<float> distribution_tensor(BlockDistribution d, size_t rows, size_t cols, uint64_t seed) {
  Stream s(seed ^ (0x1000u + static_cast<uint64_t>(d)));
  std::vector<float> x(rows * cols);
  for (float& xi : x) {
    double v = 0;
    switch (d) {
      case BlockDistribution::gaussian: v = s.gaussian(); break;
      case BlockDistribution::laplace: {  // inverse CDF of Laplace(0, 1)
        const double u = s.uniform_open() - 0.5;
        v = (u < 0 ? 1 : -1) * std::log(1 - 2 * std::fabs(u));
        break;
      }
      case BlockDistribution::student_t3: {  // Z / sqrt(chi2_3 / 3)
        const double z = s.gaussian(), a = s.gaussian(), b = s.gaussian(), c = s.gaussian();
        v = z / std::sqrt((a * a + b * b + c * c) / 3);
        break;
      }
    }
    xi = static_cast<float>(v);
  }
  return x;
}

std::vector<BlockCase> block_edge_cases(const BlockFormat& f, uint64_t seed) {
  Stream s(seed ^ 0xED6Eu);
  const std::vector<double> grid = element_grid(f.element);
  const double max_code = grid.back();  // largest finite value, code domain (integers: 2^m - 1)
  const double max_elem = std::ldexp(max_code, f.element_shift);
  const int emax_elem = static_cast<int>(std::floor(std::log2(max_elem)));
  const int p = f.element.is_integer() ? f.element.mbits : f.element.mbits + 1;  // the `even` rule's width
  std::vector<double> ties;  // midpoints of the grid below the largest value
  for (size_t i = 0; i + 1 < grid.size(); ++i) ties.push_back((grid[i] + grid[i + 1]) / 2);
  const double top_tie = ties.back();
  const double saturation_tie = max_code + (grid.back() - grid[grid.size() - 2]) / 2;
  auto gaussian = [&](size_t, size_t) { return static_cast<float>(s.gaussian()); };
  // A random value of magnitude below 2^k (operands drawn in a fixed order).
  auto below = [&](int k) {
    return [&, k](size_t, size_t) {
      const float sign = s.sign();
      return sign * std::ldexp(s.unit_float(), k);
    };
  };

  std::vector<BlockCase> out;
  out.push_back(edge_tensor("edge_zeros", [&](size_t, size_t) { return s.sign() * 0.0f; },
                            [&](size_t, size_t) { return s.sign() * 0.0f; }));
  out.push_back(edge_tensor("edge_zero_half", gaussian, [&](size_t r, size_t) {
    return r < kEdge / 2 ? s.sign() * 0.0f : static_cast<float>(s.gaussian());
  }));
  BlockCase inf = edge_tensor("edge_inf", gaussian, gaussian);
  inf.x[0] = std::numeric_limits<float>::infinity();
  inf.x[17 * kEdge + 15] = -std::numeric_limits<float>::infinity();
  out.push_back(std::move(inf));
  BlockCase nan = edge_tensor("edge_nan", gaussian, gaussian);
  nan.x[0] = std::numeric_limits<float>::quiet_NaN();
  nan.x[9 * kEdge + 30] = std::bit_cast<float>(0xFFC00001u);  // negative, with a payload
  nan.x[31 * kEdge + 31] = std::bit_cast<float>(0x7F800001u);  // signaling
  out.push_back(std::move(nan));

  // Block amax a power of two, one fp32 ulp below and above, and at the
  // `even` rule's carry point 2^k - 2^(k-1-p) (half up carries into 2^k).
  const int k = s.in(-30, 30);
  const float pow2 = std::ldexp(1.0f, k);
  out.push_back(edge_tensor("edge_pow2", [&](size_t, size_t) { return s.sign() * pow2; }, below(k)));
  out.push_back(edge_tensor("edge_below_pow2", [&](size_t, size_t) { return s.sign() * std::nextafter(pow2, 0.0f); },
                            below(k - 1)));
  out.push_back(edge_tensor("edge_above_pow2", [&](size_t, size_t) { return s.sign() * std::nextafter(pow2, 1e38f); },
                            below(k)));
  const float carry = pow2 - std::ldexp(1.0f, k - 1 - p);
  out.push_back(edge_tensor("edge_even_carry", [&](size_t r, size_t) {
    return s.sign() * (r % 2 == 0 ? carry : std::nextafter(carry, 0.0f));
  }, below(k - 1)));

  // Exact ties of the element grid after scaling. With amax = 2^k every MX
  // rule gives e = k - emax_elem, so x = t 2^(e + shift) is the tie t.
  const int e = k - emax_elem;
  auto tie_below = [&](double bound) {  // a random tie < bound, as an fp32 value x
    return [&, bound](size_t, size_t) {
      double t = 0;
      do t = ties[s.word() % ties.size()]; while (t >= bound);
      const float sign = s.sign();
      return sign * static_cast<float>(std::ldexp(t, e + f.element_shift));
    };
  };
  out.push_back(edge_tensor("edge_element_ties", [&](size_t, size_t) { return s.sign() * pow2; },
                            tie_below(std::ldexp(1.0, emax_elem - f.element_shift))));
  out.push_back(edge_tensor("edge_amax_tie", [&](size_t, size_t) {
    return s.sign() * static_cast<float>(std::ldexp(top_tie, e + f.element_shift));
  }, tie_below(top_tie)));
  out.push_back(edge_tensor("edge_amax_saturation_tie", [&](size_t, size_t) {
    return s.sign() * static_cast<float>(std::ldexp(saturation_tie, e + f.element_shift));
  }, tie_below(top_tie + 1e-9)));

  // fp32 extremes: subnormals only (amax subnormal), FLT_MAX.
  auto subnormal = [&](size_t, size_t) {
    const uint64_t w = s.word();
    return std::bit_cast<float>((static_cast<uint32_t>(w >> 63) << 31) | (static_cast<uint32_t>(w) & 0x7FFFFFu));
  };
  out.push_back(edge_tensor("edge_subnormal", subnormal, subnormal));
  out.push_back(edge_tensor("edge_flt_max", [&](size_t, size_t) { return s.sign() * FLT_MAX; },
                            [&](size_t, size_t) { return static_cast<float>(s.gaussian() * 0x1p120); }));

  // NV: S_enc = 2^j exactly (gamax = 448 max_elem 2^-j at (0, 0)) and block
  // amaxes M m 2^-j, m a midpoint of the ue4m3 grid, so bamax S_enc / M = m:
  // an exact tie for nv_exact, and (nearly always) for nv_te's fp32 product.
  const int j = s.in(-4, 4);
  for (bool subnormal_scale : {false, true}) {
    const int E = subnormal_scale ? -10 : s.in(-6, 7);
    auto pattern = [&, E, subnormal_scale](size_t r, size_t c) {
      if (r == 0 && c == 0) return static_cast<float>(std::ldexp(448.0 * max_elem, -j));
      const int i = static_cast<int>(s.word() % 8);
      const double m = (subnormal_scale ? 2 * i + 1 : 1 + (2 * i + 1) / 16.0) * std::ldexp(1.0, E);
      const float sign = s.sign();
      return sign * static_cast<float>(std::ldexp(m * max_elem, -j));
    };
    out.push_back(edge_tensor(subnormal_scale ? "edge_nv_scale_ties_subnormal" : "edge_nv_scale_ties", pattern,
                              below(E - j + static_cast<int>(std::floor(std::log2(max_elem))))));
  }
  // NV with an S_enc that is not a power of two (fp32(S_enc / M) and
  // S_enc fp32(1 / M) then differ in about half the draws): block amaxes a
  // few fp32 ulps around m / t, t = fp32(S_enc fp32(1 / M)) as nv_te
  // computes it, so nv_te's d = fp32(bamax t) lands on or next to a ue4m3
  // midpoint m. (Aiming only: the oracle decides what is expected.)
  {
    const float m_elem = static_cast<float>(max_elem);
    float g0 = 0, t = 0;  // gamax in [2^10, 2^11), drawn until the two orders differ
    for (int tries = 0; tries < 64; ++tries) {
      g0 = std::ldexp(1.0f + s.unit_float(), 10);
      const float s_enc = 448.0f * m_elem / g0;
      t = s_enc * (1.0f / m_elem);
      if (t != s_enc / m_elem) break;
    }
    const int E = s.in(-6, 7);
    auto pattern = [&, E](size_t r, size_t c) {
      if (r == 0 && c == 0) return g0;
      const double m = (1 + (2 * static_cast<int>(s.word() % 8) + 1) / 16.0) * std::ldexp(1.0, E);
      float b = static_cast<float>(m / t);
      for (int step = static_cast<int>(s.word() % 5) - 2; step != 0; step += step > 0 ? -1 : 1)
        b = std::nextafter(b, step > 0 ? FLT_MAX : 0.0f);
      const float sign = s.sign();
      return sign * b;
    };
    const int background = static_cast<int>(std::floor(std::log2(std::ldexp(1.0, E) / t)));  // below m / t
    out.push_back(edge_tensor("edge_nv_scale_near_ties", pattern, below(background)));
  }

  // A single huge outlier in Gaussian data (the NV tensor scale collapses
  // the other blocks' scales), and a moderate one (ue4m3 subnormal scales).
  for (double outlier : {0x1p100, 3.0e4}) {
    BlockCase o = edge_tensor(outlier > 1e10 ? "edge_outlier_huge" : "edge_outlier_moderate", gaussian, gaussian);
    const size_t r = s.word() % kEdge, c = s.word() % kEdge;
    const float sign = s.sign();
    o.x[r * kEdge + c] = sign * static_cast<float>(outlier);
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<BlockCase> block_cases(const BlockFormat& format, uint64_t seed) {
  static const struct { size_t rows, cols; } shapes[] = {{1, 1}, {3, 17}, {33, 45}, {16, 48}, {64, 64}};
  static const struct { BlockDistribution d; const char* name; } dists[] = {
      {BlockDistribution::gaussian, "gaussian"}, {BlockDistribution::laplace, "laplace"},
      {BlockDistribution::student_t3, "student_t3"}};
  std::vector<BlockCase> out;
  for (const auto& d : dists)
    for (const auto& sh : shapes)
      out.push_back({std::string(d.name) + "_" + std::to_string(sh.rows) + "x" + std::to_string(sh.cols), sh.rows,
                     sh.cols, distribution_tensor(d.d, sh.rows, sh.cols, seed + sh.rows * 1000 + sh.cols)});
  for (auto& c : block_edge_cases(format, seed)) out.push_back(std::move(c));
  return out;
}

}  // namespace plumb::checks
