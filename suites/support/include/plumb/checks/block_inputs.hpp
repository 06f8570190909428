// plumb checks: seeded fp32 tensors for the block-quantisation suites (CPU and
// GPU), header-only. A tensor is reproducible from (rows, cols, seed, kind).
//
// `random`: every 8 x 8 region has its own binade (2^-40..2^40) and each
// element a sign, a 24-bit significand and an exponent up to 6 below it, so
// blocks see both wide and narrow dynamic ranges; some elements are +-0.
// `edge`: the same, then regions of zeros and of subnormals, and single NaNs,
// infinities, FLT_MAX, the smallest subnormal and values on rounding ties of
// the element grids (1 + 2^-k times a power of two).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "plumb/formats/block_scale.hpp"

namespace plumb::checks {

enum class BlockInput : uint8_t { random, edge };

inline uint64_t block_input_word(uint64_t seed, uint64_t index) {
  return splitmix64_mix(seed * 0xD1B54A32D192ED03ull + (index + 1) * kSplitmixGamma);
}

inline float block_input_value(uint64_t w, int region_exp) {
  const uint32_t sign = static_cast<uint32_t>(w >> 63) << 31;
  const int exp = region_exp - static_cast<int>((w >> 40) % 7) + 127;  // biased
  const uint32_t mant = static_cast<uint32_t>(w) & 0x7FFFFFu;
  if ((w >> 32) % 23 == 0) return f32_from_bits(sign);  // +-0
  return f32_from_bits(sign | (static_cast<uint32_t>(exp) << 23) | mant);
}

inline std::vector<float> block_test_tensor(size_t rows, size_t cols, uint64_t seed,
                                            BlockInput kind) {
  std::vector<float> x(rows * cols);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) {
      const uint64_t region = (r / 8) * 4099 + c / 8;
      const int region_exp = static_cast<int>(block_input_word(seed ^ 0xABCDu, region) % 81) - 40;
      x[r * cols + c] = block_input_value(block_input_word(seed, r * cols + c), region_exp);
    }
  if (kind == BlockInput::random) return x;

  const size_t n = x.size();
  auto at = [&](uint64_t k) -> float& { return x[block_input_word(seed ^ 0x5151u, k) % n]; };
  // A region of zeros (signed) and one of subnormals.
  for (size_t r = 0; r < rows && r < 16; ++r)
    for (size_t c = 0; c < cols && c < 16; ++c) {
      const uint64_t w = block_input_word(seed ^ 0x77u, r * cols + c);
      x[r * cols + c] = f32_from_bits(static_cast<uint32_t>(w >> 63) << 31);
    }
  for (size_t r = rows / 2; r < rows && r < rows / 2 + 16; ++r)
    for (size_t c = cols / 2; c < cols && c < cols / 2 + 16; ++c) {
      const uint64_t w = block_input_word(seed ^ 0x99u, r * cols + c);
      x[r * cols + c] = f32_from_bits((static_cast<uint32_t>(w >> 63) << 31) |
                                      (static_cast<uint32_t>(w) & 0x7FFFFFu));
    }
  const float inf = std::numeric_limits<float>::infinity();
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), inf, -inf,
                            std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(),
                            std::numeric_limits<float>::denorm_min(), 1.5e38f, -3.0e-39f};
  uint64_t k = 0;
  if (n >= 64)
    for (float s : specials) at(k++) = s;
  // Ties of 1..8-bit significands, in several binades.
  for (int i = 0; i < static_cast<int>(n / 16); ++i) {
    const uint64_t w = block_input_word(seed ^ 0x3131u, i);
    const int bits = 1 + static_cast<int>(w % 8);
    const int exp = static_cast<int>((w >> 8) % 40) - 20 + 127;
    const uint32_t mant = (static_cast<uint32_t>(w >> 16) & ((1u << bits) - 1)) << (23 - bits);
    at(k++) = f32_from_bits((static_cast<uint32_t>(w >> 63) << 31) |
                            (static_cast<uint32_t>(exp) << 23) | mant | (1u << (22 - bits)));
  }
  return x;
}

}  // namespace plumb::checks
