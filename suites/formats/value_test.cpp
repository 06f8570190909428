// Decode, ordering, next/previous value and ULP distance: properties over
// every code of every format of at most 16 bits.
#include <catch2/catch.hpp>
#include <cmath>

#include "plumb/checks/suite_plan.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/formats/value.hpp"

using namespace plumb;

TEST_CASE("next_up walks every non-NaN value in increasing order", "[formats][value][quick]") {
  auto formats_to_walk = checks::all_named_formats();
  for (const auto& f : checks::exmy_sweep_formats())
    if (f.bits() <= 12) formats_to_walk.push_back(f);
  for (const auto& f : formats_to_walk) {
    if (f.bits() > 16) continue;
    INFO(format_name(f));
    // Start at the most negative value.
    uint64_t code = code_at_ordinal(f, min_ordinal(f));
    uint64_t steps = 0, non_nan = 0;
    for (uint64_t c = 0; c < (uint64_t{1} << f.bits()); ++c) {
      const auto k = classify(f, c);
      non_nan += k != ValueClass::nan && !(k == ValueClass::zero && (c & f.sign_bit()) && !f.is_integer());
    }
    double previous = -INFINITY;
    bool first = true;
    for (;;) {
      const double v = decode(f, code);
      REQUIRE_FALSE(std::isnan(v));
      if (!first) REQUIRE(v > previous);
      first = false;
      previous = v;
      ++steps;
      uint64_t up = code;
      if (!next_up(f, up)) break;
      uint64_t down = up;
      REQUIRE(next_down(f, down));
      REQUIRE(ulp_distance(f, down, code) == 0);
      REQUIRE(ulp_distance(f, up, code) == 1);
      code = up;
    }
    CHECK(steps == non_nan);  // every value visited once (+-0 counted once)
  }
}

TEST_CASE("ulp distance is zero between signed zeros and undefined for NaN", "[formats][value][quick]") {
  CHECK(ulp_distance(formats::fp16, 0x0000, 0x8000) == 0);
  CHECK(ulp_distance(formats::fp16, 0x0001, 0x8001) == 2);
  CHECK(ulp_distance(formats::e4m3fn, 0x7f, 0x00) == -1);
  CHECK(ulp_distance(formats::int8, 0x7f, 0x80) == 255);
}
