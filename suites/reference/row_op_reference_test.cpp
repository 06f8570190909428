// The MPFR RMSNorm and attention references (row_op_reference.hpp) against
// properties that do not depend on them: exact results, scale invariance, and
// an independent long double computation on seeded random rows (the
// reference must be one of the two fp32 / bf16 values around it).
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "plumb/reference/row_op_reference.hpp"

using namespace plumb::reference;

namespace {

// The neighbours of x in a format with `mbits` stored bits (normal range).
bool within_one_ulp(double ref, long double exact, int mbits) {
  const int e = std::ilogb(exact == 0 ? 1e-30L : exact);
  const long double ulp = std::ldexp(1.0L, std::max(e, -126) - mbits);
  return std::fabs(static_cast<long double>(ref) - exact) <= ulp;
}

}  // namespace

TEST_CASE("rmsnorm reference: exact results and scale invariance", "[reference][repro]") {
  auto y = mpfr_rmsnorm({2, 2, -2, 2, 3, -3, 3, -3}, 2, 4, 0.0f, RowOutFormat::fp32);
  const float expect[] = {1, 1, -1, 1, 1, -1, 1, -1};
  for (int i = 0; i < 8; ++i) CHECK(y[i] == expect[i]);
  std::mt19937 gen(7);
  std::normal_distribution<float> nd;
  std::vector<float> x(64), x4(64);
  for (size_t i = 0; i < x.size(); ++i) x[i] = nd(gen), x4[i] = x[i] * 4.0f;
  CHECK(mpfr_rmsnorm(x, 2, 32, 0.0f, RowOutFormat::fp32) == mpfr_rmsnorm(x4, 2, 32, 0.0f, RowOutFormat::fp32));
  CHECK_THROWS_AS(mpfr_rmsnorm({1, NAN}, 1, 2, 0.0f, RowOutFormat::fp32), std::invalid_argument);
  CHECK_THROWS_AS(mpfr_rmsnorm({1, 2, 3}, 1, 2, 0.0f, RowOutFormat::fp32), std::invalid_argument);
}

TEST_CASE("rmsnorm reference: within one ulp of long double", "[reference][repro]") {
  const uint32_t seed = 11;
  INFO("seed " << seed);
  std::mt19937 gen(seed);
  std::normal_distribution<float> nd;
  const size_t rows = 8, cols = 100;
  std::vector<float> x(rows * cols);
  for (float& v : x) v = nd(gen);
  for (auto fmt : {RowOutFormat::fp32, RowOutFormat::bf16}) {
    const int mbits = fmt == RowOutFormat::fp32 ? 23 : 7;
    const auto y = mpfr_rmsnorm(x, rows, cols, 1e-6f, fmt);
    for (size_t r = 0; r < rows; ++r) {
      long double s = 0;
      for (size_t i = 0; i < cols; ++i) s += static_cast<long double>(x[r * cols + i]) * x[r * cols + i];
      const long double rms = std::sqrt(s / cols + static_cast<long double>(1e-6f));
      for (size_t i = 0; i < cols; ++i) CHECK(within_one_ulp(y[r * cols + i], x[r * cols + i] / rms, mbits));
    }
  }
}

TEST_CASE("attention reference: exact results", "[reference][repro]") {
  // One key: the output is v itself.
  auto o = mpfr_attention({1, 2}, {3, -1}, {0.75f, -5.5f}, 1, 1, 2, 0.5f, RowOutFormat::fp32);
  CHECK(o[0] == 0.75f);
  CHECK(o[1] == -5.5f);
  // Equal scores: the mean of the values.
  o = mpfr_attention({1, 0}, {2, 7, 2, -7}, {1, 10, 3, 20}, 1, 2, 2, 1.0f, RowOutFormat::fp32);
  CHECK(o[0] == 2.0f);
  CHECK(o[1] == 15.0f);
  CHECK_THROWS_AS(mpfr_attention({1}, {1, 2}, {1}, 1, 1, 1, 1.0f, RowOutFormat::fp32), std::invalid_argument);
}

TEST_CASE("attention reference: within one ulp of long double", "[reference][repro]") {
  const uint32_t seed = 5;
  INFO("seed " << seed);
  std::mt19937 gen(seed);
  std::normal_distribution<float> nd;
  const size_t rows = 4, kv = 24, dim = 8;
  std::vector<float> q(rows * dim), k(kv * dim), v(kv * dim);
  for (float& x : q) x = nd(gen);
  for (float& x : k) x = nd(gen);
  for (float& x : v) x = nd(gen) + 3.0f;  // positive values: no cancellation, so long double is close enough
  const float scale = 0.35355339f;
  const auto o = mpfr_attention(q, k, v, rows, kv, dim, scale, RowOutFormat::fp32);
  for (size_t r = 0; r < rows; ++r) {
    std::vector<long double> s(kv);
    long double m = -INFINITY, l = 0;
    for (size_t j = 0; j < kv; ++j) {
      s[j] = 0;
      for (size_t d = 0; d < dim; ++d) s[j] += static_cast<long double>(q[r * dim + d]) * k[j * dim + d];
      s[j] *= scale;
      m = std::max(m, s[j]);
    }
    for (size_t j = 0; j < kv; ++j) l += std::exp(s[j] - m);
    for (size_t d = 0; d < dim; ++d) {
      long double acc = 0;
      for (size_t j = 0; j < kv; ++j) acc += std::exp(s[j] - m) * v[j * dim + d];
      CHECK(within_one_ulp(o[r * dim + d], acc / l, 23));
    }
  }
}
