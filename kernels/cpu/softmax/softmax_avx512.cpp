// plumb CPU softmax kernels on AVX-512F: softmax_simd.hpp with 16 lanes.
// Compiled with -mavx512f when the compiler takes it; called only when the
// CPU has AVX-512F.
#include "softmax_simd.hpp"
#include "softmax_simd_rows.hpp"

namespace plumb::kernels::cpu::simd {

void avx512_rows(SoftmaxAlgorithm a, bool safe, const float* x, float* y, size_t rows, size_t cols) {
  rows_with<Softmax<16>>(a, safe, x, y, rows, cols);
}

}  // namespace plumb::kernels::cpu::simd
