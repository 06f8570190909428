// plumb reference, block oracle: the random Hadamard transform (see
// mpfr_hadamard.hpp).
#include "mpfr_hadamard.hpp"

#include <stdexcept>
#include <string>

#include "mpfr_block_round.hpp"
#include "mpfr_fp32.hpp"

namespace plumb::reference::block_oracle {

namespace {

constexpr size_t kGroup = 16;

// Sylvester's butterflies on 16 fp32 values, each sum and difference one
// fp32 operation, then fp32(v_j * 0.25).
void butterflies_then_quarter(Real (&v)[kGroup]) {
  Real a(kFp32Precision), b(kFp32Precision), quarter(kFp32Precision);
  for (size_t h = 1; h < kGroup; h <<= 1) {
    for (size_t j = 0; j < kGroup; ++j) {
      if (j & h) continue;
      mpfr_set(a, v[j], MPFR_RNDN);
      mpfr_set(b, v[j + h], MPFR_RNDN);
      fp32_add(v[j], a, b);
      fp32_sub(v[j + h], a, b);
    }
  }
  mpfr_set_d(quarter, 0.25, MPFR_RNDN);
  for (auto& x : v) fp32_mul(x, x, quarter);
}

// s_j x_j: exact (a sign change; -1 * 0 = -0, as in IEEE multiplication).
void apply_signs(Real (&v)[kGroup], uint16_t signs) {
  for (size_t j = 0; j < kGroup; ++j)
    if ((signs >> j) & 1) mpfr_neg(v[j], v[j], MPFR_RNDN);
}

}  // namespace

uint16_t hadamard_signs(uint64_t hadamard_seed) {
  return static_cast<uint16_t>(splitmix64_mix(hadamard_seed + 0x9E3779B97F4A7C15ull) & 0xFFFF);
}

void check_hadamard_length(size_t rows, size_t cols, BlockLayout layout) {
  const bool down_columns = layout == BlockLayout::cols;
  const size_t length = down_columns ? rows : cols;
  if (length % kGroup != 0)
    throw std::invalid_argument("the Hadamard transform needs a multiple of 16 elements along the block direction (" +
                                std::string(down_columns ? "rows" : "cols") + " = " + std::to_string(length) + ")");
}

void hadamard_tensor(std::vector<float>& x, size_t rows, size_t cols, BlockLayout layout,
                     uint64_t hadamard_seed, bool inverse) {
  check_hadamard_length(rows, cols, layout);
  const uint16_t signs = hadamard_signs(hadamard_seed);
  const bool down_columns = layout == BlockLayout::cols;
  // Group g of line `line`: element j sits at first + j * step.
  const size_t lines = down_columns ? cols : rows;
  const size_t groups = (down_columns ? rows : cols) / kGroup;
  const size_t step = down_columns ? cols : 1;
  Real v[kGroup];  // fp32_set gives each precision 24
  for (size_t line = 0; line < lines; ++line) {
    for (size_t g = 0; g < groups; ++g) {
      const size_t first = down_columns ? g * kGroup * cols + line : line * cols + g * kGroup;
      for (size_t j = 0; j < kGroup; ++j) fp32_set(v[j], x[first + j * step]);
      if (!inverse) apply_signs(v, signs);
      butterflies_then_quarter(v);
      if (inverse) apply_signs(v, signs);
      for (size_t j = 0; j < kGroup; ++j) x[first + j * step] = fp32_to_float(v[j]);
    }
  }
}

}  // namespace plumb::reference::block_oracle
