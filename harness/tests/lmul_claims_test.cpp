// plumb lmul-claims' measurement against quantities derived independently:
// the paper variant's expectation from its closed form, float multiplication's
// error from the half-ulp bound, GEMM errors against rounding bounds, and the
// claim decisions against the numbers they are made from.
#include <catch2/catch.hpp>
#include <cmath>

#include "lmul_claims.hpp"

using namespace plumb::harness;

namespace {
const MulErrorResult& find(const std::vector<MulErrorResult>& rs, const std::string& name) {
  for (const auto& r : rs)
    if (r.method.name == name) return r;
  FAIL("method " << name << " not measured");
  return rs.front();
}
}  // namespace

TEST_CASE("lmul-claims: expectations, bounds and decisions", "[lmul][claims]") {
  const uint64_t seed = 3;
  INFO("seed " << seed);
  const auto rs = measure_mul_errors(seed, 4000);
  REQUIRE(rs.size() == mul_methods().size());
  // Paper variant, x = 1 + i/2^m, y = 1 + j/2^m: L-Mul - xy = (2^-l - x_m y_m), so the
  // expectation is the mean of |2^-l - x_m y_m| / (x y) over the grid.
  for (int m = 2; m <= 7; ++m) {
    const int l = m <= 3 ? m : (m == 4 ? 3 : 4);
    const double n = std::ldexp(1.0, m);
    double sum = 0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        const double xm = i / n, ym = j / n;
        sum += std::fabs(std::ldexp(1.0, -l) - xm * ym) / ((1 + xm) * (1 + ym));
      }
    INFO("m = " << m);
    CHECK(find(rs, "lmul_m" + std::to_string(m) + "_paper").expectation ==
          Approx(sum / (n * n)).epsilon(1e-12));
  }
  // Float multiplication of in-format operands errs by at most half an ulp: 2^-(p+1) relative.
  CHECK(find(rs, "e4m3fn").expectation <= std::ldexp(1.0, -4));
  CHECK(find(rs, "e5m2").expectation <= std::ldexp(1.0, -3));
  CHECK(find(rs, "e4m3fn").expectation > 0);
  for (const auto& r : rs) {
    CHECK(r.uniform_bits.count == 4000);
    CHECK(r.uniform_bits.in_range_count == 4000);  // products of [2^-3, 2^4) stay in range
    CHECK(r.uniform_bits.mean <= r.uniform_bits.max);
  }
  // Decisions follow from the numbers.
  for (const auto& c : check_claims(rs)) {
    INFO(c.id << " " << c.carry << " " << c.source);
    if (c.id == "lmul4_vs_e4m3") CHECK(c.holds == (c.lmul <= 1.25 * c.fp8));
    else CHECK(c.holds == (c.lmul < c.fp8));
  }
  // Same seed, same numbers.
  const auto again = measure_mul_errors(seed, 4000);
  for (size_t i = 0; i < rs.size(); ++i) CHECK(again[i].gaussian.mean == rs[i].gaussian.mean);
}

TEST_CASE("lmul-claims: GEMM errors within rounding bounds", "[lmul][claims]") {
  const size_t n = 48;
  const auto gs = measure_gemm_errors(7, n, "cpu_lmul");
  for (const auto& g : gs) {
    INFO(g.method << " " << g.operands << " " << g.message);
    REQUIRE(g.ok);
    CHECK(g.rel_frobenius > 0);
    // fp32: each entry within gamma(n) sum|a||b|; for N(0,1) data sum|a||b| / |c| ~ sqrt(n).
    if (g.method == "fp32_gemm") CHECK(g.rel_frobenius < n * std::ldexp(1.0, -24) * 4);
    // e4m3fn operands err by at most 2^-4 each (plus flushed tiny values).
    if (g.method == "e4m3fn_gemm") CHECK(g.rel_frobenius < 0.2);
    // L-Mul errs by at most ~1/4 per product (paper variant, hand bound (1/4 + 2^-l) / 2.25 + operand rounding).
    if (g.method.rfind("lmul", 0) == 0) CHECK(g.rel_frobenius < 0.25);
  }
  CHECK_THROWS(measure_gemm_errors(7, 4, "no_such_kernel"));
}
