// plumb CPU softmax kernels, vectorised: the entry point each ISA translation
// unit (softmax_avx2.cpp, softmax_avx512.cpp) defines. Called only after the
// run-time check of softmax_dispatch.cpp.
#pragma once

#include <cstddef>

#include "plumb/kernels/softmax_kernel.hpp"

namespace plumb::kernels::cpu::simd {

void avx2_rows(SoftmaxAlgorithm a, bool safe, const float* x, float* y, size_t rows, size_t cols);
void avx512_rows(SoftmaxAlgorithm a, bool safe, const float* x, float* y, size_t rows, size_t cols);

// The body both translation units instantiate with their lane count.
template <class S>
void rows_with(SoftmaxAlgorithm a, bool safe, const float* x, float* y, size_t rows, size_t cols) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    switch (a) {
      case SoftmaxAlgorithm::three_pass_recompute: S::template three_pass<false>(xr, yr, cols); break;
      case SoftmaxAlgorithm::three_pass_reload: S::template three_pass<true>(xr, yr, cols); break;
      case SoftmaxAlgorithm::two_pass: S::two_pass(xr, yr, cols); break;
      default:
        if (safe) S::template online<true>(xr, yr, cols);
        else S::template online<false>(xr, yr, cols);
    }
  }
}

}  // namespace plumb::kernels::cpu::simd
