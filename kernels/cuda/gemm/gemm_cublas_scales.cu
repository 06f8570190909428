// cuda kernels: the scale re-layouts and fp4 packing of gemm_cublas_scales.hpp.
#include "gemm_cublas_scales.hpp"

#include "gemm_cublas_lt.hpp"
#include "gemm_cublas_staging.hpp"

namespace plumb::kernels::cuda::cublas {
namespace {

constexpr int kThreads = 256;

unsigned blocks_for(size_t n) {
  const size_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < 65535 ? (b > 0 ? b : 1) : 65535);
}

__global__ void set_pair_kernel(float* a_dst, float* b_dst, float a, float b) {
  *a_dst = a;
  *b_dst = b;
}

__global__ void vec128_kernel(const float* src, size_t rows, size_t kb, size_t padded_rows, float* dst) {
  const size_t n = kb * padded_rows;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n; i += size_t{gridDim.x} * blockDim.x) {
    const size_t b = i / padded_rows, r = i % padded_rows;
    dst[i] = r < rows ? src[r * kb + b] : 1.0f;
  }
}

__global__ void blk128_kernel(const float* src, size_t row_blocks, size_t kb, size_t kb4, float* dst) {
  const size_t n = row_blocks * kb4;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n; i += size_t{gridDim.x} * blockDim.x) {
    const size_t r = i / kb4, b = i % kb4;
    dst[i] = b < kb ? src[r * kb + b] : 1.0f;
  }
}

__global__ void swizzle_kernel(const uint8_t* src, size_t rows, size_t nb, size_t padded_rows, size_t padded_cols,
                               uint8_t pad, uint8_t* dst) {
  const size_t n = padded_rows * padded_cols;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n; i += size_t{gridDim.x} * blockDim.x) {
    const size_t r = i / padded_cols, c = i % padded_cols;
    const size_t tile = (r / 128) * (padded_cols / 4) + c / 4;
    const size_t at = tile * 512 + (r % 32) * 16 + (r % 128 / 32) * 4 + c % 4;
    dst[at] = r < rows && c < nb ? src[r * nb + c] : pad;
  }
}

__global__ void pack_fp4_kernel(const uint8_t* src, size_t rows, size_t k, uint8_t* dst) {
  const size_t half = k / 2, n = rows * half;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n; i += size_t{gridDim.x} * blockDim.x) {
    const size_t r = i / half, j = i % half;
    const uint8_t lo = src[r * k + 2 * j] & 0xf, hi = src[r * k + 2 * j + 1] & 0xf;
    dst[i] = static_cast<uint8_t>(lo | hi << 4);
  }
}

}  // namespace

KernelStatus set_scale_pair(float* a_dst, float* b_dst, float a, float b, cudaStream_t stream,
                            std::string* message) {
  set_pair_kernel<<<1, 1, 0, stream>>>(a_dst, b_dst, a, b);
  PLUMB_GEMM_CUDA(cudaGetLastError());
  return KernelStatus::ok;
}

KernelStatus vec128_scales(const float* src, size_t rows, size_t kb, size_t padded_rows, float* dst,
                           cudaStream_t stream, std::string* message) {
  vec128_kernel<<<blocks_for(kb * padded_rows), kThreads, 0, stream>>>(src, rows, kb, padded_rows, dst);
  PLUMB_GEMM_CUDA(cudaGetLastError());
  return KernelStatus::ok;
}

KernelStatus blk128_scales(const float* src, size_t row_blocks, size_t kb, float* dst, cudaStream_t stream,
                           std::string* message) {
  const size_t kb4 = round_up(kb, 4);
  blk128_kernel<<<blocks_for(row_blocks * kb4), kThreads, 0, stream>>>(src, row_blocks, kb, kb4, dst);
  PLUMB_GEMM_CUDA(cudaGetLastError());
  return KernelStatus::ok;
}

size_t swizzled_scale_bytes(size_t rows, size_t padded_cols) { return round_up(rows, 128) * padded_cols; }

KernelStatus swizzle_block_scales(const uint8_t* src, size_t rows, size_t nb, size_t padded_cols, uint8_t pad,
                                  uint8_t* dst, cudaStream_t stream, std::string* message) {
  const size_t padded_rows = round_up(rows, 128);
  swizzle_kernel<<<blocks_for(padded_rows * padded_cols), kThreads, 0, stream>>>(src, rows, nb, padded_rows,
                                                                                 padded_cols, pad, dst);
  PLUMB_GEMM_CUDA(cudaGetLastError());
  return KernelStatus::ok;
}

KernelStatus pack_fp4(const uint8_t* src, size_t rows, size_t k, uint8_t* dst, cudaStream_t stream,
                      std::string* message) {
  pack_fp4_kernel<<<blocks_for(rows * (k / 2)), kThreads, 0, stream>>>(src, rows, k, dst);
  PLUMB_GEMM_CUDA(cudaGetLastError());
  return KernelStatus::ok;
}

}  // namespace plumb::kernels::cuda::cublas
