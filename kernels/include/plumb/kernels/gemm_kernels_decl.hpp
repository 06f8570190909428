// Declarations of the CUDA GEMM functions named in kernels/registry/gemm_cuda.inc
// (the CPU ones are in gemm_kernel.hpp). Each CUDA kernel has two: `fn` on
// host arrays (the suites) and `launch` on device arrays (the benchmarks).
#pragma once

#include "plumb/kernels/gemm_kernel.hpp"

#define PLUMB_DECLARE_GEMM_FN(fn) \
  KernelStatus fn(const GemmArgs& args, float* c_f32, int32_t* c_i32, std::string* message)
#define PLUMB_DECLARE_GEMM_LAUNCH(fn)                                                          \
  KernelStatus fn(const GemmArgs& device_args, float* c_f32, int32_t* c_i32, void* stream, \
                  std::string* message)

namespace plumb::kernels::cuda {
// One PLUMB_DECLARE_GEMM_FN and one PLUMB_DECLARE_GEMM_LAUNCH per line of
// gemm_cuda.inc, grouped by source file.
// blackwell_sm120_block_mma.cu
PLUMB_DECLARE_GEMM_FN(gemm_sm120_block_mma);
PLUMB_DECLARE_GEMM_LAUNCH(gemm_sm120_block_mma_launch);
// blackwell_sm100_block_mma.cu
PLUMB_DECLARE_GEMM_FN(gemm_sm100_block_mma);
PLUMB_DECLARE_GEMM_LAUNCH(gemm_sm100_block_mma_launch);
// block_gemm.cu
PLUMB_DECLARE_GEMM_FN(gemm_block_bf16);
PLUMB_DECLARE_GEMM_LAUNCH(gemm_block_bf16_launch);
PLUMB_DECLARE_GEMM_FN(gemm_block_fp8);
PLUMB_DECLARE_GEMM_LAUNCH(gemm_block_fp8_launch);
// gemm_cublas_half.cu
PLUMB_DECLARE_GEMM_FN(gemm_cublas_bf16);
PLUMB_DECLARE_GEMM_LAUNCH(gemm_cublas_bf16_launch);
PLUMB_DECLARE_GEMM_FN(gemm_cublas_fp16);
PLUMB_DECLARE_GEMM_LAUNCH(gemm_cublas_fp16_launch);
// gemm_cublas_fp8.cu
PLUMB_DECLARE_GEMM_FN(gemm_cublaslt_fp8);
PLUMB_DECLARE_GEMM_LAUNCH(gemm_cublaslt_fp8_launch);
PLUMB_DECLARE_GEMM_FN(gemm_cublaslt_fp8_fast_accum);
PLUMB_DECLARE_GEMM_LAUNCH(gemm_cublaslt_fp8_fast_accum_launch);
PLUMB_DECLARE_GEMM_FN(gemm_cublaslt_fp8_blockwise);
PLUMB_DECLARE_GEMM_LAUNCH(gemm_cublaslt_fp8_blockwise_launch);
// gemm_cublas_int8.cu
PLUMB_DECLARE_GEMM_FN(gemm_cublaslt_int8);
PLUMB_DECLARE_GEMM_LAUNCH(gemm_cublaslt_int8_launch);
// gemm_cublas_block.cu
PLUMB_DECLARE_GEMM_FN(gemm_cublaslt_mxfp8);
PLUMB_DECLARE_GEMM_LAUNCH(gemm_cublaslt_mxfp8_launch);
PLUMB_DECLARE_GEMM_FN(gemm_cublaslt_nvfp4);
PLUMB_DECLARE_GEMM_LAUNCH(gemm_cublaslt_nvfp4_launch);
}  // namespace plumb::kernels::cuda
