// cuda softmax: the fast online paths (softmax_cuda_fast.cu), shared with the
// general kernels of softmax_cuda.cu.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace plumb::kernels::cuda {

// The element types the CUDA softmax kernels read and write.
enum class SoftmaxIo : uint8_t { fp32, bf16, fp16 };

// Online softmax (optionally safe) of rows x cols elements of `io` on the
// device, in to out (same type): 16-byte vectors, rows per warp, the row
// cached, long rows split over a cluster. Returns static_cast<cudaError_t>(-1)
// when it does not take the call (cols not a vector multiple, pointers not
// 16-byte aligned): the caller then runs the general kernel.
cudaError_t softmax_online_fast(SoftmaxIo io, const void* in, void* out, size_t rows, size_t cols,
                                bool safe, cudaStream_t st);

}  // namespace plumb::kernels::cuda
