// The MPFR block oracle against docs/BLOCK_SEMANTICS.md, on examples worked
// out by hand. Each expected code carries its derivation: e is the ue8m0
// exponent (scale code e + 127), "q" the element value x 2^-e before rounding.
// e4m3fn codes: 2^k = (k + 7) << 3; e2m1fn codes: 0 0.5 1 1.5 2 3 4 6 = 0..7.
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "plumb/reference/block_reference.hpp"

namespace {

using namespace plumb;
using plumb::reference::mpfr_block_dequantize;
using plumb::reference::mpfr_block_quantize;
namespace B = plumb::block_formats;

BlockFormat with_rule(BlockFormat f, ScaleRule r) {
  f.rule = r;
  return f;
}

// One block of 32 (the rest of the block 0.0625, far below amax).
std::vector<float> block32(std::initializer_list<float> head) {
  std::vector<float> x(32, 0.0625f);
  size_t i = 0;
  for (float v : head) x[i++] = v;
  return x;
}

uint8_t scale_of(const BlockFormat& f, const std::vector<float>& x) {
  return mpfr_block_quantize(f, {}, x.data(), 1, x.size()).scales.at(0);
}

}  // namespace

TEST_CASE("OCP floor: e = floor(log2 amax) - emax_elem, elements RNE and saturated", "[reference][block]") {
  // mxfp4: amax 5, floor(log2 5) = 2, emax_elem 2: e = 0, scale 0x7f. 5 is a
  // tie of 4 (0x6) and 6 (0x7): even mantissa, 4. 0.75 a tie of 0.5 and 1: 1
  // (0x2). 0.25 a tie of 0 and 0.5: 0. -1.25 a tie of -1 and -1.5: -1 (0xa).
  auto x = block32({5.0f, 0.75f, 0.25f, -1.25f});
  auto q = mpfr_block_quantize(B::mxfp4, {}, x.data(), 1, 32);
  CHECK(q.scales == std::vector<uint8_t>{0x7f});
  CHECK(q.elements[0] == 0x6);
  CHECK(q.elements[1] == 0x2);
  CHECK(q.elements[2] == 0x0);
  CHECK(q.elements[3] == 0xa);
  CHECK(q.elements[4] == 0x0);  // 0.0625 is below the tie 0.25: 0
  CHECK(q.tensor_scale == 1.0f);
  // amax 7: e = 0 again; 7 is a tie of 6 and 8, 8 is even and beyond the
  // largest value: saturated to 6 (0x7). -7 the same, 0xf.
  x = block32({7.0f, -7.0f});
  q = mpfr_block_quantize(B::mxfp4, {}, x.data(), 1, 32);
  CHECK(q.scales[0] == 0x7f);
  CHECK(q.elements[0] == 0x7);
  CHECK(q.elements[1] == 0xf);
  // mxfp8_e4m3: amax 1.5, e = 0 - 8: scale 0x77; q = 384 = 1.5 2^8: 0x7c.
  x = block32({1.5f, -1.0f});
  q = mpfr_block_quantize(B::mxfp8_e4m3, {}, x.data(), 1, 32);
  CHECK(q.scales[0] == 0x77);
  CHECK(q.elements[0] == 0x7c);
  CHECK(q.elements[1] == 0xf8);  // -256: sign | 15 << 3
  // mxint8: amax 1.5, emax_elem 0: e = 0; q = x 2^6: 96 (0x60), 0.0625 -> 4.
  x = block32({1.5f, -1.9921875f});  // -127.5 / 64: a tie of -127 and -128: -128, clamped to -127 (0x81)
  q = mpfr_block_quantize(B::mxint8, {}, x.data(), 1, 32);
  CHECK(q.scales[0] == 0x7f);
  CHECK(q.elements[0] == 0x60);
  CHECK(q.elements[1] == 0x81);
  CHECK(q.elements[2] == 0x04);
}

TEST_CASE("MX rules ceil, even and rceil choose their exponent as specified", "[reference][block]") {
  const BlockFormat ceil4 = with_rule(B::mxfp4, ScaleRule::ceil);
  CHECK(scale_of(ceil4, block32({5.0f})) == 0x80);  // ceil(log2 5) = 3: e = 1
  CHECK(scale_of(ceil4, block32({4.0f})) == 0x7f);  // a power of two: ceil = floor
  // ceil: 5 / 2 = 2.5, a tie of 2 (0x4) and 3 (0x5): 2.
  auto x = block32({5.0f});
  CHECK(mpfr_block_quantize(ceil4, {}, x.data(), 1, 32).elements[0] == 0x4);

  // even, e2m1 (2 significant bits): 7 = 111b is a tie of 6 and 8, half up: 8, e = 3 - 2.
  const BlockFormat even4 = with_rule(B::mxfp4, ScaleRule::even);
  CHECK(scale_of(even4, block32({7.0f})) == 0x80);
  CHECK(scale_of(even4, block32({6.9990234375f})) == 0x7f);  // rounds to 6: e = 0
  // even, e4m3 (4 bits): 1.96875 = 1.11111b rounds half up to 10.000b: e = 1 - 8;
  // 1.90625 = 1.11101b to 1.111b: e = 0 - 8.
  const BlockFormat even8 = with_rule(B::mxfp8_e4m3, ScaleRule::even);
  CHECK(scale_of(even8, block32({1.96875f})) == 0x78);
  CHECK(scale_of(even8, block32({1.90625f})) == 0x77);
  CHECK(scale_of(even8, block32({1.9375f})) == 0x78);  // 1.1111b: exactly half a unit, up

  // rceil: e = ceil(log2(amax / max_elem)).
  const BlockFormat rceil4 = with_rule(B::mxfp4, ScaleRule::rceil);
  CHECK(scale_of(rceil4, block32({6.0f})) == 0x7f);                               // log2 1 = 0
  CHECK(scale_of(rceil4, block32({std::nextafter(6.0f, 7.0f)})) == 0x80);         // just above: 1
  CHECK(scale_of(rceil4, block32({3.0f})) == 0x7e);                               // log2 0.5 = -1
  CHECK(scale_of(rceil4, block32({3.5f})) == 0x7f);                               // log2 0.58: 0
  const BlockFormat rceil_int8 = with_rule(B::mxint8, ScaleRule::rceil);
  CHECK(scale_of(rceil_int8, block32({127.0f / 64})) == 0x7f);                    // exactly max_elem
  CHECK(scale_of(rceil_int8, block32({2.0f})) == 0x80);                           // 128/127 > 1
  // rceil never saturates: the amax lands at or below max_elem.
  auto y = block32({std::nextafter(6.0f, 7.0f)});
  CHECK(mpfr_block_quantize(rceil4, {}, y.data(), 1, 32).elements[0] == 0x5);  // 3.0000002 -> 3
}

TEST_CASE("MX exponents are clamped to [-127, 127]", "[reference][block]") {
  // The smallest subnormal 2^-149: floor e = -149 - 8, clamped to -127 (code 0);
  // q = 2^-149 2^127 = 2^-22, below e4m3's smallest subnormal 2^-9: +0.
  auto x = block32({});
  for (float& v : x) v = std::numeric_limits<float>::denorm_min();
  auto q = mpfr_block_quantize(B::mxfp8_e4m3, {}, x.data(), 1, 32);
  CHECK(q.scales[0] == 0x00);
  CHECK(q.elements[0] == 0x00);
  // FLT_MAX with mxint8 (emax_elem 0): e = 127, q = 1.99999988 2^6: 128 -> 127.
  x.assign(32, std::numeric_limits<float>::max());
  q = mpfr_block_quantize(B::mxint8, {}, x.data(), 1, 32);
  CHECK(q.scales[0] == 0xfe);
  CHECK(q.elements[0] == 0x7f);
}

TEST_CASE("zero blocks: MX scale 0x00, NV per formula, signed zero elements", "[reference][block]") {
  std::vector<float> x(32, 0.0f);
  x[1] = -0.0f;
  auto q = mpfr_block_quantize(B::mxfp8_e4m3, {}, x.data(), 1, 32);
  CHECK(q.scales[0] == 0x00);
  CHECK(q.elements[0] == 0x00);
  CHECK(q.elements[1] == 0x80);  // -0
  q = mpfr_block_quantize(B::mxint8, {}, x.data(), 1, 32);
  CHECK(q.elements[1] == 0x00);  // integers: 0
  for (ScaleRule r : {ScaleRule::nv_te, ScaleRule::nv_exact}) {
    q = mpfr_block_quantize(with_rule(B::nvfp4, r), {}, x.data(), 2, 16);  // gamax 0: S_enc = 1
    CHECK(q.tensor_scale == 1.0f);
    CHECK(q.scales == std::vector<uint8_t>{0x00, 0x00});
    CHECK(q.elements[0] == 0x0);
    CHECK(q.elements[1] == 0x8);  // e2m1 -0
  }
  // Dequantised: signed zeros back.
  const auto y = mpfr_block_dequantize(B::mxfp8_e4m3, {}, std::vector<uint8_t>(32, 0x80).data(),
                                       std::vector<uint8_t>{0x00}.data(), 1.0f, 1, 32);
  CHECK(std::signbit(y[0]));
  CHECK(y[0] == 0.0f);
}

TEST_CASE("a NaN or an infinity makes its block NaN, and only its block", "[reference][block]") {
  std::vector<float> x(64, 1.0f);
  x[3] = std::numeric_limits<float>::quiet_NaN();
  x[40] = -std::numeric_limits<float>::infinity();
  auto q = mpfr_block_quantize(B::mxfp8_e4m3, {}, x.data(), 1, 64);
  CHECK(q.scales == std::vector<uint8_t>{0xff, 0xff});
  CHECK(q.elements[0] == 0x7f);  // e4m3fn's NaN, positive, for every element
  q = mpfr_block_quantize(B::mxfp8_e5m2, {}, x.data(), 2, 32);
  CHECK(q.scales == std::vector<uint8_t>{0xff, 0xff});
  CHECK(q.elements[5] == 0x7e);  // e5m2's quiet NaN
  x[40] = 2.0f;
  q = mpfr_block_quantize(B::mxfp4, {}, x.data(), 1, 64);
  CHECK(q.scales[0] == 0xff);
  CHECK(q.elements[0] == 0x0);   // e2m1 has no NaN: 0
  CHECK(q.scales[1] == 0x7e);    // amax 2: floor 1 - 2 = -1
  q = mpfr_block_quantize(B::nvfp4, {}, x.data(), 4, 16);
  CHECK(q.scales[0] == 0x7f);   // ue4m3's NaN
  CHECK(q.tensor_scale == 1344.0f);  // gamax 2 (finite only): 448 * 6 / 2
  const auto y = mpfr_block_dequantize(B::mxfp4, {}, q.elements.data(), std::vector<uint8_t>{0xff, 0x7f}.data(), 1.0f,
                                       1, 64);
  CHECK(std::isnan(y[31]));
  CHECK_FALSE(std::isnan(y[32]));
}

TEST_CASE("NV scales: S_enc, and ue4m3 ties rounded to even", "[reference][block]") {
  // gamax 2688 = 448 * 6: S_enc = 1. nv_exact: bamax / 6 exactly.
  // Block 1: bamax 6.375 = 6 * 1.0625, a tie of 1 (0x38) and 1.125 (0x39): 0x38.
  // Block 2: bamax 7.125 = 6 * 1.1875, a tie of 1.125 and 1.25 (0x3a): 0x3a.
  std::vector<float> x(48, 0.5f);
  x[0] = 2688.0f;
  x[16] = 6.375f;
  x[32] = -7.125f;
  const auto q = mpfr_block_quantize(with_rule(B::nvfp4, ScaleRule::nv_exact), {}, x.data(), 1, 48);
  CHECK(q.tensor_scale == 1.0f);
  CHECK(q.scales == std::vector<uint8_t>{0x7e, 0x38, 0x3a});  // 2688 / 6 = 448: 0x7e
  // Elements of block 1: x / 1: 6.375 -> 6 (saturated: 0x7), 0.5 -> 0x1.
  CHECK(q.elements[16] == 0x7);
  CHECK(q.elements[17] == 0x1);
  // Block 2: x / 1.25: -5.7 -> -6 (0xf), 0.4 -> 0.5 (0x1).
  CHECK(q.elements[32] == 0xf);
  CHECK(q.elements[33] == 0x1);
  // Without a tensor scale S_enc = 1 whatever gamax is.
  BlockFormat no_ts = B::nvfp4;
  no_ts.tensor_scale = false;
  x[0] = 1.0f;
  CHECK(mpfr_block_quantize(no_ts, {}, x.data(), 1, 48).tensor_scale == 1.0f);
}

TEST_CASE("short and partial blocks are quantised like full ones", "[reference][block]") {
  // 1 x 33, block 32: the second block is x[32] alone.
  std::vector<float> x(33, 0.25f);
  x[32] = 3.0f;
  const auto q = mpfr_block_quantize(B::mxfp4, {}, x.data(), 1, 33);
  const auto one = mpfr_block_quantize(B::mxfp4, {}, x.data() + 32, 1, 1);
  REQUIRE(q.scales.size() == 2);
  CHECK(q.scales[1] == one.scales[0]);
  CHECK(q.elements[32] == one.elements[0]);
  // tile_2d on 17 x 20: 2 x 2 tiles.
  std::vector<float> t(17 * 20, 1.0f);
  CHECK(mpfr_block_quantize(B::mxfp4, {BlockLayout::tile_2d}, t.data(), 17, 20).scales.size() == 4);
}

TEST_CASE("the oracle refuses what the specification refuses, naming it", "[reference][block]") {
  std::vector<float> x(51, 1.0f);
  auto refused = [&](const BlockFormat& f, const BlockOptions& o, size_t rows, size_t cols, const char* word) {
    try {
      mpfr_block_quantize(f, o, x.data(), rows, cols);
    } catch (const std::invalid_argument& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(word) != std::string::npos);
      return true;
    }
    return false;
  };
  BlockFormat mx_with_ue4m3 = B::mxfp4;
  mx_with_ue4m3.scale = formats::ue4m3;
  CHECK(refused(mx_with_ue4m3, {}, 1, 32, "floor"));
  CHECK(refused(with_rule(B::mxfp4, ScaleRule::nv_te), {}, 1, 32, "ue8m0"));
  BlockOptions h;
  h.hadamard = true;
  CHECK(refused(B::mxfp4, h, 3, 17, "17"));
  h.layout = BlockLayout::cols;
  CHECK(refused(B::mxfp4, h, 3, 16, "3"));
  CHECK(refused(B::mxfp4, {}, 0, 5, "rows"));
}
