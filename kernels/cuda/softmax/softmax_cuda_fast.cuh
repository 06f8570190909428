// cuda softmax: the fast paths (softmax_cuda_fast.cu), shared with the general
// kernels of softmax_cuda.cu.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "plumb/kernels/softmax_exp.hpp"
#include "plumb/kernels/softmax_kernel.hpp"

namespace plumb::kernels::cuda {

// The element types the CUDA softmax kernels read and write.
enum class SoftmaxIo : uint8_t { fp32, bf16, fp16 };

// Softmax of rows x cols elements of `io` on the device, in to out (same
// type), by `algorithm` (safe: online's all -inf row gives +0): 16-byte
// vectors, the row in registers of a group of lanes, a block or a cluster
// of up to 16 blocks. Returns static_cast<cudaError_t>(-1) when it does not
// take the call (cols not a vector multiple or too long, pointers not 16-byte
// aligned): the caller then runs the general kernel.
cudaError_t softmax_fast(SoftmaxAlgorithm algorithm, bool safe, SoftmaxIo io, const void* in, void* out,
                         size_t rows, size_t cols, cudaStream_t st);

// v * 2^k, k <= 0 an integer-valued float (two steps: one rounding, two at
// most in the subnormals). The two-pass output and pair rescale.
__device__ __forceinline__ float scale2(float v, float k) {
  if (k < -252.0f) return 0.0f;
  const float k1 = fmaxf(k, -126.0f), k2 = fmaxf(k - k1, -126.0f);
  const float p1 = __int_as_float((static_cast<int>(k1) + 127) << 23);  // 2^k1, exactly
  const float p2 = __int_as_float((static_cast<int>(k2) + 127) << 23);
  return v * p1 * p2;
}

// exp_np(d), bit for bit: the same split, with ldexpf replaced by exact
// power-of-two products (one rounding at most, in the subnormals, as ldexpf).
__device__ __forceinline__ float exp_fast(float d) {
  if (!(d >= -104.0f)) return d != d ? d : 0.0f;
  const auto e = plumb::kernels::softmax_exp::exp_split(d);
  const int n = static_cast<int>(e.n);  // -150 <= n <= 0 for d <= 0
  if (n >= -125) return e.m * __int_as_float((n + 127) << 23);
  return (e.m * __int_as_float((n + 64 + 127) << 23)) * 0x1p-64f;
}

// m 2^n for m in [2^-21, 2] and n an integer-valued float with the result
// normal (n >= -100; exp_split's m and n >= -125): exact, an add to m's
// exponent field (one instruction).
__device__ __forceinline__ float scale2_normal(float m, float n) {
  return __int_as_float(__float_as_int(m) + (static_cast<int>(n) << 23));
}

// exp_fast(d) for -86 <= d <= 0 (n >= -125: the result is normal), bit for bit.
__device__ __forceinline__ float exp_normal(float d) {
  const auto e = plumb::kernels::softmax_exp::exp_split(d);
  return scale2_normal(e.m, e.n);
}

// exp_fast, or exp_normal where the caller knows that d >= -86.
template <bool Normal>
__device__ __forceinline__ float exp_of(float d) {
  if constexpr (Normal) return exp_normal(d);
  else return exp_fast(d);
}

// a / b, correctly rounded (bit for bit the IEEE quotient), for a >= 0 and a
// normal b >= 2^-20 with 1 / b hoisted: q = a r with r = RN(1 / b), then two
// residual steps (the second is Markstein's: q within an ulp, exact residual
// by fma, so RN(q + r (a - b q)) = RN(a / b)). Quotients below 2^-90, where
// the residual could leave the normal range, take the IEEE division.
struct Divider {
  float b, r;
  __device__ explicit Divider(float b_) : b(b_), r(1.0f / b_) {}
  __device__ __forceinline__ float operator()(float a) const {
    if (__builtin_expect(!(a >= 0x1p-90f * b), 0)) return a / b;
    return exact(a);
  }
  // The same for a caller that knows a >= 2^-90 b (no test, no branch).
  __device__ __forceinline__ float exact(float a) const {
    float q = a * r;
    q = fmaf(fmaf(-q, b, a), r, q);
    return fmaf(fmaf(-q, b, a), r, q);
  }
};

}  // namespace plumb::kernels::cuda
