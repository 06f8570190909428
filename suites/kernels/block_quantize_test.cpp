// cpu_block (formats/block_quantize.hpp on the host) against properties of
// docs/BLOCK_SEMANTICS.md that need no MPFR: every MX element within half an
// element quantum times the scale (or saturated where the rule allows it),
// each rule's scale from its block's amax, special blocks, nv_exact's
// nearest-value choices, symmetric integers. The kernel-vs-MPFR suite is
// elsewhere; these catch a wrong rule, block mapping or special case directly.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "block_test_util.hpp"
#include "plumb/checks/block_inputs.hpp"

using namespace plumb;
using namespace plumb::block_test;

namespace {

const ScaleRule kMxRules[] = {ScaleRule::floor, ScaleRule::ceil, ScaleRule::even, ScaleRule::rceil};

double block_amax(const std::vector<float>& x, size_t rows, size_t cols, BlockLayout layout,
                  int block, size_t br, size_t bc, bool* special) {
  double m = 0;
  *special = false;
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c)
      if (block_of(layout, block, r, c) == std::make_pair(br, bc)) {
        if (!std::isfinite(x[r * cols + c])) *special = true;
        else m = std::max(m, std::fabs(static_cast<double>(x[r * cols + c])));
      }
  return m;
}

}  // namespace

TEST_CASE("MX elements dequantise within half a quantum of the scaled grid", "[block][mx]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  const size_t rows = 37, cols = 53;
  for (const auto& named : named_block_formats()) {
    if (is_nv_rule(named.format.rule)) continue;
    for (ScaleRule rule : kMxRules)
      for (int layout = 0; layout < kBlockLayoutCount; ++layout)
        for (auto kind : {checks::BlockInput::random, checks::BlockInput::edge}) {
          BlockFormat f = named.format;
          f.rule = rule;
          BlockOptions o;
          o.layout = static_cast<BlockLayout>(layout);
          const auto x = checks::block_test_tensor(rows, cols, seed + layout, kind);
          const Quantized q = quantize_ok(f, o, x, rows, cols);
          const auto y = dequantize_ok(f, o, q, rows, cols);
          const double max_elem = max_element(f);
          const ElementMax em = element_max(f);
          INFO(block_format_name(f) << " layout " << block_layout_name(o.layout));
          for (size_t r = 0; r < rows; ++r)
            for (size_t c = 0; c < cols; ++c) {
              const auto [br, bc] = block_of(o.layout, f.block_size, r, c);
              const uint8_t sc = q.scales[br * q.grid_cols + bc];
              const size_t i = r * cols + c;
              bool special = false;
              const double amax = block_amax(x, rows, cols, o.layout, f.block_size, br, bc, &special);
              INFO("element (" << r << ", " << c << ") x " << x[i] << " block amax " << amax
                               << " scale 0x" << std::hex << int(sc) << " code 0x" << int(q.elements[i])
                               << std::dec << " y " << y[i]);
              if (special) {  // checked by the special-block test
                REQUIRE(sc == 0xFF);
                continue;
              }
              const int e = sc - 127;
              // The scale's binade, from the block's amax.
              if (amax == 0) REQUIRE(sc == 0);
              else if (e > -127 && e < 127) {
                const double v = std::ldexp(amax, -e);
                if (rule == ScaleRule::floor) REQUIRE((v >= std::ldexp(1.0, em.emax) && v < std::ldexp(1.0, em.emax + 1)));
                if (rule == ScaleRule::ceil) REQUIRE((v > std::ldexp(1.0, em.emax - 1) && v <= std::ldexp(1.0, em.emax)));
                if (rule == ScaleRule::rceil) REQUIRE((v > max_elem / 2 && v <= max_elem));
              }
              // The element, from x.
              const double v = std::ldexp(static_cast<double>(x[i]), -e);
              const double got = element_value(f, q.elements[i]);
              if (std::fabs(v) > max_elem) {
                REQUIRE((rule != ScaleRule::rceil || e == 127));  // rceil: only where e is clamped
                REQUIRE(got == std::copysign(max_elem, v));
              } else {
                REQUIRE(std::fabs(got - v) <= element_quantum(f, v) / 2);
              }
              // Dequantisation: one fp32 rounding of got * 2^e.
              REQUIRE(static_cast<double>(y[i]) == static_cast<double>(static_cast<float>(std::ldexp(got, e))));
              if (got != 0 || !f.element.is_integer()) REQUIRE(std::signbit(y[i]) == std::signbit(x[i]));
            }
        }
  }
}

TEST_CASE("blocks with NaN, infinity or only zeros are quantised as specified", "[block][special]") {
  // 1 x 64, rows layout, block 16: block 0 has a NaN, block 1 an infinity,
  // block 2 only zeros of both signs, block 3 ordinary values.
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  std::vector<float> x(64);
  for (size_t i = 0; i < 64; ++i) x[i] = 0.37f * static_cast<float>(i + 1) * (i % 3 ? 1.0f : -1.0f);
  x[5] = nan;
  x[16 + 9] = -inf;
  for (size_t i = 32; i < 48; ++i) x[i] = i % 2 ? -0.0f : 0.0f;
  std::vector<float> finite = x;  // the same tensor with the specials as zeros
  finite[5] = finite[16 + 9] = 0.0f;
  for (const auto& named : named_block_formats()) {
    std::vector<ScaleRule> rules(std::begin(kMxRules), std::end(kMxRules));
    if (is_nv_rule(named.format.rule)) rules = {ScaleRule::nv_te, ScaleRule::nv_exact};
    for (ScaleRule rule : rules) {
      BlockFormat f = named.format;
      f.rule = rule;
      f.block_size = 16;
      const BlockOptions o;
      INFO(block_format_name(f));
      const Quantized q = quantize_ok(f, o, x, 1, 64);
      const auto y = dequantize_ok(f, o, q, 1, 64);
      const uint8_t nan_scale = is_nv_rule(rule) ? 0x7F : 0xFF;
      const uint8_t nan_element = f.element == formats::e4m3fn ? 0x7F : f.element == formats::e5m2 ? 0x7E : 0x00;
      for (size_t b = 0; b < 2; ++b) {
        CHECK(q.scales[b] == nan_scale);
        for (size_t i = 16 * b; i < 16 * b + 16; ++i) {
          CHECK(q.elements[i] == nan_element);
          CHECK(f32_bits(y[i]) == kF32CanonicalNaN);
        }
      }
      CHECK(q.scales[2] == 0x00);  // MX: 2^-127; NV: value 0
      for (size_t i = 32; i < 48; ++i) {
        const bool negative = std::signbit(x[i]);
        CHECK(q.elements[i] == (negative && !f.element.is_integer() ? f.element.sign_bit() : 0));
        CHECK(y[i] == 0.0f);
        CHECK(std::signbit(y[i]) == (negative && !f.element.is_integer()));
      }
      CHECK(q.scales[3] != nan_scale);
      for (size_t i = 48; i < 64; ++i) CHECK(std::isfinite(y[i]));
      // The NV tensor amax leaves the non-finite elements out.
      const Quantized qf = quantize_ok(f, o, finite, 1, 64);
      CHECK(same_bits(q.tensor_scale, qf.tensor_scale));
      CHECK(q.scales[3] == qf.scales[3]);
      if (!is_nv_rule(rule)) CHECK(q.tensor_scale == 1.0f);
      else CHECK(q.tensor_scale == 448.0f * static_cast<float>(max_element(f)) / (0.37f * 64));
    }
  }
}

TEST_CASE("nv_exact picks the nearest scale and the nearest elements", "[block][nv]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  const size_t rows = 32, cols = 48;
  for (BlockFormat f : {block_formats::nvfp4, block_formats::nvint4})
    for (auto kind : {checks::BlockInput::random, checks::BlockInput::edge}) {
      f.rule = ScaleRule::nv_exact;
      const BlockOptions o;
      const auto x = checks::block_test_tensor(rows, cols, seed, kind);
      const Quantized q = quantize_ok(f, o, x, rows, cols);
      const long double s_enc = q.tensor_scale, m = max_element(f);
      // Is `code` a nearest value of v (long double: x * S_enc / s has 48 + 4 bits, the
      // quotient is within 2^-63 relative), or the saturated maximum above it?
      auto nearest = [](const FormatDesc& fmt, int shift, uint64_t code, long double v) {
        const long double got = std::ldexp(static_cast<long double>(decode(fmt, code)), shift);
        const long double d = std::fabs(got - v);
        for (bool up : {true, false}) {
          uint64_t n = code;
          if (!(up ? next_up(fmt, n) : next_down(fmt, n))) continue;
          const long double other = std::ldexp(static_cast<long double>(decode(fmt, n)), shift);
          if (std::fabs(other - v) < d * (1 - 0x1p-50L)) return false;
        }
        return true;
      };
      for (size_t br = 0; br < rows; ++br)
        for (size_t bc = 0; bc < q.grid_cols; ++bc) {
          const uint8_t sc = q.scales[br * q.grid_cols + bc];
          bool special = false;
          const long double amax = block_amax(x, rows, cols, o.layout, 16, br, bc, &special);
          if (special) continue;
          INFO(block_format_name(f) << " block (" << br << ", " << bc << ") amax " << double(amax)
                                    << " scale 0x" << std::hex << int(sc));
          const long double want_s = amax * s_enc / m;
          if (want_s >= 448) REQUIRE(sc == 0x7E);
          else REQUIRE(nearest(formats::ue4m3, 0, sc, want_s));
          const long double vs = decode(formats::ue4m3, sc);
          for (size_t c = bc * 16; c < std::min(cols, bc * 16 + 16); ++c) {
            const float xi = x[br * cols + c];
            const uint8_t code = q.elements[br * cols + c];
            INFO("x " << xi << " code 0x" << std::hex << int(code));
            if (vs == 0) {
              REQUIRE(element_value(f, code) == 0);
              continue;
            }
            const long double v = xi * s_enc / vs;
            if (std::fabs(v) > m) REQUIRE(element_value(f, code) == std::copysign(double(m), double(v)));
            else REQUIRE(nearest(f.element, f.element_shift, code, v));
          }
        }
    }
}

TEST_CASE("integer elements are symmetric: -max-1 is never produced", "[block][int]") {
  const uint64_t seed = Catch::rngSeed();
  INFO("seed " << seed);
  for (BlockFormat f : {block_formats::mxint8, block_formats::nvint4}) {
    std::vector<ScaleRule> rules(std::begin(kMxRules), std::end(kMxRules));
    if (is_nv_rule(f.rule)) rules = {ScaleRule::nv_te, ScaleRule::nv_exact};
    for (ScaleRule rule : rules) {
      f.rule = rule;
      const BlockOptions o;
      INFO(block_format_name(f));
      const auto x = checks::block_test_tensor(64, 64, seed, checks::BlockInput::edge);
      const Quantized q = quantize_ok(f, o, x, 64, 64);
      for (uint8_t e : q.elements) REQUIRE(e != f.element.sign_bit());
    }
  }
  // Cases that round to -max-1 before the clamp. MXINT8, floor: x * 2^-e * 64
  // = -127.9. NVINT4 without a tensor scale: the scale saturates at 448, so
  // -5000 / 448 = -11.2 saturates to -8.
  std::vector<float> edge(32, 0.25f);
  edge[3] = -1.999f;
  const Quantized q8 = quantize_ok(block_formats::mxint8, BlockOptions{}, edge, 1, 32);
  CHECK(q8.elements[3] == 0x81);
  edge[3] = -5000.0f;
  for (ScaleRule rule : {ScaleRule::nv_te, ScaleRule::nv_exact}) {
    BlockFormat f = block_formats::nvint4;
    f.tensor_scale = false;
    f.rule = rule;
    const Quantized q4 = quantize_ok(f, BlockOptions{}, edge, 1, 32);
    CHECK(q4.tensor_scale == 1.0f);
    CHECK(q4.scales[0] == 0x7E);
    CHECK(q4.elements[3] == 0x9);
  }
}
