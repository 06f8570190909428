// cuda kernels: host-array staging of the vendor GEMMs (gemm_cublas_staging.hpp).
#include "gemm_cublas_staging.hpp"

#include "gemm_cublas_lt.hpp"

namespace plumb::kernels::cuda::cublas {

KernelStatus DeviceArray::zeros(size_t bytes, std::string* message) {
  if (p_) {
    PLUMB_GEMM_CUDA(cudaFree(p_));
    p_ = nullptr;
  }
  PLUMB_GEMM_CUDA(cudaMalloc(&p_, bytes > 0 ? bytes : 1));
  PLUMB_GEMM_CUDA(cudaMemset(p_, 0, bytes > 0 ? bytes : 1));
  return KernelStatus::ok;
}

KernelStatus DeviceArray::upload_rows(const void* host, size_t rows, size_t cols, size_t elem_bytes, size_t ld,
                                      size_t padded_rows, std::string* message) {
  if (const auto s = zeros(padded_rows * ld * elem_bytes, message); s != KernelStatus::ok) return s;
  PLUMB_GEMM_CUDA(cudaMemcpy2D(p_, ld * elem_bytes, host, cols * elem_bytes, cols * elem_bytes, rows,
                               cudaMemcpyHostToDevice));
  return KernelStatus::ok;
}

KernelStatus DeviceArray::download_rows(void* host, size_t rows, size_t cols, size_t elem_bytes, size_t ld,
                                        std::string* message) const {
  PLUMB_GEMM_CUDA(cudaMemcpy2D(host, cols * elem_bytes, p_, ld * elem_bytes, cols * elem_bytes, rows,
                               cudaMemcpyDeviceToHost));
  return KernelStatus::ok;
}

KernelStatus expect_gemm(const GemmArgs& a, GemmKind kind, const char* kernel, bool f32_out, const float* c_f32,
                         const int32_t* c_i32, std::string* message) {
  if (a.kind != kind) {
    if (message)
      *message = std::string(kernel) + ": operand kind " + gemm_kind_name(a.kind) + " not implemented (it takes " +
                 gemm_kind_name(kind) + ")";
    return KernelStatus::not_supported;
  }
  if (a.m == 0 || a.n == 0 || a.k == 0 || (f32_out ? !c_f32 : !c_i32)) {
    if (message) *message = std::string(kernel) + ": m, n, k must be >= 1 and the output array given";
    return KernelStatus::error;
  }
  return KernelStatus::ok;
}

KernelStatus finish_default_stream(std::string* message) {
  PLUMB_GEMM_CUDA(cudaStreamSynchronize(nullptr));
  PLUMB_GEMM_CUDA(cudaGetLastError());
  return KernelStatus::ok;
}

}  // namespace plumb::kernels::cuda::cublas
