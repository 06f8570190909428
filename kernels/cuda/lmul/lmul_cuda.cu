// cuda_lmul: L-Mul on the GPU with formats/lmul.hpp, the bit-pattern
// definition cpu_lmul runs on the host, so elementwise results must agree bit
// for bit. Elementwise: one thread per element. Dot: each thread sums a
// strided slice in fp32, then a shared-memory tree per block, then one block
// sums the block partials. GEMM: one thread per C entry, k in order. Every
// sum is fp32 adds of exact fp32 products, so lmul_kernel.hpp's bound holds.
// Host arrays are staged with cudaMalloc / cudaMemcpy per call around the
// device-array launches of cuda_lmul.hpp (which the benchmarks time).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "plumb/formats/lmul.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/kernels/cuda_lmul.hpp"
#include "plumb/kernels/lmul_kernels_decl.hpp"

namespace plumb::kernels::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kDotBlocks = 120;

__device__ inline uint64_t load(const void* p, int bytes, size_t i) {
  switch (bytes) {
    case 1: return static_cast<const uint8_t*>(p)[i];
    case 2: return static_cast<const uint16_t*>(p)[i];
    default: return static_cast<const uint32_t*>(p)[i];
  }
}
__device__ inline void store(void* p, int bytes, size_t i, uint64_t c) {
  switch (bytes) {
    case 1: static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(c); break;
    case 2: static_cast<uint16_t*>(p)[i] = static_cast<uint16_t>(c); break;
    default: static_cast<uint32_t*>(p)[i] = static_cast<uint32_t>(c); break;
  }
}
// One product, exactly as fp32 (every supported value fits).
__device__ inline float product(const FormatDesc& f, const LmulSpec& s, uint64_t a, uint64_t b) {
  return static_cast<float>(decode(f, lmul_code(f, s, a, b)));
}

__global__ void elementwise_kernel(FormatDesc f, LmulSpec s, const void* a, const void* b, void* out,
                                   size_t n) {
  const int bytes = f.storage_bytes();
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n; i += size_t{gridDim.x} * blockDim.x)
    store(out, bytes, i, lmul_code(f, s, load(a, bytes, i), load(b, bytes, i)));
}

// partial[blockIdx.x] = this block's fp32 sum of its slice of products.
__global__ void dot_partial_kernel(FormatDesc f, LmulSpec s, const void* a, const void* b, size_t n,
                                   float* partial) {
  __shared__ float sums[kThreads];
  const int bytes = f.storage_bytes();
  float sum = 0.0f;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n; i += size_t{gridDim.x} * blockDim.x)
    sum += product(f, s, load(a, bytes, i), load(b, bytes, i));
  sums[threadIdx.x] = sum;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) sums[threadIdx.x] += sums[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) partial[blockIdx.x] = sums[0];
}

__global__ void sum_partials_kernel(const float* partial, int count, float* out) {
  if (threadIdx.x == 0 && blockIdx.x == 0) {
    float sum = 0.0f;
    for (int i = 0; i < count; ++i) sum += partial[i];
    *out = sum;
  }
}

__global__ void gemm_kernel(FormatDesc f, LmulSpec s, const void* a, const void* b, size_t m, size_t n,
                            size_t k, float* c) {
  const int bytes = f.storage_bytes();
  for (size_t idx = blockIdx.x * size_t{blockDim.x} + threadIdx.x; idx < m * n;
       idx += size_t{gridDim.x} * blockDim.x) {
    const size_t i = idx / n, j = idx % n;
    float sum = 0.0f;
    for (size_t p = 0; p < k; ++p) sum += product(f, s, load(a, bytes, i * k + p), load(b, bytes, p * n + j));
    c[idx] = sum;
  }
}

int grid_for(size_t n) {
  return static_cast<int>(std::min<size_t>(std::max<size_t>((n + kThreads - 1) / kThreads, 1), 65535));
}

// Device buffers freed on every path.
struct Buffers {
  void* p[4] = {nullptr, nullptr, nullptr, nullptr};
  ~Buffers() {
    for (void* q : p) cudaFree(q);
  }
};

bool failed(cudaError_t e, std::string* message) {
  if (e == cudaSuccess) return false;
  if (message) *message = std::string("cuda_lmul: ") + cudaGetErrorString(e);
  return true;
}

KernelStatus precheck(const LmulArgs& args, std::string* message) {
  if (!lmul_supports(args.format)) {
    if (message)
      *message = "L-Mul: the operand format must be a signed float with 1..8 exponent bits and "
                 "1..23 mantissa bits";
    return KernelStatus::not_supported;
  }
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    if (message) *message = "cuda_lmul: no usable CUDA device";
    return KernelStatus::error;
  }
  return KernelStatus::ok;
}

}  // namespace

cudaError_t lmul_elementwise_launch(const LmulArgs& args, const void* d_a, const void* d_b, void* d_out,
                                    size_t n, cudaStream_t stream) {
  if (!lmul_supports(args.format)) return cudaErrorInvalidValue;
  elementwise_kernel<<<grid_for(n), kThreads, 0, stream>>>(args.format, args.spec, d_a, d_b, d_out, n);
  return cudaGetLastError();
}

cudaError_t lmul_gemm_launch(const LmulArgs& args, const void* d_a, const void* d_b, size_t m, size_t n,
                             size_t k, float* d_c, cudaStream_t stream) {
  if (!lmul_supports(args.format)) return cudaErrorInvalidValue;
  gemm_kernel<<<grid_for(m * n), kThreads, 0, stream>>>(args.format, args.spec, d_a, d_b, m, n, k, d_c);
  return cudaGetLastError();
}

KernelStatus lmul_elementwise(const LmulArgs& args, const void* a, const void* b, void* out, size_t n,
                              std::string* message) {
  if (const KernelStatus st = precheck(args, message); st != KernelStatus::ok) return st;
  const size_t bytes = n * args.format.storage_bytes();
  Buffers d;
  for (int i = 0; i < 3; ++i)
    if (failed(cudaMalloc(&d.p[i], std::max<size_t>(bytes, 1)), message)) return KernelStatus::error;
  if (failed(cudaMemcpy(d.p[0], a, bytes, cudaMemcpyHostToDevice), message) ||
      failed(cudaMemcpy(d.p[1], b, bytes, cudaMemcpyHostToDevice), message))
    return KernelStatus::error;
  if (failed(lmul_elementwise_launch(args, d.p[0], d.p[1], d.p[2], n, nullptr), message) ||
      failed(cudaMemcpy(out, d.p[2], bytes, cudaMemcpyDeviceToHost), message))
    return KernelStatus::error;
  return KernelStatus::ok;
}

KernelStatus lmul_dot(const LmulArgs& args, const void* a, const void* b, size_t n, float* out,
                      std::string* message) {
  if (const KernelStatus st = precheck(args, message); st != KernelStatus::ok) return st;
  const size_t bytes = n * args.format.storage_bytes();
  Buffers d;
  if (failed(cudaMalloc(&d.p[0], std::max<size_t>(bytes, 1)), message) ||
      failed(cudaMalloc(&d.p[1], std::max<size_t>(bytes, 1)), message) ||
      failed(cudaMalloc(&d.p[2], kDotBlocks * sizeof(float)), message) ||
      failed(cudaMalloc(&d.p[3], sizeof(float)), message))
    return KernelStatus::error;
  if (failed(cudaMemcpy(d.p[0], a, bytes, cudaMemcpyHostToDevice), message) ||
      failed(cudaMemcpy(d.p[1], b, bytes, cudaMemcpyHostToDevice), message))
    return KernelStatus::error;
  auto* partial = static_cast<float*>(d.p[2]);
  dot_partial_kernel<<<kDotBlocks, kThreads>>>(args.format, args.spec, d.p[0], d.p[1], n, partial);
  sum_partials_kernel<<<1, 32>>>(partial, kDotBlocks, static_cast<float*>(d.p[3]));
  if (failed(cudaGetLastError(), message) ||
      failed(cudaMemcpy(out, d.p[3], sizeof(float), cudaMemcpyDeviceToHost), message))
    return KernelStatus::error;
  return KernelStatus::ok;
}

KernelStatus lmul_gemm(const LmulArgs& args, const void* a, const void* b, size_t m, size_t n, size_t k,
                       float* c, std::string* message) {
  if (const KernelStatus st = precheck(args, message); st != KernelStatus::ok) return st;
  const size_t eb = args.format.storage_bytes(), a_bytes = m * k * eb, b_bytes = k * n * eb;
  const size_t c_bytes = m * n * sizeof(float);
  Buffers d;
  if (failed(cudaMalloc(&d.p[0], std::max<size_t>(a_bytes, 1)), message) ||
      failed(cudaMalloc(&d.p[1], std::max<size_t>(b_bytes, 1)), message) ||
      failed(cudaMalloc(&d.p[2], std::max<size_t>(c_bytes, 1)), message))
    return KernelStatus::error;
  if (failed(cudaMemcpy(d.p[0], a, a_bytes, cudaMemcpyHostToDevice), message) ||
      failed(cudaMemcpy(d.p[1], b, b_bytes, cudaMemcpyHostToDevice), message))
    return KernelStatus::error;
  if (failed(lmul_gemm_launch(args, d.p[0], d.p[1], m, n, k, static_cast<float*>(d.p[2]), nullptr), message) ||
      failed(cudaMemcpy(c, d.p[2], c_bytes, cudaMemcpyDeviceToHost), message))
    return KernelStatus::error;
  return KernelStatus::ok;
}

}  // namespace plumb::kernels::cuda
