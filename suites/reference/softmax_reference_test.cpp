// The MPFR softmax reference against properties that do not depend on it:
// exact results (1/2^k, length 1, -inf gives +0), the special rows of
// docs/SOFTMAX_SEMANTICS.md, shift invariance, and an independent long double
// computation on seeded random rows (the reference code must be one of the
// two output codes around the long double value).
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "plumb/checks/cases.hpp"
#include "plumb/checks/softmax_check.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "plumb/formats/value.hpp"

using namespace plumb;
using namespace plumb::checks;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

reference::SoftmaxReference run(const std::vector<float>& x, size_t rows, bool safe = false) {
  return softmax_reference(SoftmaxCase{"t", rows, x.size() / rows, x}, safe);
}
float as_float(uint64_t code) { return std::bit_cast<float>(static_cast<uint32_t>(code)); }

}  // namespace

TEST_CASE("softmax reference: exact results", "[softmax][reference]") {
  auto r = run({3, 3, 3, 3}, 1);
  for (auto c : r.codes) CHECK(as_float(c) == 0.25f);
  r = run({-7.5f}, 1);
  CHECK(as_float(r.codes[0]) == 1.0f);
  r = run({-kInf, 2, -kInf, 2}, 1);  // -inf contributes exactly 0
  CHECK(r.codes[0] == 0);
  CHECK(as_float(r.codes[1]) == 0.5f);
  CHECK(as_float(r.codes[3]) == 0.5f);
}

TEST_CASE("softmax reference: special rows", "[softmax][reference]") {
  const auto plain = run({1, kInf, 0, -kInf, -kInf, -kInf, 1, kNaN, 2}, 3);
  for (int i = 0; i < 9; ++i) CHECK(std::isnan(as_float(plain.codes[i])));
  const auto safe = run({1, kInf, 0, -kInf, -kInf, -kInf, 1, kNaN, 2}, 3, true);
  for (int i = 0; i < 3; ++i) CHECK(std::isnan(as_float(safe.codes[i])));
  for (int i = 3; i < 6; ++i) CHECK(safe.codes[i] == 0);  // all -inf: +0 in the safe variant
  for (int i = 6; i < 9; ++i) CHECK(std::isnan(as_float(safe.codes[i])));
  // Overflow trap: exp(100) overflows fp32 but the result does not.
  const auto trap = run({100, 99, 90}, 1);
  CHECK(as_float(trap.codes[0]) > 0.7f);
  CHECK(as_float(trap.codes[2]) > 0.0f);
}

TEST_CASE("softmax reference: shift invariance on exact shifts", "[softmax][reference]") {
  const auto c = softmax_uniform_rows("u", 4, 50, -8.0f, 8.0f, 11);
  std::vector<float> shifted(c.x);
  for (auto& v : shifted) v = std::round(v * 256.0f) / 256.0f;  // multiples of 2^-8
  auto base = shifted;
  for (auto& v : shifted) v += 1024.0f;  // exact in fp32
  const auto a = run(base, 4), b = run(shifted, 4);
  CHECK(a.codes == b.codes);
}

TEST_CASE("softmax reference agrees with long double within one rounding", "[softmax][reference]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  for (float range : {1.0f, 20.0f, 80.0f}) {
    const auto c = softmax_uniform_rows("u", 8, 300, -range, range, seed);
    const auto r = softmax_reference(c, false);
    for (size_t row = 0; row < c.rows; ++row) {
      const float* x = c.x.data() + row * c.cols;
      long double m = x[0], s = 0;
      for (size_t i = 0; i < c.cols; ++i) m = std::max<long double>(m, x[i]);
      for (size_t i = 0; i < c.cols; ++i) s += std::exp(static_cast<long double>(x[i]) - m);
      for (size_t i = 0; i < c.cols; ++i) {
        const long double y = std::exp(static_cast<long double>(x[i]) - m) / s;
        const float down = static_cast<float>(y), got = as_float(r.codes[row * c.cols + i]);
        const float other = static_cast<long double>(down) < y ? std::nextafter(down, 2.0f)
                                                               : std::nextafter(down, -1.0f);
        INFO("range " << range << " row " << row << " col " << i);
        CHECK((got == down || got == other));
        CHECK(std::fabs(r.values[row * c.cols + i] - static_cast<double>(y)) <= 1e-15 * static_cast<double>(y));
      }
    }
  }
}

TEST_CASE("softmax reference rounds to bf16 and fp16 outputs", "[softmax][reference]") {
  const auto c = softmax_uniform_rows("u", 2, 100, -4.0f, 4.0f, 5);
  std::vector<uint64_t> codes;
  for (float v : c.x) codes.push_back(std::bit_cast<uint32_t>(v));
  const auto r32 = reference::mpfr_softmax(formats::fp32, formats::fp32, codes, 2, 100, false);
  for (const auto& out : {formats::bf16, formats::fp16}) {
    const auto r = reference::mpfr_softmax(formats::fp32, out, codes, 2, 100, false);
    for (size_t i = 0; i < codes.size(); ++i) {
      const double got = decode(out, r.codes[i]), exact = r.values[i];
      // Within half an ulp of the output format (precision mbits + 1).
      const double ulp = std::ldexp(1.0, std::max(std::ilogb(exact), 1 - out.bias) - out.mbits);
      INFO("format mbits " << out.mbits << " element " << i);
      CHECK(std::fabs(got - exact) <= 0.5 * ulp);
      CHECK(r.values[i] == r32.values[i]);
    }
  }
}

TEST_CASE("softmax reference: bf16 and fp16 inputs decode to the same values", "[softmax][reference]") {
  // Values exact in bf16 and fp16 alike (multiples of 2^-4 below 16): the
  // reference must give the same output from fp32, bf16 and fp16 codes.
  auto c = softmax_uniform_rows("u", 3, 64, -15.0f, 15.0f, 9);
  for (auto& v : c.x) v = std::round(v * 16.0f) / 16.0f;
  const auto r32 = softmax_reference(c, false, formats::fp32);
  for (const auto& in : {formats::bf16, formats::fp16}) {
    std::vector<uint64_t> codes;
    for (float v : c.x) {
      const auto code = convert_code(formats::fp32, in, std::bit_cast<uint32_t>(v), {});
      REQUIRE(decode(in, code.code) == static_cast<double>(v));
      codes.push_back(code.code);
    }
    const auto r = reference::mpfr_softmax(in, formats::fp32, codes, 3, 64, false);
    CHECK(r.codes == r32.codes);
  }
}
