// The scalar pieces of block-scaled quantisation (formats/block_scale.hpp,
// hadamard.hpp, block_names.hpp) against properties that docs/
// BLOCK_SEMANTICS.md states: each MX scale rule's binade, the exact quotient
// of nv_exact, the Hadamard transform's algebra, the random words' formulas,
// and the names and validation of block formats.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

#include "plumb/formats/block_names.hpp"
#include "plumb/formats/block_quantize.hpp"
#include "plumb/formats/hadamard.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/kernels/sweep_rbits.hpp"

using namespace plumb;

namespace {

// The doc's splitmix64 written out again, from the text.
uint64_t doc_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A positive finite fp32 from a seeded word: any binade, subnormals included.
float random_positive(uint64_t w) {
  uint32_t bits = static_cast<uint32_t>(w) & 0x7FFFFFFFu;
  if ((bits >> 23) == 0xFF) bits &= 0x3FFFFFFFu;
  if (bits == 0) bits = 1;
  return f32_from_bits(bits);
}

}  // namespace

TEST_CASE("element_max gives the table's max_elem and emax_elem", "[block][formats]") {
  struct Row {
    const char* name;
    double max_elem;
    int emax;
  };
  const Row rows[] = {{"mxfp8_e4m3", 448, 8}, {"mxfp8_e5m2", 57344, 15}, {"mxfp6_e3m2", 28, 4},
                      {"mxfp6_e2m3", 7.5, 2}, {"mxfp4", 6, 2},           {"mxint8", 127.0 / 64, 0},
                      {"nvfp4", 6, 2},        {"nvint4", 7, 2}};
  for (const Row& r : rows) {
    INFO(r.name);
    const ElementMax m = element_max(parse_block_format(r.name));
    CHECK(std::ldexp(static_cast<double>(m.odd), m.exp) == r.max_elem);
    CHECK(m.emax == r.emax);
    CHECK(static_cast<double>(element_max_f32(m)) == r.max_elem);
  }
}

TEST_CASE("each MX scale rule puts amax / 2^e in its binade", "[block][formats]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  for (const auto& named : named_block_formats()) {
    if (is_nv_rule(named.format.rule)) continue;
    const ElementMax m = element_max(named.format);
    const double max_elem = std::ldexp(static_cast<double>(m.odd), m.exp);
    INFO(named.name);
    CHECK(mx_scale_exponent(ScaleRule::floor, 0, m) == -127);
    CHECK(mx_scale_exponent(ScaleRule::rceil, 0, m) == -127);
    for (uint64_t i = 0; i < 20000; ++i) {
      const float amax = random_positive(doc_mix(seed + i));
      const uint32_t bits = f32_bits(amax);
      const double a = amax;
      INFO("amax " << a << " (0x" << std::hex << bits << std::dec << ")");
      const int ef = mx_scale_exponent(ScaleRule::floor, bits, m);
      const int ec = mx_scale_exponent(ScaleRule::ceil, bits, m);
      const int ev = mx_scale_exponent(ScaleRule::even, bits, m);
      const int er = mx_scale_exponent(ScaleRule::rceil, bits, m);
      for (int e : {ef, ec, ev, er}) REQUIRE((e >= -127 && e <= 127));
      // floor: amax / 2^e in [2^emax, 2^(emax+1)) unless clamped.
      if (ef > -127 && ef < 127) {
        const double v = std::ldexp(a, -ef);
        REQUIRE((v >= std::ldexp(1.0, m.emax) && v < std::ldexp(1.0, m.emax + 1)));
      }
      // ceil: amax / 2^e in (2^(emax-1), 2^emax].
      if (ec > -127 && ec < 127) {
        const double v = std::ldexp(a, -ec);
        REQUIRE((v > std::ldexp(1.0, m.emax - 1) && v <= std::ldexp(1.0, m.emax)));
      }
      // rceil: amax / 2^e in (max_elem / 2, max_elem]: the elements never saturate.
      if (er > -127 && er < 127) {
        const double v = std::ldexp(a, -er);
        REQUIRE((v > max_elem / 2 && v <= max_elem));
      }
      if (er == -127) REQUIRE(std::ldexp(a, 127) <= max_elem);
      // even: floor(log2 a) - emax, a = amax rounded half-up to `width` bits (in double: exact).
      const int f = std::ilogb(a);
      const double unit = std::ldexp(1.0, f - m.width + 1);
      const double rounded = std::floor(a / unit + 0.5) * unit;
      const int want = std::max(-127, std::min(127, std::ilogb(rounded) - m.emax));
      REQUIRE(ev == want);
      REQUIRE((ev == ef || ev == ef + 1));
    }
  }
}

TEST_CASE("exact_product_quotient is the truncated quotient with a sticky last bit", "[block][formats]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  for (uint64_t odd : {1u, 3u, 5u, 7u, 15u, 127u, 255u})
    for (uint64_t i = 0; i < 5000; ++i) {
      const uint64_t w = doc_mix(seed ^ (i * 977 + odd));
      const float a = random_positive(w), b = random_positive(doc_mix(w));
      const int exp = static_cast<int>(w % 21) - 10;
      const Unpacked u = exact_product_quotient(f32_bits(a), f32_bits(b), odd, exp);
      const Unpacked ua = unpack(formats::fp32, f32_bits(a)), ub = unpack(formats::fp32, f32_bits(b));
      // u = q 2^ue approximates N 2^(ea+eb-exp) / odd, N = sa sb: q odd = N 2^s, s >= 0.
      const int s = ua.exponent + ub.exponent - exp - u.exponent;
      INFO("a " << a << " b " << b << " odd " << odd << " exp " << exp << " s " << s);
      REQUIRE((s >= 0 && s < 100));
      REQUIRE(u.significand >= (uint64_t{1} << 61));
      const unsigned __int128 num = static_cast<unsigned __int128>(ua.significand * ub.significand) << s;
      const unsigned __int128 q = num / odd;
      if (num % odd == 0) REQUIRE(u.significand == static_cast<uint64_t>(q));
      else REQUIRE(u.significand == (static_cast<uint64_t>(q) | 1));
    }
}

TEST_CASE("the random words follow the specification's formulas", "[block][formats]") {
  for (uint64_t seed : {0ull, 1ull, 0x123456789ull, ~0ull})
    for (uint64_t i : {0ull, 1ull, 31ull, 0xFFFFFFFFull, 0x100000000ull, 0x7FFFFFFFFFFull}) {
      const uint64_t z = (seed ^ 0x5eed5eed5eedull) + (i + 1) * 0x9E3779B97F4A7C15ull;
      CHECK(block_rbits(seed, i) == static_cast<uint32_t>(doc_mix(z) >> 32));
      if (i <= 0xFFFFFFFFull)  // "the formula of kernels' sweep_rbits, with a 64-bit index"
        CHECK(block_rbits(seed, i) == kernels::sweep_rbits(seed, static_cast<uint32_t>(i)));
    }
  for (uint64_t seed : {0ull, 7ull, 0xDEADBEEFull})
    CHECK(hadamard_sign_word(seed) == (doc_mix(seed + 0x9E3779B97F4A7C15ull) & 0xFFFF));
}

TEST_CASE("the Hadamard transform is (1/4) H16 D and its own inverse", "[block][formats][hadamard]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  for (uint64_t trial = 0; trial < 2000; ++trial) {
    const uint32_t signs = hadamard_sign_word(seed + trial);
    const bool integers = trial % 2 == 0;
    float x[16], y[16];
    for (int j = 0; j < 16; ++j) {
      const uint64_t w = doc_mix(seed * 3 + trial * 16 + j);
      x[j] = integers ? static_cast<float>(static_cast<int>(w % 257) - 128)
                      : std::ldexp(static_cast<float>(w % 0xFFFFFF) / 0x1p24f, static_cast<int>(w >> 58) - 30) *
                            ((w >> 32) & 1 ? -1.0f : 1.0f);
      y[j] = x[j];
    }
    hadamard16_forward(y, signs);
    // Against the matrix: H_ij = (-1)^popcount(i & j), D = diag(s_j), in double.
    double norm = 0;
    for (int j = 0; j < 16; ++j) norm = std::max(norm, std::fabs(static_cast<double>(x[j])));
    for (int i = 0; i < 16; ++i) {
      double want = 0;
      for (int j = 0; j < 16; ++j) {
        const double s = (signs >> j) & 1 ? -1.0 : 1.0;
        want += (__builtin_popcount(i & j) % 2 ? -1.0 : 1.0) * s * x[j];
      }
      want /= 4;
      INFO("trial " << trial << " i " << i);
      if (integers) REQUIRE(static_cast<double>(y[i]) == want);  // quarter-integers: exact
      else REQUIRE(std::fabs(y[i] - want) <= 64 * norm * 0x1p-24);
    }
    hadamard16_inverse(y, signs);
    for (int j = 0; j < 16; ++j) {
      INFO("trial " << trial << " j " << j << " x " << x[j] << " back " << y[j]);
      if (integers) REQUIRE(y[j] == x[j]);
      else REQUIRE(std::fabs(y[j] - x[j]) <= 64 * norm * 0x1p-24);
    }
  }
}

TEST_CASE("block format, rule and layout names parse, alias and list the valid names", "[block][formats][names]") {
  CHECK(parse_block_format("mxfp8").element == formats::e4m3fn);
  CHECK(parse_block_format("MXFP6").element == formats::e3m2fn);
  CHECK(parse_block_format("nvint4").scale == formats::ue4m3);
  for (const auto& n : named_block_formats()) {
    CHECK(block_format_name(n.format) == n.name);
    CHECK(block_format_problem(n.format).empty());
  }
  BlockFormat f = block_formats::mxfp4;
  f.block_size = 16;
  f.rule = ScaleRule::rceil;
  CHECK(block_format_name(f) == "mxfp4 block=16 rule=rceil");
  for (int r = 0; r < kScaleRuleCount; ++r)
    CHECK(parse_scale_rule(scale_rule_name(static_cast<ScaleRule>(r))) == static_cast<ScaleRule>(r));
  for (int l = 0; l < kBlockLayoutCount; ++l)
    CHECK(parse_block_layout(block_layout_name(static_cast<BlockLayout>(l))) == static_cast<BlockLayout>(l));
  auto message_of = [](auto&& fn) {
    try {
      fn();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  const std::string m1 = message_of([] { parse_block_format("mxfp5"); });
  CHECK_THAT(m1, Catch::Contains("mxfp5") && Catch::Contains("mxfp4") && Catch::Contains("nvint4") &&
                     Catch::Contains("alias mxfp8"));
  CHECK_THAT(message_of([] { parse_scale_rule("round"); }), Catch::Contains("rceil") && Catch::Contains("nv_exact"));
  CHECK_THAT(message_of([] { parse_block_layout("diag"); }), Catch::Contains("tile_2d"));
}

TEST_CASE("validate rejects wrong scales, block sizes, elements and options", "[block][formats][names]") {
  auto problem = [](BlockFormat f) { return block_format_problem(f); };
  BlockFormat mx_with_ue4m3 = block_formats::mxfp4;
  mx_with_ue4m3.scale = formats::ue4m3;
  CHECK_THAT(problem(mx_with_ue4m3), Catch::Contains("floor") && Catch::Contains("ue4m3"));
  CHECK_THROWS_AS(validate(mx_with_ue4m3), std::invalid_argument);
  BlockFormat nv_with_ue8m0 = block_formats::nvfp4;
  nv_with_ue8m0.scale = formats::ue8m0;
  CHECK_THAT(problem(nv_with_ue8m0), Catch::Contains("nv_te") && Catch::Contains("ue8m0"));
  BlockFormat nv_rule_on_mx = block_formats::mxfp8_e4m3;
  nv_rule_on_mx.rule = ScaleRule::nv_exact;
  CHECK_FALSE(problem(nv_rule_on_mx).empty());
  for (int size : {0, -3, 1025}) {
    BlockFormat f = block_formats::mxfp4;
    f.block_size = size;
    CHECK_THAT(problem(f), Catch::Contains(std::to_string(size)));
  }
  for (int size : {1, 1024}) {
    BlockFormat f = block_formats::mxfp4;
    f.block_size = size;
    CHECK(problem(f).empty());
  }
  BlockFormat wide = block_formats::mxfp8_e4m3;
  wide.element = formats::fp16;
  CHECK_FALSE(problem(wide).empty());
  BlockFormat unsigned_int = block_formats::mxint8;
  unsigned_int.element = formats::uint8;
  CHECK_FALSE(problem(unsigned_int).empty());
  BlockOptions o;
  o.stochastic = true;
  for (int k : {0, 33}) {
    o.sr_bits = static_cast<uint8_t>(k);
    CHECK_THAT(block_options_problem(o), Catch::Contains(std::to_string(k)));
  }
  o.sr_bits = 1;
  CHECK(block_options_problem(o).empty());
}
