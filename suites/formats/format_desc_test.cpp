// Format descriptors: the derived constants of every named format match the
// published specifications (OCP 8-bit and MX v1.0, IEEE 754, ml_dtypes docs).
#include <catch2/catch.hpp>
#include <cmath>

#include "plumb/formats/format_names.hpp"
#include "plumb/formats/value.hpp"

using namespace plumb;

namespace {
double max_finite(const FormatDesc& f) { return decode(f, f.max_finite_code()); }
double min_normal(const FormatDesc& f) { return std::ldexp(1.0, f.min_exponent()); }
double min_subnormal(const FormatDesc& f) { return decode(f, 1); }
int count_class(const FormatDesc& f, ValueClass c) {
  int n = 0;
  for (uint64_t code = 0; code < (uint64_t{1} << f.bits()); ++code) n += classify(f, code) == c;
  return n;
}
}  // namespace

TEST_CASE("named formats have the specified range", "[formats][quick]") {
  namespace F = formats;
  CHECK(max_finite(F::fp16) == 65504.0);
  CHECK(min_subnormal(F::fp16) == std::ldexp(1.0, -24));
  CHECK(max_finite(F::bf16) == std::ldexp(255.0, 120));
  CHECK(min_subnormal(F::bf16) == std::ldexp(1.0, -133));
  CHECK(max_finite(F::fp32) == static_cast<double>(3.4028234663852886e38f));
  CHECK(max_finite(F::tf32) == std::ldexp(2047.0, 117));
  CHECK(max_finite(F::e4m3fn) == 448.0);
  CHECK(min_subnormal(F::e4m3fn) == std::ldexp(1.0, -9));
  CHECK(max_finite(F::e5m2) == 57344.0);
  CHECK(min_subnormal(F::e5m2) == std::ldexp(1.0, -16));
  CHECK(max_finite(F::e4m3fnuz) == 240.0);
  CHECK(min_normal(F::e4m3fnuz) == std::ldexp(1.0, -7));
  CHECK(min_subnormal(F::e4m3fnuz) == std::ldexp(1.0, -10));
  CHECK(max_finite(F::e5m2fnuz) == 57344.0);
  CHECK(min_subnormal(F::e5m2fnuz) == std::ldexp(1.0, -17));
  CHECK(max_finite(F::e3m2fn) == 28.0);
  CHECK(min_subnormal(F::e3m2fn) == 0.0625);
  CHECK(max_finite(F::e2m3fn) == 7.5);
  CHECK(min_subnormal(F::e2m3fn) == 0.125);
  CHECK(max_finite(F::e2m1fn) == 6.0);
  CHECK(min_subnormal(F::e2m1fn) == 0.5);
  CHECK(max_finite(F::ue8m0) == std::ldexp(1.0, 127));
  CHECK(decode(F::ue8m0, 0) == std::ldexp(1.0, -127));
  CHECK(max_finite(F::ue4m3) == 448.0);
  CHECK(max_finite(F::int8) == 127.0);
  CHECK(decode(F::int8, 0x80) == -128.0);
  CHECK(max_finite(F::int4) == 7.0);
  CHECK(decode(F::int4, 0x8) == -8.0);
  CHECK(max_finite(F::uint4) == 15.0);
}

TEST_CASE("special values are where each encoding puts them", "[formats][quick]") {
  namespace F = formats;
  CHECK(count_class(F::e5m2, ValueClass::nan) == 6);
  CHECK(count_class(F::e5m2, ValueClass::infinite) == 2);
  CHECK(count_class(F::e4m3fn, ValueClass::nan) == 2);
  CHECK(classify(F::e4m3fn, 0x7f) == ValueClass::nan);
  CHECK(classify(F::e4m3fn, 0x7e) == ValueClass::normal);
  CHECK(count_class(F::e4m3fn, ValueClass::infinite) == 0);
  CHECK(count_class(F::e4m3fnuz, ValueClass::nan) == 1);
  CHECK(classify(F::e4m3fnuz, 0x80) == ValueClass::nan);
  CHECK(count_class(F::e4m3fnuz, ValueClass::zero) == 1);
  CHECK(count_class(F::e2m1fn, ValueClass::nan) == 0);
  CHECK(count_class(F::e2m1fn, ValueClass::zero) == 2);
  CHECK(count_class(F::ue8m0, ValueClass::zero) == 0);
  CHECK(count_class(F::ue8m0, ValueClass::nan) == 1);
  CHECK(count_class(F::ue4m3, ValueClass::nan) == 1);
  CHECK(count_class(F::fp16, ValueClass::nan) == 2 * 1023);
  CHECK(count_class(F::fp16, ValueClass::subnormal) == 2 * 1023);
  CHECK(count_class(F::int8, ValueClass::nan) == 0);
  CHECK(unpack(F::fp16, 0x7c01).signaling);
  CHECK_FALSE(unpack(F::fp16, 0x7e00).signaling);
}

TEST_CASE("storage sizes hold every code", "[formats][quick]") {
  for (const auto& n : named_formats()) {
    INFO(n.name);
    CHECK(n.desc.storage_bytes() * 8 >= n.desc.bits());
    CHECK((n.desc.storage_bytes() == 1 || n.desc.storage_bytes() * 4 < n.desc.bits()));  // smallest that fits
  }
  CHECK(formats::tf32.bits() == 19);
  CHECK(formats::ue4m3.bits() == 7);
}
