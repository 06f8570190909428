// cuda kernels: the one cuBLASLt path behind every vendor GEMM kernel of
// kernels/registry/gemm_cuda.inc (docs/GEMM_SEMANTICS.md "Vendor kernels").
//
// Layout: plumb's C (m x n, row-major) = A (m x k) B (n x k)^T with both
// operands K-contiguous is, in cuBLAS's column-major terms, D (n x m) =
// op(A_lt) op(B_lt) with A_lt = plumb's B (transa = T) and B_lt = plumb's A
// (transb = N): the "TN" layout every fp8 / int8 / block-scaled cuBLASLt mode
// requires. The LtProblem below speaks plumb's names; lt_matmul swaps them.
//
// One cuBLASLt handle per device, one workspace per (device, stream), one plan
// (descriptors + the heuristic's algorithm) per (device, problem), all created
// on first use and kept: a repeated launch only sets the scale pointers and
// enqueues cublasLtMatmul.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "plumb/kernels/gemm_kernel.hpp"

namespace plumb::kernels::cuda::cublas {

KernelStatus cuda_failure(const char* call, cudaError_t e, std::string* message);
KernelStatus cublas_failure(const char* call, cublasStatus_t s, std::string* message);

// Every CUDA / cuBLASLt call in these files goes through one of these two: a
// failure returns KernelStatus::error with a message naming the call.
#define PLUMB_GEMM_CUDA(call)                                                                   \
  do {                                                                                          \
    const cudaError_t plumb_gemm_e_ = (call);                                                   \
    if (plumb_gemm_e_ != cudaSuccess)                                                           \
      return ::plumb::kernels::cuda::cublas::cuda_failure(#call, plumb_gemm_e_, message);       \
  } while (0)
#define PLUMB_GEMM_LT(call)                                                                     \
  do {                                                                                          \
    const cublasStatus_t plumb_gemm_s_ = (call);                                                \
    if (plumb_gemm_s_ != CUBLAS_STATUS_SUCCESS)                                                 \
      return ::plumb::kernels::cuda::cublas::cublas_failure(#call, plumb_gemm_s_, message);     \
  } while (0)

inline constexpr int32_t kNoScale = -1;  // no scale pointer for this operand
// A per-tensor fp32 scale pointer with the scale-mode attribute left at its
// default (SCALAR_32F), as the fp8 per-tensor path has always been set up.
inline constexpr int32_t kScalarDefault = -2;

// One GEMM in plumb's names (A: m x k, B: n x k, C: m x n, all row-major with
// the given row strides in elements).
struct LtProblem {
  cudaDataType_t a_type = CUDA_R_32F, b_type = CUDA_R_32F, c_type = CUDA_R_32F;
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
  cudaDataType_t scale_type = CUDA_R_32F;  // of alpha and beta
  int64_t m = 0, n = 0, k = 0;
  int64_t lda = 0, ldb = 0, ldc = 0;
  int32_t a_scale_mode = kNoScale, b_scale_mode = kNoScale;  // cublasLtMatmulMatrixScale_t
  bool fast_accum = false;  // CUBLASLT_MATMUL_DESC_FAST_ACCUM (fp8)
};

struct LtOperands {
  const void* a = nullptr;
  const void* b = nullptr;
  void* c = nullptr;
  const void* a_scale = nullptr;  // device pointers in the layout the scale mode requires
  const void* b_scale = nullptr;
  const void* alpha = nullptr;  // host pointer of scale_type (beta is zero)
};

// Enqueues C = alpha op(A, B) on `stream` (does not wait). not_supported when
// cuBLASLt has no algorithm for the problem on this device (the message says
// which problem and which device).
KernelStatus lt_matmul(const LtProblem& p, const LtOperands& o, cudaStream_t stream, std::string* message);

// The current device's compute capability (major * 10 + minor) and name.
KernelStatus device_capability(int* sm, std::string* name, std::string* message);

// Scratch device memory kept per (device, stream, slot) and grown on demand
// (growing waits for the stream first). For scales re-laid on the device.
KernelStatus scratch(int slot, size_t bytes, cudaStream_t stream, void** out, std::string* message);

}  // namespace plumb::kernels::cuda::cublas
