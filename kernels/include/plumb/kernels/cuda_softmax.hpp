// cuda softmax kernels on device arrays (kernels/cuda/softmax/softmax_cuda.cu),
// for benchmarks: the registry's functions stage host arrays around the same
// launch. CUDA builds only.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

#include "plumb/kernels/softmax_kernel.hpp"

namespace plumb::kernels::cuda {

// Enqueues one softmax of rows x cols codes (fp32 / bf16 / fp16 in and out;
// three_pass_reload needs an fp32 output) into `stream`; does not wait.
// cudaErrorInvalidValue for formats or shapes the kernels do not take.
cudaError_t softmax_launch(SoftmaxAlgorithm algorithm, bool safe, const FormatDesc& in_format,
                           const FormatDesc& out_format, const void* d_in, void* d_out, size_t rows,
                           size_t cols, cudaStream_t stream);

}  // namespace plumb::kernels::cuda
