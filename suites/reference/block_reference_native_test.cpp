// The MPFR block oracle against the specification's operation sequences
// written out in this test with native binary32 arithmetic (IEEE operations
// on x86-64 SSE; ISO C++ mode, so no contraction), and every rounding into a
// narrow format asked of the conversion oracle mpfr_convert. This checks the
// oracle's MPFR emulation of fp32 operations (Hadamard butterflies, the NV
// rules), its scale rules and its element roundings (nearest even and
// stochastic, with block_rbits written here from the document), on seeded
// random blocks. The seed is Catch's --rng-seed.
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cfloat>
#include <cmath>
#include <vector>

#include "plumb/checks/block_cases.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/reference/block_reference.hpp"
#include "plumb/reference/convert_reference.hpp"

namespace {

using namespace plumb;
using plumb::reference::mpfr_block_dequantize;
using plumb::reference::mpfr_block_quantize;
using plumb::reference::mpfr_convert;
namespace B = plumb::block_formats;

uint64_t mix(uint64_t z) {  // BLOCK_SEMANTICS.md's splitmix64_mix
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
uint32_t rbits(uint64_t seed, uint64_t i) {
  return static_cast<uint32_t>(mix((seed ^ 0x5eed5eed5eedull) + (i + 1) * 0x9E3779B97F4A7C15ull) >> 32);
}
uint16_t hadamard_signs(uint64_t seed) { return static_cast<uint16_t>(mix(seed + 0x9E3779B97F4A7C15ull)); }

// Rounds an fp32 or fp64 value into `to` with the conversion oracle; integer
// results clamped to [-max, max].
uint8_t round_into(const FormatDesc& to, double x, const BlockOptions& o, uint64_t i) {
  const RoundingSpec spec{o.stochastic ? Rounding::stochastic : Rounding::nearest_even, Overflow::saturate,
                          static_cast<uint8_t>(o.stochastic ? o.sr_bits : 0)};
  const uint32_t r = o.stochastic ? rbits(o.sr_seed, i) : 0;
  uint64_t code = mpfr_convert(formats::fp64, to, std::bit_cast<uint64_t>(x), spec, r).code;
  if (to.is_integer() && code == to.sign_bit()) code |= 1;  // -2^(b-1) -> -(2^(b-1) - 1)
  return static_cast<uint8_t>(code);
}

// Seeded test blocks: mixed binades, some zeros, some subnormals.
std::vector<float> random_tensor(size_t n, uint64_t seed) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t w = mix(seed * 0x9E3779B97F4A7C15ull + i);
    const int e = static_cast<int>((w >> 32) % 60) - 30 + (i / 16 % 3 == 2 ? -110 : 0);  // some blocks tiny
    x[i] = std::ldexp(static_cast<float>(w & 0xFFFFFF) * 0x1p-24f + 0.5f, e) * ((w >> 63) ? -1.0f : 1.0f);
    if ((w >> 40) % 29 == 0) x[i] = 0.0f;
  }
  return x;
}

void native_hadamard(float* v, size_t step, uint16_t signs, bool inverse) {
  float y[16];
  for (int j = 0; j < 16; ++j) y[j] = (!inverse && ((signs >> j) & 1)) ? -v[j * step] : v[j * step];
  for (int h = 1; h < 16; h <<= 1)
    for (int j = 0; j < 16; ++j)
      if (!(j & h)) {
        const float a = y[j], b = y[j + h];
        y[j] = a + b;
        y[j + h] = a - b;
      }
  for (int j = 0; j < 16; ++j) {
    y[j] = y[j] * 0.25f;
    v[j * step] = (inverse && ((signs >> j) & 1)) ? -y[j] : y[j];
  }
}

bool same(float a, float b) { return (a != a && b != b) || std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b); }

}  // namespace

TEST_CASE("nv_te is TE's fp32 operation sequence, step by step", "[reference][block][native]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  for (const BlockFormat& f : {B::nvfp4, B::nvint4}) {
    const float m = f.element.is_integer() ? 7.0f : 6.0f;
    for (bool sr : {false, true}) {
      BlockOptions o;
      o.stochastic = sr;
      o.sr_bits = 5;
      o.sr_seed = seed;
      std::vector<float> x = random_tensor(64 * 16, seed);
      if (sr) x[3] = 1e30f;  // an outlier: most blocks get scale 0 and c = FLT_MAX
      const auto q = mpfr_block_quantize(f, o, x.data(), 64, 16);
      float gamax = 0;
      for (float v : x) gamax = std::max(gamax, std::fabs(v));
      float s_enc = std::min(448.0f * m / gamax, FLT_MAX);
      CHECK(same(q.tensor_scale, s_enc));
      const float t = s_enc * (1.0f / m), g = 1.0f / s_enc;
      for (size_t b = 0; b < 64; ++b) {
        float bamax = 0;
        for (size_t j = 0; j < 16; ++j) bamax = std::max(bamax, std::fabs(x[b * 16 + j]));
        const float d = std::min(bamax * t, FLT_MAX);
        const uint8_t s = round_into(formats::ue4m3, d, {}, 0);
        INFO("block " << b << " bamax " << bamax << " d " << d);
        REQUIRE(q.scales[b] == s);
        const float c = std::min(1.0f / (static_cast<float>(decode(formats::ue4m3, s)) * g), FLT_MAX);
        for (size_t j = 0; j < 16; ++j) {
          const size_t i = b * 16 + j;
          INFO("x[" << i << "] = " << x[i] << " x c = " << x[i] * c);
          REQUIRE(q.elements[i] == round_into(f.element, x[i] * c, o, i));
        }
      }
    }
  }
}

TEST_CASE("MX elements are one rounding of x 2^-e, e from floor(log2 amax)", "[reference][block][native]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  for (const BlockFormat& f : {B::mxfp8_e4m3, B::mxfp8_e5m2, B::mxfp6_e3m2, B::mxfp6_e2m3, B::mxfp4, B::mxint8}) {
    for (bool sr : {false, true}) {
      BlockOptions o;
      o.stochastic = sr;
      o.sr_bits = sr ? 32 : 8;
      o.sr_seed = seed + 1;
      const std::vector<float> x = random_tensor(8 * 32, seed + 2);
      const auto q = mpfr_block_quantize(f, o, x.data(), 8, 32);
      const double max_elem = std::ldexp(decode(f.element, f.element.max_finite_code()), f.element_shift);
      const int emax_elem = std::ilogb(max_elem);
      for (size_t b = 0; b < 8; ++b) {
        float amax = 0;
        for (size_t j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[b * 32 + j]));
        const int e = amax == 0 ? -127 : std::clamp(std::ilogb(amax) - emax_elem, -127, 127);
        REQUIRE(q.scales[b] == e + 127);
        for (size_t j = 0; j < 32; ++j) {
          const size_t i = b * 32 + j;
          INFO("block " << b << " x " << x[i] << " e " << e);
          REQUIRE(q.elements[i] == round_into(f.element, std::ldexp(double{x[i]}, -e - f.element_shift), o, i));
        }
      }
      // Dequantised: y = value(q) 2^shift 2^e, exactly (these values fit fp32).
      const auto y = mpfr_block_dequantize(f, o, q.elements.data(), q.scales.data(), 1.0f, 8, 32);
      for (size_t i = 0; i < y.size(); ++i)
        REQUIRE(same(y[i], static_cast<float>(std::ldexp(decode(f.element, q.elements[i]),
                                                         f.element_shift + q.scales[i / 32] - 127))));
    }
  }
}

TEST_CASE("the Hadamard transform is the butterflies in fp32, forward and inverse", "[reference][block][native]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  for (BlockLayout layout : {BlockLayout::rows, BlockLayout::cols, BlockLayout::tile_2d}) {
    BlockOptions h;
    h.layout = layout;
    h.hadamard = true;
    h.hadamard_seed = seed;
    BlockOptions plain = h;
    plain.hadamard = false;
    const size_t rows = 32, cols = 48;
    std::vector<float> x = random_tensor(rows * cols, seed + 3);
    x[5] = 3e38f;  // sums overflow to infinity in its group
    std::vector<float> t = x;
    const bool down = layout == BlockLayout::cols;
    for (size_t line = 0; line < (down ? cols : rows); ++line)
      for (size_t g = 0; g < (down ? rows : cols) / 16; ++g)
        native_hadamard(&t[down ? g * 16 * cols + line : line * cols + g * 16], down ? cols : 1,
                        hadamard_signs(seed), false);
    for (const BlockFormat& f : {B::mxfp8_e4m3, B::nvfp4}) {
      const auto a = mpfr_block_quantize(f, h, x.data(), rows, cols);
      const auto b = mpfr_block_quantize(f, plain, t.data(), rows, cols);
      CHECK(a.elements == b.elements);
      CHECK(a.scales == b.scales);
      CHECK(same(a.tensor_scale, b.tensor_scale));
      // Dequantisation inverts last: the plain dequantisation, then the inverse butterflies.
      const auto ya = mpfr_block_dequantize(f, h, a.elements.data(), a.scales.data(), a.tensor_scale, rows, cols);
      auto yb = mpfr_block_dequantize(f, plain, a.elements.data(), a.scales.data(), a.tensor_scale, rows, cols);
      for (size_t line = 0; line < (down ? cols : rows); ++line)
        for (size_t g = 0; g < (down ? rows : cols) / 16; ++g)
          native_hadamard(&yb[down ? g * 16 * cols + line : line * cols + g * 16], down ? cols : 1,
                          hadamard_signs(seed), true);
      size_t differ = 0;
      for (size_t i = 0; i < ya.size(); ++i) differ += !same(ya[i], yb[i]);
      CHECK(differ == 0);
    }
  }
}

TEST_CASE("the Hadamard transform of a one-hot vector is +-1/4 everywhere", "[reference][block]") {
  // y = (1/4) H16 D e_k: y_i = s_k (-1)^popcount(i & k) / 4. mxfp8_e4m3 holds
  // it exactly: amax 1/4, e = -2 - 8, elements +-256 = 0x78 / 0xf8.
  const uint64_t seed = 12345;
  const uint16_t signs = hadamard_signs(seed);
  BlockOptions h;
  h.hadamard = true;
  h.hadamard_seed = seed;
  for (int k = 0; k < 16; ++k) {
    std::vector<float> x(16, 0.0f);
    x[k] = 1.0f;
    const auto q = mpfr_block_quantize(B::mxfp8_e4m3, h, x.data(), 1, 16);
    CHECK(q.scales[0] == 127 - 10);
    for (int i = 0; i < 16; ++i) {
      const bool negative = (((signs >> k) & 1) + std::popcount(static_cast<unsigned>(i & k))) % 2 == 1;
      CHECK(q.elements[i] == (negative ? 0xf8 : 0x78));
    }
    const auto y = mpfr_block_dequantize(B::mxfp8_e4m3, h, q.elements.data(), q.scales.data(), 1.0f, 1, 16);
    for (int i = 0; i < 16; ++i) CHECK(y[i] == (i == k ? 1.0f : 0.0f));
  }
}

TEST_CASE("the cols layout of a tensor is the rows layout of its transpose", "[reference][block]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  const size_t rows = 33, cols = 45;
  const std::vector<float> x = checks::distribution_tensor(checks::BlockDistribution::student_t3, rows, cols, seed);
  std::vector<float> xt(rows * cols);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) xt[c * rows + r] = x[r * cols + c];
  for (const BlockFormat& f : {B::mxfp6_e2m3, B::nvint4}) {
    const auto a = mpfr_block_quantize(f, {BlockLayout::cols}, x.data(), rows, cols);
    const auto b = mpfr_block_quantize(f, {BlockLayout::rows}, xt.data(), cols, rows);
    const size_t grid_rows = (rows + f.block_size - 1) / f.block_size;
    REQUIRE(a.scales.size() == b.scales.size());
    for (size_t g = 0; g < grid_rows; ++g)
      for (size_t c = 0; c < cols; ++c) CHECK(a.scales[g * cols + c] == b.scales[c * grid_rows + g]);
    for (size_t r = 0; r < rows; ++r)
      for (size_t c = 0; c < cols; ++c) CHECK(a.elements[r * cols + c] == b.elements[c * rows + r]);
  }
}
