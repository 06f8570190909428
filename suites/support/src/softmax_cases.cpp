// plumb checks: the softmax input rows (docs/SOFTMAX_SEMANTICS.md, "Cases").
#include <bit>
#include <cmath>
#include <limits>

#include "plumb/checks/cases.hpp"
#include "plumb/checks/softmax_check.hpp"

namespace plumb::checks {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Uniform in [0, 1) from 24 random bits.
float unit(uint64_t seed, uint64_t i) { return static_cast<float>(random_word(seed, i) >> 40) * 0x1p-24f; }

// Standard normal by Box-Muller in double (portable: IEEE operations and libm log/cos).
float gaussian(uint64_t seed, uint64_t i) {
  const double u1 = (static_cast<double>(random_word(seed, 2 * i) >> 11) + 1.0) * 0x1p-53;
  const double u2 = static_cast<double>(random_word(seed, 2 * i + 1) >> 11) * 0x1p-53;
  return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
}

SoftmaxCase from_rows(const std::string& name, const std::vector<std::vector<float>>& rows) {
  SoftmaxCase c{name, rows.size(), rows.empty() ? 0 : rows[0].size(), {}};
  for (const auto& r : rows) c.x.insert(c.x.end(), r.begin(), r.end());
  return c;
}

}  // namespace

SoftmaxCase softmax_special_rows() {
  const float big = std::numeric_limits<float>::max();
  return from_rows("special", {
      {1, 2, kInf, 3, -kInf, 0},                  // +inf: NaN row
      {-kInf, -kInf, -kInf, -kInf, -kInf, -kInf},  // all -inf: NaN (safe: +0)
      {1, 2, kNaN, 3, 4, 5},                      // NaN propagates to the whole row
      {-kInf, -kInf, 1, -kInf, 2, 0},             // -inf first: online rescale -inf - (-inf)
      {kInf, kInf, 0, 0, 0, 0},                   // two +inf: NaN
      {-kInf, kInf, -kInf, 0, 0, 0},              // +inf after -inf: NaN
      {kNaN, -kInf, -kInf, -kInf, -kInf, -kInf},  // NaN among -inf: NaN even in safe
      {0, -200, -300, -1000, -1e30f, -big},       // exp underflows to 0 everywhere but the max
      {0, -87, -88, -100, -103, -103.5f},         // results in fp32 subnormals
      {big, big, -big, -big, 0, big},             // extremes: x - max overflows to -inf
      {-big, -big, -big, -big, -big, -big},       // all equal at -max
      {0x1p-149f, -0x1p-149f, 0, -0.0f, 0x1p-126f, 1e-30f},  // tiny differences
  });
}

SoftmaxCase softmax_uniform_rows(const std::string& name, size_t rows, size_t cols, float lo, float hi,
                                 uint64_t seed) {
  SoftmaxCase c{name, rows, cols, std::vector<float>(rows * cols)};
  for (size_t i = 0; i < c.x.size(); ++i) c.x[i] = lo + (hi - lo) * unit(seed, i);
  return c;
}

SoftmaxCase softmax_sorted_rows(size_t rows, size_t cols, float lo, float hi) {
  SoftmaxCase c{"sorted_ascending", rows, cols, std::vector<float>(rows * cols)};
  for (size_t r = 0; r < rows; ++r)
    for (size_t i = 0; i < cols; ++i)
      c.x[r * cols + i] = lo + (hi - lo) * static_cast<float>(i) / static_cast<float>(cols) +
                          static_cast<float>(r);
  return c;
}

std::vector<SoftmaxCase> softmax_cases(uint64_t seed, size_t long_cols) {
  std::vector<SoftmaxCase> out;
  out.push_back(softmax_special_rows());
  out.push_back(softmax_uniform_rows("overflow_trap", 16, 1000, 90.0f, 100.0f, seed));
  out.push_back(from_rows("all_equal", {std::vector<float>(7, 0.0f), std::vector<float>(7, 100.0f),
                                         std::vector<float>(7, -1e30f), std::vector<float>(7, 3e38f),
                                         std::vector<float>(7, -kInf)}));
  out.push_back(from_rows("length_1", {{0}, {5}, {-1e30f}, {3e38f}, {-kInf}, {kInf}, {kNaN}}));
  {
    SoftmaxCase g{"gaussian", 64, 333, std::vector<float>(64 * 333)};
    for (size_t i = 0; i < g.x.size(); ++i) g.x[i] = gaussian(seed + 1, i) * (i % 3 == 0 ? 1.0f : 8.0f);
    out.push_back(std::move(g));
  }
  out.push_back(softmax_uniform_rows("wide_range", 8, 1000, -1e4f, 1e4f, seed + 2));
  out.push_back(softmax_uniform_rows("attention_like", 32, 4096, -20.0f, 20.0f, seed + 3));
  out.push_back(softmax_sorted_rows(4, 2000, -30.0f, 30.0f));
  out.push_back(softmax_uniform_rows("large_magnitude", 4, 512, 1e6f, 1e6f + 64.0f, seed + 4));
  if (long_cols) out.push_back(softmax_uniform_rows("long_row", 1, long_cols, -30.0f, 30.0f, seed + 5));
  return out;
}

}  // namespace plumb::checks
