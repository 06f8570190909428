// The fp8 accumulation measurement and its fit (harness/src/fp8_accum.hpp),
// on the CPU: operands, the skipped GPU series, the models against the fp32
// bound, and the fit recovering a planted accumulator.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "fp8_accum.hpp"

using namespace plumb::harness;

namespace {

Fp8AccumConfig small_config(uint64_t seed) {
  Fp8AccumConfig c;
  c.seed = seed;
  c.m = c.n = 8;
  c.k_values = {256, 1024, 4096};
  c.precisions = {12, 13, 14, 15, 16, 24};
  c.model_outputs = 16;
  c.threads = 2;
  c.gpu = false;
  return c;
}

const Fp8Series& series(const Fp8AccumResult& r, const std::string& name) {
  for (const auto& s : r.series)
    if (s.name == name) return s;
  FAIL("no series " << name);
  return r.series.front();
}

}  // namespace

TEST_CASE("fp8 operands are seeded e4m3fn values of their distribution", "[fp8_accum]") {
  const uint64_t seed = 5;
  CAPTURE(seed);
  const auto pos = make_fp8_matrix(Fp8Inputs::positive_uniform, seed, 4, 512);
  const auto gau = make_fp8_matrix(Fp8Inputs::gaussian, seed, 4, 512);
  REQUIRE(make_fp8_matrix(Fp8Inputs::gaussian, seed, 4, 512).codes == gau.codes);
  size_t negative = 0;
  for (size_t i = 0; i < pos.values.size(); ++i) {
    REQUIRE(pos.values[i] >= 0);
    REQUIRE(pos.values[i] <= 1);
    negative += gau.values[i] < 0;
    // e4m3fn: at most 4 significant bits.
    const float v = std::fabs(gau.values[i]);
    if (v != 0) {
      int e = 0;
      const float m = std::ldexp(std::frexp(v, &e), 4);
      REQUIRE(m == std::trunc(m));
    }
  }
  CHECK(negative > 2048 / 2 - 200);
  CHECK(negative < 2048 / 2 + 200);
  const auto cols = fp8_columns(gau, 100, 164);
  REQUIRE(cols.k == 64);
  CHECK(cols.codes[2 * 64 + 5] == gau.codes[2 * 512 + 105]);
}

TEST_CASE("fp8 accumulation without a GPU skips the GPU series and still measures the models", "[fp8_accum]") {
  const uint64_t seed = 3;
  CAPTURE(seed);
  const auto r = measure_fp8_accum(small_config(seed), {});
  size_t gpu = 0, models = 0;
  for (const auto& s : r.series) {
    if (s.kind == "gpu") {
      ++gpu;
      CHECK(s.status == "skipped");
      CHECK(s.message == "--no-gpu");
      CHECK(s.points.empty());
    } else {
      ++models;
      REQUIRE(s.status == "ok");
      REQUIRE(s.points.size() == 2 * 3);
      for (const auto& p : s.points) CHECK(p.outputs == 16);
    }
  }
  CHECK(gpu == 3);
  CHECK(models == 6 * 3 * 2);
  REQUIRE(r.fits.size() == 3);
  for (const auto& f : r.fits) {
    CHECK_FALSE(f.evaluated);
    CHECK(f.reason.find("skipped") != std::string::npos);
  }
}

TEST_CASE("the fp32 accumulator model stays within gamma_K and a 14-bit truncating one does not", "[fp8_accum]") {
  const uint64_t seed = 4;
  CAPTURE(seed);
  const auto r = measure_fp8_accum(small_config(seed), {});
  for (const auto& p : series(r, "model_p24_nearest_even").points) {
    CAPTURE(p.distribution, p.k);
    CHECK(p.max_bound_fraction <= 1.0);
  }
  // Positive inputs: each truncation loses about half an ulp of a 14-bit sum,
  // about K 2^-15 in all, far above gamma_K = K 2^-24 at K = 4096.
  const auto& trunc = series(r, "model_p14_toward_zero");
  CHECK(trunc.points[2].distribution == "positive_uniform");
  CHECK(trunc.points[2].k == 4096);
  CHECK(trunc.points[2].mean_bound_fraction > 16);
  // Promotion every 128 products keeps the partial sums short: far smaller error.
  CHECK(series(r, "model_p14_toward_zero_promote128").points[2].mean_scaled < trunc.points[2].mean_scaled / 8);
}

TEST_CASE("the fit recovers a planted accumulator and ranks its neighbours next", "[fp8_accum]") {
  const uint64_t seed = GENERATE(8, 9);
  CAPTURE(seed);
  const auto r = measure_fp8_accum(small_config(seed), {});
  Fp8Series planted = series(r, "model_p14_toward_zero");
  planted.name = "planted";
  planted.kind = "gpu";
  const auto fit = fit_accumulator(planted, r.series, 0);
  REQUIRE(fit.evaluated);
  CHECK(fit.ranking.size() == 18);  // the unpromoted models only
  CHECK(fit.ranking[0].model == "model_p14_toward_zero");
  CHECK(fit.ranking[0].score == 0);
  CHECK(fit.ranking[0].agreement == 1);
  // Without it, the best candidates are its truncating neighbours.
  std::vector<Fp8Series> others;
  for (const auto& s : r.series)
    if (s.name != "model_p14_toward_zero") others.push_back(s);
  const auto without = fit_accumulator(planted, others, 0);
  REQUIRE(without.evaluated);
  CHECK((without.ranking[0].model == "model_p13_toward_zero" || without.ranking[0].model == "model_p15_toward_zero"));
  CHECK(without.ranking[0].score > 0);
  CHECK(without.ranking[0].agreement < 1);
}
