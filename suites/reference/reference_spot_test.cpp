// Spot checks of the two conversion oracles (reference/), each expected value
// derived by hand from docs/SEMANTICS.md and checked against BOTH oracles.
// Values are written as fp32 or fp64 codes of decimal numbers; the comment on
// each line gives the derivation: Q is the quantum exponent, n and f the
// integral significand and the fraction of SEMANTICS.md step 4.
#include <mpfr.h>

#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <thread>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/rounding.hpp"
#include "plumb/reference/convert_reference.hpp"

namespace {

using namespace plumb;
namespace F = plumb::formats;
using plumb::reference::boost_convert;
using plumb::reference::mpfr_convert;

constexpr uint8_t I = kInexact, U = kUnderflow, O = kOverflow, V = kInvalid, X = kNoEncoding;

constexpr Rounding NE = Rounding::nearest_even, NA = Rounding::nearest_away,
                   TZ = Rounding::toward_zero, UP = Rounding::upward, DN = Rounding::downward,
                   ODD = Rounding::odd, SR = Rounding::stochastic;
constexpr Overflow SAT = Overflow::saturate, INF = Overflow::infinity, NAN_ = Overflow::nan;

uint64_t f32(float v) { return std::bit_cast<uint32_t>(v); }
uint64_t f64(double v) { return std::bit_cast<uint64_t>(v); }

// One conversion, expected code and flags, checked against both oracles.
void expect(const FormatDesc& from, const FormatDesc& to, uint64_t code, Rounding r, Overflow o,
            uint64_t want_code, uint8_t want_flags, uint8_t sr_bits = 0, uint32_t rbits = 0) {
  const RoundingSpec spec{r, o, sr_bits};
  const auto m = mpfr_convert(from, to, code, spec, rbits);
  const auto b = boost_convert(from, to, code, spec, rbits);
  INFO("source code 0x" << std::hex << code << " rounding " << std::dec << int(r) << " overflow "
                        << int(o) << " k " << int(sr_bits) << " r " << rbits);
  INFO("want 0x" << std::hex << want_code << " flags 0x" << int(want_flags));
  CHECK(m.code == want_code);
  CHECK(int(m.flags) == int(want_flags));
  CHECK(b.code == want_code);
  CHECK(int(b.flags) == int(want_flags));
}

// The common case: fp32 source value into `to`.
void expect32(float v, const FormatDesc& to, Rounding r, Overflow o, uint64_t code, uint8_t flags) {
  expect(F::fp32, to, f32(v), r, o, code, flags);
}

}  // namespace

TEST_CASE("Oracles round e4m3fn at the top of its range as SEMANTICS says", "[reference][quick]") {
  const auto& T = F::e4m3fn;  // bias 7, max 448 = 0x7e, NaN 0x7f / 0xff
  expect32(448, T, NE, SAT, 0x7e, 0);
  // 464: Q = 5, 464 / 32 = 14.5, tie, n = 14 even: 448, not an overflow.
  expect32(464, T, NE, SAT, 0x7e, I);
  expect32(464, T, NE, INF, 0x7e, I);
  // 465: 14.53 rounds to 15 quanta = 480, beyond 448.
  expect32(465, T, NE, SAT, 0x7e, O | I);
  expect32(465, T, NE, INF, 0x7f, O | I | V);
  expect32(465, T, NE, NAN_, 0x7f, O | I | V);
  expect32(-465, T, NE, INF, 0xff, O | I | V);
  // 465 toward zero is 448: no overflow. 500 toward zero is 15 quanta = 480: overflow.
  expect32(465, T, TZ, INF, 0x7e, I);
  expect32(500, T, TZ, INF, 0x7e, O | I);
  // Directed overflow under the infinity policy: infinity is NaN here.
  expect32(1000, T, UP, INF, 0x7f, O | I | V);
  expect32(1000, T, DN, INF, 0x7e, O | I);
  expect32(-1000, T, UP, INF, 0xfe, O | I);
  expect32(-1000, T, DN, INF, 0xff, O | I | V);
  expect32(1000, T, ODD, INF, 0x7e, O | I);
  expect32(1000, T, NA, NAN_, 0x7f, O | I | V);
}

TEST_CASE("Oracles map infinities and NaNs into e4m3fn", "[reference][quick]") {
  const auto& T = F::e4m3fn;
  expect(F::fp32, T, 0x7f800000, NE, SAT, 0x7e, I);  // +inf saturates, no overflow flag
  expect(F::fp32, T, 0xff800000, NE, SAT, 0xfe, I);
  expect(F::fp32, T, 0x7f800000, NE, INF, 0x7f, V);
  expect(F::fp32, T, 0xff800000, TZ, NAN_, 0xff, V);
  expect(F::fp32, T, 0x7fc00000, NE, SAT, 0x7f, 0);  // quiet NaN
  expect(F::fp32, T, 0xffc00000, NE, SAT, 0xff, 0);  // keeps its sign
  expect(F::fp32, T, 0x7f800001, NE, SAT, 0x7f, V);  // signaling NaN
  expect(F::fp32, T, f32(-0.0f), NE, SAT, 0x80, 0);
}

TEST_CASE("Oracles round e4m3fn subnormals with tininess before rounding", "[reference][quick]") {
  const auto& T = F::e4m3fn;  // min subnormal 2^-9 = 0x01, min normal 2^-6 = 0x08
  expect32(std::ldexp(1.0f, -10), T, NE, SAT, 0x00, I | U);  // 0.5 quanta, n = 0 even
  expect32(std::ldexp(1.0f, -10), T, NA, SAT, 0x01, I | U);
  expect32(std::ldexp(-1.0f, -10), T, NE, SAT, 0x80, I | U);  // signed zero
  expect32(std::ldexp(1.5f, -10), T, NE, SAT, 0x01, I | U);  // 0.75 quanta
  expect32(std::ldexp(3.0f, -9), T, NE, SAT, 0x03, 0);       // exact subnormal
  // 2^-6 (1 - 2^-6) = 7.875 quanta of 2^-9: rounds to 8 = the smallest normal,
  // tiny before rounding, so underflow.
  expect32(std::ldexp(1.0f - 1.0f / 64, -6), T, NE, SAT, 0x08, I | U);
  expect32(std::ldexp(1.0f, -6), T, NE, SAT, 0x08, 0);
  // fp16 source: 1.5 2^-10 goes to 2^-9 (STYLE.md's MPFR probe).
  expect(F::fp16, T, 0x1600, NE, SAT, 0x01, I | U);
}

TEST_CASE("Oracles round fp16 at its largest value and its subnormals", "[reference][quick]") {
  const auto& T = F::fp16;  // max 65504 = 0x7bff, inf 0x7c00, min subnormal 2^-24
  expect32(65504, T, NE, SAT, 0x7bff, 0);
  expect32(65519, T, NE, INF, 0x7bff, I);     // 2047.47 quanta of 32
  expect32(65520, T, NE, INF, 0x7c00, O | I);  // 2047.5, n odd: 2048 = 65536
  expect32(65520, T, NE, SAT, 0x7bff, O | I);
  expect32(65520, T, TZ, INF, 0x7bff, I);
  expect32(-70000, T, DN, INF, 0xfc00, O | I);
  expect32(-70000, T, UP, INF, 0xfbff, O | I);
  expect32(std::ldexp(1.0f, -25), T, NE, SAT, 0x0000, I | U);  // tie, n = 0
  expect32(std::ldexp(1.0f, -25) + std::ldexp(1.0f, -35), T, NE, SAT, 0x0001, I | U);
  expect32(std::ldexp(1.0f, -24), T, NE, SAT, 0x0001, 0);
  expect32(std::ldexp(3.0f, -25), T, NE, SAT, 0x0002, I | U);  // 1.5 quanta, n = 1 odd
  expect32(std::ldexp(5.0f, -25), T, NE, SAT, 0x0002, I | U);  // 2.5 quanta, n = 2 even
  expect32(std::ldexp(1.0f, -30), T, UP, SAT, 0x0001, I | U);
  expect32(std::ldexp(1.0f, -30), T, DN, SAT, 0x0000, I | U);
  expect32(std::ldexp(-1.0f, -30), T, DN, SAT, 0x8001, I | U);
  expect32(std::ldexp(-1.0f, -30), T, TZ, SAT, 0x8000, I | U);
  expect32(1.0f + std::ldexp(1.0f, -11), T, ODD, SAT, 0x3c01, I);  // n = 1024 even: make odd
  expect(F::fp16, F::e5m2, 0x7d00, NE, SAT, 0x7e, V);                 // sNaN: quiet NaN
  expect(F::fp16, F::e5m2, 0xfe00, NE, SAT, 0xfe, 0);
}

TEST_CASE("Oracles round fp64 into fp32", "[reference][quick]") {
  const auto& T = F::fp32;
  expect(F::fp64, T, f64(1 + std::ldexp(1.0, -24)), NE, SAT, 0x3f800000, I);  // tie, even
  expect(F::fp64, T, f64(1 + std::ldexp(1.0, -24) + std::ldexp(1.0, -52)), NE, SAT, 0x3f800001, I);
  expect(F::fp64, T, f64(1 + std::ldexp(3.0, -24)), NE, SAT, 0x3f800002, I);  // tie, n odd
  // Half an ulp above fp32's max: a tie whose even neighbour is 2^128.
  expect(F::fp64, T, f64(std::ldexp(2 - std::ldexp(1.0, -24), 127)), NE, INF, 0x7f800000, O | I);
  expect(F::fp64, T, f64(std::ldexp(1.0, -150)), NE, SAT, 0x00000000, I | U);
  expect(F::fp64, T, f64(std::ldexp(1.0, -149)), NE, SAT, 0x00000001, 0);
  expect(F::fp64, T, 0x7ff0000000000001, NE, SAT, 0x7fc00000, V);  // sNaN
  expect(F::fp64, T, 0xfff8000000000000, NE, SAT, 0xffc00000, 0);
}

TEST_CASE("Oracles round e2m1fn ties and overflow without NaN", "[reference][quick]") {
  const auto& T = F::e2m1fn;  // 0 0.5 1 1.5 2 3 4 6 = codes 0..7, no inf, no NaN
  expect32(0.25f, T, NE, SAT, 0x0, I | U);  // 0.5 quanta of 0.5, n = 0 even
  expect32(0.25f, T, NA, SAT, 0x1, I | U);
  expect32(0.75f, T, NE, SAT, 0x2, I | U);  // 1.5 quanta, n = 1 odd: 1.0
  expect32(1.25f, T, NE, SAT, 0x2, I);      // 2.5 quanta, n = 2: 1.0
  expect32(1.75f, T, NE, SAT, 0x4, I);      // 3.5 quanta: 2.0
  expect32(2.5f, T, NE, SAT, 0x4, I);
  expect32(2.5f, T, NA, SAT, 0x5, I);
  expect32(3.5f, T, NE, SAT, 0x6, I);
  expect32(5.0f, T, NE, SAT, 0x6, I);
  expect32(-5.0f, T, NA, SAT, 0xf, I);
  expect32(6.5f, T, TZ, INF, 0x7, I);
  expect32(7.0f, T, NE, SAT, 0x7, O | I);  // 3.5 quanta of 2, up to 8
  expect32(7.0f, T, NE, INF, 0x0, O | I | V | X);
  expect32(7.0f, T, TZ, INF, 0x7, I);
  expect(F::fp32, T, 0x7fc00000, NE, SAT, 0x0, V | X);
  expect(F::fp32, T, 0x7f800000, NE, SAT, 0x7, I);
  expect(F::fp32, T, 0xff800000, NE, INF, 0x0, V | X);
  expect32(30.0f, F::e3m2fn, NE, NAN_, 0x0, O | I | V | X);  // e3m2fn: 7.5 quanta of 4, up to 32
  expect32(30.0f, F::e3m2fn, NE, SAT, 0x1f, O | I);
}

TEST_CASE("Oracles round into ue8m0", "[reference][quick]") {
  const auto& T = F::ue8m0;  // code c = 2^(c - 127), NaN 0xff, no zero
  expect32(0.0f, T, NE, SAT, 0x00, I | U);
  expect32(-0.0f, T, NE, SAT, 0x00, I | U);
  expect32(1.0f, T, NE, SAT, 0x7f, 0);
  expect32(1.5f, T, NE, SAT, 0x80, I);  // tie, every n is 1 (odd): up
  expect32(1.5f, T, TZ, SAT, 0x7f, I);
  expect32(1.25f, T, NE, SAT, 0x7f, I);
  expect32(3.0f, T, NE, SAT, 0x81, I);
  expect32(-1.0f, T, NE, SAT, 0x00, V | I);
  expect32(-1.0f, T, NE, INF, 0xff, V);
  expect32(std::ldexp(1.0f, -130), T, NE, SAT, 0x00, I | U);
  expect32(std::ldexp(1.0f, -127), T, NE, SAT, 0x00, 0);
  expect32(std::ldexp(1.0f, 127), T, NE, SAT, 0xfe, 0);
  expect(F::fp64, T, f64(std::ldexp(1.0, 128)), NE, SAT, 0xfe, O | I);
  expect(F::fp64, T, f64(std::ldexp(1.0, 128)), NE, INF, 0xff, O | I | V);
  expect(F::fp32, T, 0x7fc00000, NE, SAT, 0xff, 0);
  expect(F::fp32, T, 0xff800000, NE, INF, 0xff, V);  // -inf into an unsigned format
}

TEST_CASE("Oracles round into fnuz and unsigned fn formats", "[reference][quick]") {
  const auto& T = F::e4m3fnuz;  // bias 8, NaN 0x80, max 240 = 0x7f, no -0
  expect32(-0.0f, T, NE, SAT, 0x00, 0);
  expect32(std::ldexp(-1.0f, -12), T, NE, SAT, 0x00, I | U);  // quarter of 2^-10: +0
  expect(F::fp32, T, 0x7fc00000, NE, SAT, 0x80, 0);
  expect32(241, T, NE, SAT, 0x7f, I);
  expect32(250, T, NE, INF, 0x80, O | I | V);  // 15.625 quanta of 16: 256
  expect(F::fp32, T, 0x7f800000, NE, INF, 0x80, V);
  const auto& UT = F::ue4m3;  // bias 7, max 448 = 0x7e, NaN 0x7f
  expect32(448, UT, NE, SAT, 0x7e, 0);
  expect32(-1.0f, UT, NE, SAT, 0x00, V | I);
  expect32(-1.0f, UT, NE, INF, 0x7f, V);
  expect32(-0.0f, UT, NE, SAT, 0x00, 0);
  // The fnuz NaN has its sign bit set: it is a negative NaN (SEMANTICS.md step 1).
  expect(T, F::fp16, 0x80, NE, SAT, 0xfe00, 0);
  expect(T, F::e4m3fn, 0x80, NE, SAT, 0xff, 0);
  // An unsigned IEEE-like format has +infinity but no -infinity.
  const FormatDesc ue5m2 = float_format(5, 2, Encoding::ieee, false);
  expect(F::fp32, ue5m2, 0x7f800000, NE, SAT, 0x7c, 0);
  expect(F::fp32, ue5m2, 0xff800000, NE, SAT, 0x00, V | I);
  expect(F::fp32, ue5m2, 0xff800000, NE, INF, 0x7e, V);
  expect32(std::ldexp(-1.0f, -20), ue5m2, DN, SAT, 0x00, V | I);  // tiny, but no underflow
}

TEST_CASE("Oracles round into integers", "[reference][quick]") {
  expect32(-128.4f, F::int8, NE, SAT, 0x80, I);
  expect32(-128.5f, F::int8, NE, SAT, 0x80, I);     // tie, n = 128 even
  expect32(-128.5f, F::int8, NA, SAT, 0x80, O | I);  // -129
  expect32(127.5f, F::int8, NE, SAT, 0x7f, O | I);   // 128
  expect32(127.5f, F::int8, NE, INF, 0x00, O | I | V | X);
  expect32(127.5f, F::int8, TZ, INF, 0x7f, I);
  expect32(-129.0f, F::int8, DN, INF, 0x00, O | I | V | X);
  expect32(-129.0f, F::int8, UP, INF, 0x80, O | I);
  expect32(2.5f, F::int8, NE, SAT, 0x02, I);
  expect32(-2.5f, F::int8, NA, SAT, 0xfd, I);
  expect32(0.3f, F::int8, NE, SAT, 0x00, I);  // integers never underflow
  expect32(-0.3f, F::int8, NE, SAT, 0x00, I);
  expect32(4.5f, F::int8, ODD, SAT, 0x05, I);
  expect(F::fp32, F::int8, 0x7fc00000, NE, SAT, 0x00, V | X);
  expect(F::fp32, F::int8, 0x7f800000, NE, SAT, 0x7f, I);
  expect(F::fp32, F::int8, 0xff800000, NE, SAT, 0x80, I);
  expect32(-0.3f, F::uint8, NE, SAT, 0x00, I);
  expect32(-0.7f, F::uint8, NE, SAT, 0x00, V | I);
  expect32(-0.7f, F::uint8, NE, NAN_, 0x00, V | X);
  expect32(255.5f, F::uint8, NE, SAT, 0xff, O | I);
  expect32(-8.0f, F::int4, NE, SAT, 0x8, 0);
  expect32(7.5f, F::int4, NE, SAT, 0x7, O | I);
  expect(F::int8, F::e4m3fn, 0x80, NE, SAT, 0xf0, 0);  // -128 = -1.0 2^7: field 14
  expect(F::int8, F::uint4, 0xff, NE, SAT, 0x0, V | I);  // -1
}

TEST_CASE("Oracles round to odd", "[reference][quick]") {
  const auto& T = F::e4m3fn;  // around 1.0 the quantum is 2^-3; 1.0 = 0x38
  expect32(1.0f, T, ODD, SAT, 0x38, 0);
  expect32(1.0625f, T, ODD, SAT, 0x39, I);   // 8.5 quanta, n = 8 even: 9
  expect32(1.15625f, T, ODD, SAT, 0x39, I);  // 9.25 quanta, n = 9 odd: stays
  expect32(-1.0625f, T, ODD, SAT, 0xb9, I);
  expect32(std::ldexp(1.0f, -11), T, ODD, SAT, 0x01, I | U);  // n = 0: 1
}

TEST_CASE("Oracles round stochastically with the given bits", "[reference][quick]") {
  const auto& T = F::e4m3fn;
  // 1.0625 = 8.5 quanta: f = 1/2, k = 1: floor(f 2) = 1, up iff r >= 1.
  expect(F::fp32, T, f32(1.0625f), SR, SAT, 0x39, I, 1, 1);
  expect(F::fp32, T, f32(1.0625f), SR, SAT, 0x38, I, 1, 0);
  expect(F::fp32, T, f32(1.0625f), SR, SAT, 0x38, I, 1, 2);  // only the low bit counts
  // 1.0234375 = 8 + 3/16 quanta, k = 4: floor(f 16) = 3, up iff r >= 13.
  expect(F::fp32, T, f32(1.0234375f), SR, SAT, 0x39, I, 4, 13);
  expect(F::fp32, T, f32(1.0234375f), SR, SAT, 0x38, I, 4, 12);
  expect(F::fp32, T, f32(1.0234375f), SR, SAT, 0x38, I, 4, 0xfffffffc);
  expect(F::fp32, T, f32(1.0234375f), SR, SAT, 0x39, I, 4, 0x1d);
  expect(F::fp32, T, f32(1.0234375f), SR, SAT, 0x38, I, 2, 3);  // floor(3/4) = 0: never up
  expect(F::fp32, T, f32(1.0234375f), SR, SAT, 0x39, I, 32, 0xd0000000);  // up iff r >= 2^32 - 3 2^28
  expect(F::fp32, T, f32(1.0234375f), SR, SAT, 0x38, I, 32, 0xcfffffff);
  // 460 = 14.375 quanta of 32, k = 3: floor(3) + r >= 8 iff r >= 5.
  expect(F::fp32, T, f32(460.0f), SR, INF, 0x7f, O | I | V, 3, 5);
  expect(F::fp32, T, f32(460.0f), SR, SAT, 0x7e, O | I, 3, 5);
  expect(F::fp32, T, f32(460.0f), SR, INF, 0x7e, I, 3, 4);
  expect(F::fp32, T, f32(1.0f), SR, SAT, 0x38, 0, 8, 0xffffffff);  // exact: never moves
}

TEST_CASE("The MPFR oracle restores the exponent range and runs on two threads", "[reference][quick]") {
  const mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
  (void)mpfr_convert(F::fp32, F::e4m3fn, f32(1e-5f), RoundingSpec{}, 0);
  CHECK(mpfr_get_emin() == emin);
  CHECK(mpfr_get_emax() == emax);
  // Both threads convert every fp16 code; their results must equal one thread's.
  auto run = [](uint64_t& sum) {
    sum = 0;
    for (uint64_t c = 0; c < 65536; ++c) {
      const auto r = mpfr_convert(F::fp16, F::e4m3fn, c, RoundingSpec{NA, INF, 0}, 0);
      const auto b = boost_convert(F::fp16, F::e4m3fn, c, RoundingSpec{NA, INF, 0}, 0);
      sum = sum * 31 + r.code * 7 + r.flags + (b.code != r.code || b.flags != r.flags ? 1000003 : 0);
    }
  };
  uint64_t one = 0, a = 1, b = 2;
  run(one);
  std::thread ta(run, std::ref(a)), tb(run, std::ref(b));
  ta.join();
  tb.join();
  CHECK(a == one);
  CHECK(b == one);
}
