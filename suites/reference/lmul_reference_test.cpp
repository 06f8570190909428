// The L-Mul reference against facts derived by hand from the paper's formula
// and against exact multiplication: (1 + x_m)(1 + y_m) = 1 + x_m + y_m + x_m y_m,
// so the paper's L-Mul is x*y + (2^-l(m) - x_m y_m) 2^(x_e + y_e).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "plumb/checks/cases.hpp"
#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/reference/lmul_reference.hpp"

using namespace plumb;
using reference::lmul_exact_value;
using reference::lmul_reference;

namespace {
const LmulSpec kPaper{LmulCarry::paper, LmulSubnormals::flush, Overflow::saturate};
const LmulSpec kIntAdd{LmulCarry::int_add, LmulSubnormals::flush, Overflow::saturate};
uint64_t code_of(const FormatDesc& f, int field, uint64_t mant, bool negative = false) {
  return (static_cast<uint64_t>(field) << f.mbits) | mant | (negative ? f.sign_bit() : 0);
}
}  // namespace

TEST_CASE("l(m) follows the paper", "[lmul][reference][quick]") {
  CHECK(lmul_offset_exponent(1) == 1);
  CHECK(lmul_offset_exponent(3) == 3);
  CHECK(lmul_offset_exponent(4) == 3);
  CHECK(lmul_offset_exponent(5) == 4);
  CHECK(lmul_offset_exponent(23) == 4);
}

TEST_CASE("hand-computed L-Mul values", "[lmul][reference][quick]") {
  const FormatDesc e4m3 = formats::e4m3fn, bf16 = formats::bf16;
  const uint64_t one8 = code_of(e4m3, 7, 0), one16 = code_of(bf16, 127, 0);
  // 1 * 1 = 1 + 2^-l: 1.125 (m = 3), 1.0625 (m = 7).
  CHECK(lmul_exact_value(e4m3, kPaper, one8, one8) == 1.125);
  CHECK(lmul_exact_value(bf16, kPaper, one16, one16) == 1.0625);
  CHECK(decode(e4m3, lmul_reference(e4m3, kPaper, one8, one8)) == 1.125);
  // 1.5 * 1.5 in bf16: f = 0.5 + 0.5 + 1/16. Paper: 2.0625; int_add: the carry
  // doubles the exponent and keeps f - 1: 1.0625 * 2 = 2.125.
  const uint64_t x = code_of(bf16, 127, 64);
  CHECK(lmul_exact_value(bf16, kPaper, x, x) == 2.0625);
  CHECK(lmul_exact_value(bf16, kIntAdd, x, x) == 2.125);
  // e4m3 1.875 * 1.875 (m = 3): f = 7/8 + 7/8 + 1/8 = 1.875; paper 2.875 *
  // 1 = 2.875 needs 4 mantissa bits: stored 2.75 or 3.0, ties to even -> 3.0
  // (1.100 * 2^1 vs 1.011: 2.875 = 1.0111b * 2, halfway, even is 1.100b).
  const uint64_t y = code_of(e4m3, 7, 7);
  CHECK(lmul_exact_value(e4m3, kPaper, y, y) == 2.875);
  CHECK(decode(e4m3, lmul_reference(e4m3, kPaper, y, y)) == 3.0);
  CHECK(decode(e4m3, lmul_reference(e4m3, kIntAdd, y, y)) == 3.75);  // 1.875 * 2
  // Signs multiply.
  CHECK(lmul_exact_value(e4m3, kPaper, one8 | e4m3.sign_bit(), one8) == -1.125);
  CHECK(lmul_exact_value(e4m3, kPaper, one8 | e4m3.sign_bit(), one8 | e4m3.sign_bit()) == 1.125);
}

TEST_CASE("the paper variant is x*y + (2^-l - x_m y_m) 2^E", "[lmul][reference][quick]") {
  const uint64_t seed = 20261125;
  INFO("seed " << seed);
  for (const FormatDesc f : {formats::e4m3fn, formats::e5m2, formats::bf16, formats::fp16,
                             float_format(6, 5, Encoding::ieee)}) {
    const int m = f.mbits;
    for (uint64_t i = 0; i < 2000; ++i) {
      const uint64_t w = checks::random_word(seed, i);
      // normal operands near 1: fields bias-2..bias+2
      const int fa = f.bias - 2 + static_cast<int>(w % 5), fb = f.bias - 2 + static_cast<int>((w >> 3) % 5);
      const uint64_t ma = (w >> 8) & ((1u << m) - 1), mb = (w >> 32) & ((1u << m) - 1);
      const uint64_t a = code_of(f, fa, ma), b = code_of(f, fb, mb);
      const double xm = std::ldexp(double(ma), -m), ym = std::ldexp(double(mb), -m);
      const double expected = decode(f, a) * decode(f, b) +
                              (std::ldexp(1.0, -lmul_offset_exponent(m)) - xm * ym) *
                                  std::ldexp(1.0, fa + fb - 2 * f.bias);
      INFO("format bits " << f.bits() << " a " << a << " b " << b);
      REQUIRE(lmul_exact_value(f, kPaper, a, b) == expected);
      // Without a carry (f < 1) the two variants agree; with one they differ.
      const bool carry = xm + ym + std::ldexp(1.0, -lmul_offset_exponent(m)) >= 1;
      const double int_add = lmul_exact_value(f, kIntAdd, a, b);
      if (!carry) REQUIRE(int_add == expected);
      else REQUIRE(int_add >= expected);  // 2f >= 1 + f when f >= 1
    }
  }
}

TEST_CASE("special values and range ends", "[lmul][reference][quick]") {
  const FormatDesc e5m2 = formats::e5m2, e4m3 = formats::e4m3fn;
  const uint64_t inf = e5m2.inf_code(false), zero = 0, one = code_of(e5m2, 15, 0);
  const uint64_t sub = 1;  // smallest subnormal
  CHECK(std::isnan(decode(e5m2, lmul_reference(e5m2, kPaper, inf, zero))));
  CHECK(lmul_reference(e5m2, kPaper, inf, one | e5m2.sign_bit()) == e5m2.inf_code(true));
  CHECK(std::isnan(decode(e5m2, lmul_reference(e5m2, kPaper, e5m2.nan_code(true), one))));
  CHECK(lmul_reference(e5m2, kPaper, zero | e5m2.sign_bit(), one) == e5m2.sign_bit());  // -0
  // Flush: a subnormal operand is zero (inf * it is NaN); gradual keeps it.
  CHECK(lmul_reference(e5m2, kPaper, sub, one) == 0);
  const LmulSpec gradual{LmulCarry::paper, LmulSubnormals::gradual, Overflow::saturate};
  // 2^-16 * 1: f = 0 + 0 + 2^-2 -> 1.25 * 2^-16 = 1.25 subnormal quanta -> 1 (nearest-even).
  CHECK(lmul_reference(e5m2, gradual, sub, one) == 1);
  CHECK(lmul_exact_value(e5m2, gradual, sub, one) == std::ldexp(1.25, -16));
  // Overflow: 448 * 2 in e4m3fn saturates to 448, or is NaN under infinity / nan.
  const uint64_t max = e4m3.max_finite_code(), two = code_of(e4m3, 8, 0);
  CHECK(lmul_reference(e4m3, kPaper, max, two) == max);
  const LmulSpec to_inf{LmulCarry::paper, LmulSubnormals::flush, Overflow::infinity};
  CHECK(std::isnan(decode(e4m3, lmul_reference(e4m3, to_inf, max, two))));
  CHECK(lmul_reference(e5m2, to_inf, e5m2.max_finite_code(), code_of(e5m2, 16, 0)) == inf);
  // fnuz has no -0: -1 * 0 is +0.
  CHECK(lmul_reference(formats::e4m3fnuz, kPaper, code_of(formats::e4m3fnuz, 8, 0, true), 0) == 0);
}

TEST_CASE("unsupported formats are refused with a message", "[lmul][reference][quick]") {
  CHECK_THROWS_WITH(lmul_exact_value(formats::int8, kPaper, 1, 1), Catch::Contains("signed float"));
  CHECK_THROWS_WITH(lmul_exact_value(formats::fp64, kPaper, 1, 1), Catch::Contains("1..8 exponent"));
}

TEST_CASE("int_add is the one integer add of fp32 bit patterns", "[lmul][reference][quick]") {
  // An independent statement of the variant: for normal fp32 operands whose
  // result stays normal, bits(x) + bits(y) - bits(1.0) + (1 << (23 - l(23))),
  // sign bits XORed, read back as fp32.
  const uint64_t seed = 77;
  INFO("seed " << seed);
  const FormatDesc fp32 = formats::fp32;
  for (uint64_t i = 0; i < 5000; ++i) {
    const uint64_t w = checks::random_word(seed, i);
    const uint32_t a = static_cast<uint32_t>(((w & 0x3F) + 100) << 23 | ((w >> 8) & 0x7FFFFF) | ((w >> 62) & 1) << 31);
    const uint32_t b = static_cast<uint32_t>((((w >> 40) & 0x3F) + 100) << 23 | ((w >> 31) & 0x7FFFFF) | (w >> 63) << 31);
    const uint32_t sum = (a & 0x7FFFFFFF) + (b & 0x7FFFFFFF) - 0x3F800000u + (1u << (23 - 4));
    const uint32_t bits = sum | ((a ^ b) & 0x80000000u);
    float expected = 0;
    std::memcpy(&expected, &bits, sizeof expected);
    INFO("a 0x" << std::hex << a << " b 0x" << b);
    REQUIRE(lmul_exact_value(fp32, kIntAdd, a, b) == static_cast<double>(expected));
    REQUIRE(lmul_reference(fp32, kIntAdd, a, b) == bits);
  }
}
