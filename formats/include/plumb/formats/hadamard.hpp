// plumb formats: the 16-point random Hadamard transform of block-scaled
// quantisation (docs/BLOCK_SEMANTICS.md, "Random Hadamard transform"), host
// and device. y = (1/4) H16 D x with Sylvester's H16 and D = diag(s_j), in
// fp32, one rounding per butterfly operation, in the specification's order.
#pragma once

#include <cstddef>
#include <cstdint>

#include "plumb/formats/block_scale.hpp"

namespace plumb {

inline constexpr int kHadamardSize = 16;

// The butterflies for h = 1, 2, 4, 8: v_j, v_{j+h} = fp32(a + b), fp32(a - b).
PLUMB_HD inline void hadamard16_butterflies(float v[kHadamardSize]) {
  for (int h = 1; h < kHadamardSize; h *= 2)
    for (int j = 0; j < kHadamardSize; ++j)
      if ((j & h) == 0) {
        const float a = v[j], b = v[j + h];
        v[j] = f32_add(a, b);
        v[j + h] = f32_sub(a, b);
      }
}

// Forward: v_j = s_j x_j (exact), butterflies, y_j = fp32(v_j * 0.25).
PLUMB_HD inline void hadamard16_forward(float v[kHadamardSize], uint32_t signs) {
  for (int j = 0; j < kHadamardSize; ++j)
    if ((signs >> j) & 1u) v[j] = -v[j];
  hadamard16_butterflies(v);
  for (int j = 0; j < kHadamardSize; ++j) v[j] = f32_mul(v[j], 0.25f);
}

// Inverse: butterflies, fp32(. * 0.25), then times s_j (exact).
PLUMB_HD inline void hadamard16_inverse(float v[kHadamardSize], uint32_t signs) {
  hadamard16_butterflies(v);
  for (int j = 0; j < kHadamardSize; ++j) {
    v[j] = f32_mul(v[j], 0.25f);
    if ((signs >> j) & 1u) v[j] = -v[j];
  }
}

// One group of 16 elements of a tensor, `stride` floats apart, in place.
PLUMB_HD inline void hadamard16_group(float* x, size_t stride, uint32_t signs, bool inverse) {
  float v[kHadamardSize];
  for (int j = 0; j < kHadamardSize; ++j) v[j] = x[j * stride];
  if (inverse) hadamard16_inverse(v, signs);
  else hadamard16_forward(v, signs);
  for (int j = 0; j < kHadamardSize; ++j) x[j * stride] = v[j];
}

}  // namespace plumb
