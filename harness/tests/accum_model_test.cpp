// The reduced-precision accumulator model (harness/src/accum_model.hpp)
// against independent computations: the hardware's own fp32 and double sums
// (in both rounding directions), long double sums rounded by frexp/ldexp, and
// sums whose exact stagnation point is known.
#include <catch2/catch.hpp>
#include <cfenv>
#include <cmath>
#include <random>
#include <vector>

#include "accum_model.hpp"
#include "fp8_accum.hpp"

using namespace plumb::harness;

namespace {

// x rounded to p bits by frexp/ldexp (not the model's bit arithmetic).
long double reference_round(long double x, int p, AccumRounding r) {
  if (x == 0) return 0;
  int e = 0;
  const long double m = std::ldexp(std::frexp(x, &e), p);  // |m| in [2^(p-1), 2^p)
  const long double q = r == AccumRounding::toward_zero ? std::trunc(m) : std::nearbyint(m);
  return std::ldexp(q, e - p);
}

// A dot of e4m3fn values (exact products) summed in float by the hardware,
// in the current rounding direction.
float hardware_fp32_dot(const float* a, const float* b, size_t k) {
  volatile float s = 0;
  for (size_t i = 0; i < k; ++i) s = s + a[i] * b[i];
  return s;
}

// p significant bits: x * 2^(p - 1 - floor(log2|x|)) is an integer.
bool has_at_most_bits(double x, int p) {
  if (x == 0) return true;
  int e = 0;
  const double m = std::ldexp(std::frexp(x, &e), p);
  return m == std::trunc(m);
}

}  // namespace

TEST_CASE("accumulator model with 24 bits and nearest matches an fp32 sequential sum bit for bit", "[fp8_accum]") {
  const uint64_t seed = GENERATE(1, 2, 3);
  CAPTURE(seed);
  for (Fp8Inputs d : {Fp8Inputs::positive_uniform, Fp8Inputs::gaussian}) {
    const auto a = make_fp8_matrix(d, seed, 8, 4096), b = make_fp8_matrix(d, seed + 100, 8, 4096);
    for (size_t row = 0; row < 8; ++row) {
      const float* pa = &a.values[row * 4096];
      const float* pb = &b.values[row * 4096];
      const std::vector<size_t> ks{1, 16, 255, 4096};
      std::vector<double> got(ks.size());
      model_dot_prefixes(pa, pb, ks, {24, AccumRounding::nearest_even, 0, 1}, got.data());
      for (size_t c = 0; c < ks.size(); ++c) REQUIRE(got[c] == hardware_fp32_dot(pa, pb, ks[c]));
    }
  }
}

TEST_CASE("accumulator model with 24 bits and truncation matches fp32 sums rounded toward zero", "[fp8_accum]") {
  const uint64_t seed = 7;
  CAPTURE(seed);
  const auto a = make_fp8_matrix(Fp8Inputs::gaussian, seed, 4, 2048), b = make_fp8_matrix(Fp8Inputs::gaussian, seed + 1, 4, 2048);
  const int saved = std::fegetround();
  REQUIRE(std::fesetround(FE_TOWARDZERO) == 0);
  std::vector<float> expected;
  for (size_t row = 0; row < 4; ++row) expected.push_back(hardware_fp32_dot(&a.values[row * 2048], &b.values[row * 2048], 2048));
  std::fesetround(saved);
  for (size_t row = 0; row < 4; ++row)
    REQUIRE(model_dot(&a.values[row * 2048], &b.values[row * 2048], 2048, {24, AccumRounding::toward_zero, 0, 1}) ==
            expected[row]);
}

TEST_CASE("a single rounded addition equals the exact sum rounded once", "[fp8_accum]") {
  // Operands of p bits with exponents up to 38 apart: the exact sum fits a
  // long double's 64 bits, while a double sum can be inexact (TwoSum's case).
  const uint64_t seed = GENERATE(11, 12);
  CAPTURE(seed);
  std::mt19937_64 rng(seed);
  for (int p : {10, 14, 17, 24}) {
    for (int t = 0; t < 20000; ++t) {
      const auto mant = [&] { return static_cast<long double>((rng() >> (64 - p)) | (uint64_t{1} << (p - 1))); };
      const int shift = static_cast<int>(rng() % 39);
      const long double x = (rng() & 1 ? -1 : 1) * std::ldexp(mant(), static_cast<int>(rng() % 20));
      const long double y = (rng() & 1 ? -1 : 1) * std::ldexp(mant(), static_cast<int>(rng() % 20) - shift);
      for (AccumRounding r : {AccumRounding::nearest_even, AccumRounding::toward_zero}) {
        CAPTURE(p, static_cast<double>(x), static_cast<double>(y), accum_rounding_name(r));
        const double got = add_rounded(static_cast<double>(x), static_cast<double>(y), p, r);
        REQUIRE(static_cast<long double>(got) == reference_round(x + y, p, r));
        REQUIRE(has_at_most_bits(got, p));
      }
    }
  }
}

TEST_CASE("ties in the accumulator round to even and truncation never increases the magnitude", "[fp8_accum]") {
  // 2^p + 1 is a tie between 2^p and 2^p + 2 at p bits: even is 2^p.
  for (int p : {10, 14, 24}) {
    const double big = std::ldexp(1.0, p);
    CHECK(add_rounded(big, 1.0, p, AccumRounding::nearest_even) == big);
    CHECK(add_rounded(big, 3.0, p, AccumRounding::nearest_even) == big + 4);
    CHECK(add_rounded(big, 1.0, p, AccumRounding::toward_zero) == big);
    CHECK(add_rounded(-big, -3.0, p, AccumRounding::toward_zero) == -big - 2);
    // Just below a p-bit number: truncation gives the next one toward zero.
    CHECK(add_rounded(big, -std::ldexp(1.0, -40), p, AccumRounding::toward_zero) == big - 1);
    // Just above a tie (the double sum alone rounds onto the tie): nearest goes up.
    CHECK(add_rounded(big, 1.0 + std::ldexp(1.0, -45), p, AccumRounding::nearest_even) == big + 2);
    CHECK(add_rounded(big + 2, 1.0 - std::ldexp(1.0, -45), p, AccumRounding::nearest_even) == big + 2);
  }
}

TEST_CASE("a sum of ones stagnates at 2^p and promotion every N keeps it exact", "[fp8_accum]") {
  for (int p : {10, 12, 14}) {
    const size_t k = size_t{16} << p;  // the exact sum is 2^(p+4)
    const std::vector<float> ones(k, 1.0f);
    for (AccumRounding r : {AccumRounding::nearest_even, AccumRounding::toward_zero}) {
      CAPTURE(p, accum_rounding_name(r));
      CHECK(model_dot(ones.data(), ones.data(), k, {p, r, 0, 1}) == std::ldexp(1.0, p));
      CHECK(model_dot(ones.data(), ones.data(), k, {p, r, 128, 1}) == static_cast<double>(k));
      // A fused adder of 4 terms adds 4 per rounding: truncation stagnates where the spacing is 8, at 2^(p+2).
      CHECK(model_dot(ones.data(), ones.data(), k, {p, AccumRounding::toward_zero, 0, 4}) == std::ldexp(1.0, p + 2));
    }
  }
}

TEST_CASE("truncation error on positive inputs grows with K and shrinks with precision", "[fp8_accum]") {
  const uint64_t seed = GENERATE(21, 22);
  CAPTURE(seed);
  const size_t k = 16384;
  const auto a = make_fp8_matrix(Fp8Inputs::positive_uniform, seed, 16, k);
  const auto b = make_fp8_matrix(Fp8Inputs::positive_uniform, seed + 1, 16, k);
  std::vector<size_t> ks;
  for (size_t v = 256; v <= k; v *= 2) ks.push_back(v);
  double mean_p14 = 0, mean_p18 = 0, mean_p14_promoted = 0;
  for (size_t row = 0; row < 16; ++row) {
    const float* pa = &a.values[row * k];
    const float* pb = &b.values[row * k];
    std::vector<double> trunc(ks.size()), exact(ks.size()), p18(ks.size()), promoted(ks.size());
    model_dot_prefixes(pa, pb, ks, {14, AccumRounding::toward_zero, 0, 1}, trunc.data());
    model_dot_prefixes(pa, pb, ks, {53, AccumRounding::nearest_even, 0, 1}, exact.data());  // exact: < 2^53
    model_dot_prefixes(pa, pb, ks, {18, AccumRounding::toward_zero, 0, 1}, p18.data());
    model_dot_prefixes(pa, pb, ks, {14, AccumRounding::toward_zero, 128, 1}, promoted.data());
    // Every truncation of a positive sum loses, never gains: the deficit is non-decreasing in K.
    for (size_t c = 0; c < ks.size(); ++c) {
      REQUIRE(trunc[c] <= exact[c]);
      if (c) REQUIRE(exact[c] - trunc[c] >= exact[c - 1] - trunc[c - 1]);
    }
    mean_p14 += (exact.back() - trunc.back()) / exact.back();
    mean_p18 += (exact.back() - p18.back()) / exact.back();
    mean_p14_promoted += (exact.back() - promoted.back()) / exact.back();
  }
  CHECK(mean_p18 < mean_p14 / 4);
  CHECK(mean_p14_promoted < mean_p14 / 16);
}

TEST_CASE("aligned truncation equals truncation on positive terms and is unbiased on signed ones", "[fp8_accum]") {
  const uint64_t seed = 31;
  CAPTURE(seed);
  const size_t k = 4096;
  const auto pa = make_fp8_matrix(Fp8Inputs::positive_uniform, seed, 8, k);
  const auto pb = make_fp8_matrix(Fp8Inputs::positive_uniform, seed + 1, 8, k);
  const auto ga = make_fp8_matrix(Fp8Inputs::gaussian, seed, 8, k), gb = make_fp8_matrix(Fp8Inputs::gaussian, seed + 1, 8, k);
  double err_sum = 0, err_aligned = 0;
  for (size_t row = 0; row < 8; ++row) {
    const std::vector<size_t> ks{256, 1024, 4096};
    std::vector<double> t(3), al(3);
    model_dot_prefixes(&pa.values[row * k], &pb.values[row * k], ks, {14, AccumRounding::toward_zero, 0, 1}, t.data());
    model_dot_prefixes(&pa.values[row * k], &pb.values[row * k], ks, {14, AccumRounding::aligned_toward_zero, 0, 1},
                       al.data());
    REQUIRE(t == al);
    const float* x = &ga.values[row * k];
    const float* y = &gb.values[row * k];
    const double exact = model_dot(x, y, k, {53, AccumRounding::nearest_even, 0, 1});
    err_sum += std::fabs(model_dot(x, y, k, {14, AccumRounding::toward_zero, 0, 1}) - exact);
    const double aligned = model_dot(x, y, k, {14, AccumRounding::aligned_toward_zero, 0, 1});
    REQUIRE(has_at_most_bits(aligned, 14));
    err_aligned += std::fabs(aligned - exact);
  }
  // Truncating the running sum drags it toward zero at every step; cutting each
  // term toward zero moves positive and negative terms in opposite directions.
  CHECK(err_aligned < err_sum / 4);
}

