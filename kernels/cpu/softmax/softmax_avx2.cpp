// plumb CPU softmax kernels on AVX2 + FMA: softmax_simd.hpp with 8 lanes.
// Compiled with -mavx2 -mfma; called only when the CPU has both.
#include "softmax_simd.hpp"
#include "softmax_simd_rows.hpp"

namespace plumb::kernels::cpu::simd {

void avx2_rows(SoftmaxAlgorithm a, bool safe, const float* x, float* y, size_t rows, size_t cols) {
  rows_with<Softmax<8>>(a, safe, x, y, rows, cols);
}

}  // namespace plumb::kernels::cpu::simd
