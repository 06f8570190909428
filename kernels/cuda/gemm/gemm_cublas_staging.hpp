// cuda kernels: running a vendor GEMM on host arrays (the suites' `fn`):
// device arrays owned for one call, rows staged with padded row strides
// (cuBLASLt's fp8 / int8 / block-scaled modes want 16-byte aligned leading
// dimensions; padding the stride does not change K, and padded rows are zero),
// every copy checked.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "plumb/kernels/gemm_kernel.hpp"

namespace plumb::kernels::cuda::cublas {

constexpr size_t round_up(size_t x, size_t to) { return (x + to - 1) / to * to; }

// Row strides (elements) and the row counts given to cuBLASLt (>= m and n:
// rows past m / n are zero and their outputs are dropped).
struct Strides {
  int64_t lda = 0, ldb = 0, ldc = 0;
  int64_t m_rows = 0, n_rows = 0;
};
inline Strides packed_strides(const GemmArgs& a) {
  return {static_cast<int64_t>(a.k), static_cast<int64_t>(a.k), static_cast<int64_t>(a.n),
          static_cast<int64_t>(a.m), static_cast<int64_t>(a.n)};
}

// Device memory freed at the end of the call (cudaFree's error is dropped).
class DeviceArray {
 public:
  DeviceArray() = default;
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  ~DeviceArray() { if (p_) (void)cudaFree(p_); }
  // `bytes` of zeros.
  KernelStatus zeros(size_t bytes, std::string* message);
  // rows x cols elements of `elem_bytes` from a row-major host array into
  // padded_rows x ld elements, zero elsewhere.
  KernelStatus upload_rows(const void* host, size_t rows, size_t cols, size_t elem_bytes, size_t ld,
                           size_t padded_rows, std::string* message);
  // The first rows x cols elements of a device array with row stride ld.
  KernelStatus download_rows(void* host, size_t rows, size_t cols, size_t elem_bytes, size_t ld,
                             std::string* message) const;
  void* get() const { return p_; }
  template <class T>
  T* as() const { return static_cast<T*>(p_); }

 private:
  void* p_ = nullptr;
};

// The operand kind and output array a kernel needs: not_supported for
// another kind (naming `kernel`), error for empty shapes or a missing output.
KernelStatus expect_gemm(const GemmArgs& a, GemmKind kind, const char* kernel, bool f32_out, const float* c_f32,
                         const int32_t* c_i32, std::string* message);

// Waits for the legacy default stream, the one every `fn` runs on.
KernelStatus finish_default_stream(std::string* message);

}  // namespace plumb::kernels::cuda::cublas
