// cuda_block: block-scaled quantisation on the GPU with formats/
// block_quantize.hpp, the definition cpu_block runs on the host, so the two
// must agree bit for bit. Passes: the Hadamard transform (one thread per group
// of 16), the tensor's largest finite magnitude (NV rules with a tensor scale:
// warp maxima, one atomicMax per warp), then one thread per block computing its
// scale and elements. Dequantisation: one thread per block, then the inverse
// transform. Host arrays are staged with cudaMalloc / cudaMemcpy per call.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "plumb/formats/block_tensor.hpp"
#include "plumb/kernels/block_kernels_decl.hpp"

namespace plumb::kernels::cuda {
namespace {

constexpr int kThreads = 128;
constexpr const char* kName = "cuda_block";

int grid_for(size_t n) {
  return static_cast<int>(std::min<size_t>(std::max<size_t>((n + kThreads - 1) / kThreads, 1), 65535));
}

__global__ void hadamard_kernel(float* x, size_t rows, size_t cols, BlockLayout layout,
                                uint32_t signs, bool inverse) {
  const size_t groups = rows * cols / kHadamardSize;
  for (size_t g = blockIdx.x * size_t{blockDim.x} + threadIdx.x; g < groups;
       g += size_t{gridDim.x} * blockDim.x) {
    const HadamardGroup h = hadamard_group(layout, rows, cols, g);
    hadamard16_group(x + h.offset, h.stride, signs, inverse);
    if (inverse)
      for (int j = 0; j < kHadamardSize; ++j) {
        float& v = x[h.offset + j * h.stride];
        if (f32_is_nan(f32_bits(v))) v = f32_from_bits(kF32CanonicalNaN);
      }
  }
}

// *amax_bits = max over finite |x| (as bits: non-negative floats order as integers).
__global__ void finite_amax_kernel(const float* x, size_t n, unsigned int* amax_bits) {
  unsigned int m = 0;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < n;
       i += size_t{gridDim.x} * blockDim.x) {
    const unsigned int a = f32_bits(x[i]) & 0x7FFFFFFFu;
    if (a < 0x7F800000u && a > m) m = a;
  }
  for (int offset = 16; offset > 0; offset /= 2) m = max(m, __shfl_xor_sync(0xFFFFFFFFu, m, offset));
  if ((threadIdx.x & 31) == 0 && m != 0) atomicMax(amax_bits, m);
}

__global__ void quantize_kernel(BlockFormat f, BlockOptions o, const float* x, size_t rows,
                                size_t cols, const unsigned int* amax_bits, uint8_t* elements,
                                uint8_t* scales, float* tensor_scale) {
  BlockPlan plan = make_block_plan(f, o);
  const float s_enc = block_tensor_scale(f, plan, f32_from_bits(*amax_bits));
  plan_tensor_scale(plan, s_enc);
  if (blockIdx.x == 0 && threadIdx.x == 0) *tensor_scale = s_enc;
  const BlockGridShape grid = block_grid(o.layout, f.block_size, rows, cols);
  const size_t blocks = grid.rows * grid.cols;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < blocks;
       i += size_t{gridDim.x} * blockDim.x) {
    const BlockRect b = block_rect(o.layout, f.block_size, rows, cols, i / grid.cols, i % grid.cols);
    scales[i] = quantize_block(plan, x, cols, b, elements);
  }
}

__global__ void dequantize_kernel(BlockFormat f, BlockOptions o, const uint8_t* elements,
                                  const uint8_t* scales, float tensor_scale, size_t rows,
                                  size_t cols, float* out) {
  BlockPlan plan = make_block_plan(f, o);
  plan_tensor_scale(plan, tensor_scale);
  const BlockGridShape grid = block_grid(o.layout, f.block_size, rows, cols);
  const size_t blocks = grid.rows * grid.cols;
  for (size_t i = blockIdx.x * size_t{blockDim.x} + threadIdx.x; i < blocks;
       i += size_t{gridDim.x} * blockDim.x) {
    const BlockRect b = block_rect(o.layout, f.block_size, rows, cols, i / grid.cols, i % grid.cols);
    dequantize_block(plan, elements, scales[i], cols, b, out);
  }
}

// Device memory freed on every path out.
struct DeviceArray {
  void* ptr = nullptr;
  DeviceArray() = default;
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  ~DeviceArray() {
    if (ptr) (void)cudaFree(ptr);
  }
  template <typename T>
  T* as() const {
    return static_cast<T*>(ptr);
  }
};

// Records the first CUDA error with the call that raised it.
struct Checker {
  std::string* message;
  bool ok = true;
  bool operator()(cudaError_t e, const char* call) {
    if (!ok) return false;
    if (e == cudaSuccess) return true;
    ok = false;
    if (message)
      *message = std::string(kName) + ": " + call + " failed: " + cudaGetErrorName(e) + ": " +
                 cudaGetErrorString(e);
    (void)cudaGetLastError();
    return false;
  }
  KernelStatus status() const { return ok ? KernelStatus::ok : KernelStatus::error; }
};

KernelStatus refuse(const std::string& problem, std::string* message) {
  if (message) *message = problem;
  return KernelStatus::error;
}

}  // namespace

PLUMB_DECLARE_BLOCK_QUANTIZE_FN(block_quantize) {
  const std::string problem = block_problem(format, options, rows, cols);
  if (!problem.empty()) return refuse(problem, message);
  if (!x || !elements || !scales) return refuse("cuda_block: null array", message);
  if (cuda_device_count() == 0) return refuse("cuda_block: no CUDA device", message);
  const size_t n = rows * cols;
  const BlockGridShape grid = block_grid(options.layout, format.block_size, rows, cols);
  const size_t blocks = grid.rows * grid.cols;
  DeviceArray d_x, d_elements, d_scales, d_amax, d_tensor_scale;
  Checker check{message};
  check(cudaMalloc(&d_x.ptr, n * sizeof(float)), "cudaMalloc(x)");
  check(cudaMalloc(&d_elements.ptr, n), "cudaMalloc(elements)");
  check(cudaMalloc(&d_scales.ptr, blocks), "cudaMalloc(scales)");
  check(cudaMalloc(&d_amax.ptr, sizeof(unsigned int)), "cudaMalloc(amax)");
  check(cudaMalloc(&d_tensor_scale.ptr, sizeof(float)), "cudaMalloc(tensor_scale)");
  if (!check.ok) return check.status();
  check(cudaMemcpy(d_x.ptr, x, n * sizeof(float), cudaMemcpyHostToDevice), "cudaMemcpy(x)");
  check(cudaMemset(d_amax.ptr, 0, sizeof(unsigned int)), "cudaMemset(amax)");
  if (!check.ok) return check.status();
  if (options.hadamard) {
    hadamard_kernel<<<grid_for(n / kHadamardSize), kThreads>>>(
        d_x.as<float>(), rows, cols, options.layout, hadamard_sign_word(options.hadamard_seed), false);
    check(cudaGetLastError(), "hadamard_kernel launch");
  }
  if (is_nv_rule(format.rule) && format.tensor_scale) {
    finite_amax_kernel<<<std::min(grid_for(n), 1024), kThreads>>>(d_x.as<float>(), n,
                                                                   d_amax.as<unsigned int>());
    check(cudaGetLastError(), "finite_amax_kernel launch");
  }
  quantize_kernel<<<grid_for(blocks), kThreads>>>(
      format, options, d_x.as<float>(), rows, cols, d_amax.as<unsigned int>(),
      d_elements.as<uint8_t>(), d_scales.as<uint8_t>(), d_tensor_scale.as<float>());
  check(cudaGetLastError(), "quantize_kernel launch");
  check(cudaDeviceSynchronize(), "quantize_kernel");
  if (!check.ok) return check.status();
  check(cudaMemcpy(elements, d_elements.ptr, n, cudaMemcpyDeviceToHost), "cudaMemcpy(elements)");
  check(cudaMemcpy(scales, d_scales.ptr, blocks, cudaMemcpyDeviceToHost), "cudaMemcpy(scales)");
  float s_enc = 1.0f;
  check(cudaMemcpy(&s_enc, d_tensor_scale.ptr, sizeof(float), cudaMemcpyDeviceToHost),
        "cudaMemcpy(tensor_scale)");
  if (check.ok && tensor_scale) *tensor_scale = s_enc;
  return check.status();
}

PLUMB_DECLARE_BLOCK_DEQUANTIZE_FN(block_dequantize) {
  const std::string problem = block_problem(format, options, rows, cols);
  if (!problem.empty()) return refuse(problem, message);
  if (!elements || !scales || !out) return refuse("cuda_block: null array", message);
  if (cuda_device_count() == 0) return refuse("cuda_block: no CUDA device", message);
  const size_t n = rows * cols;
  const BlockGridShape grid = block_grid(options.layout, format.block_size, rows, cols);
  const size_t blocks = grid.rows * grid.cols;
  DeviceArray d_elements, d_scales, d_out;
  Checker check{message};
  check(cudaMalloc(&d_elements.ptr, n), "cudaMalloc(elements)");
  check(cudaMalloc(&d_scales.ptr, blocks), "cudaMalloc(scales)");
  check(cudaMalloc(&d_out.ptr, n * sizeof(float)), "cudaMalloc(out)");
  if (!check.ok) return check.status();
  check(cudaMemcpy(d_elements.ptr, elements, n, cudaMemcpyHostToDevice), "cudaMemcpy(elements)");
  check(cudaMemcpy(d_scales.ptr, scales, blocks, cudaMemcpyHostToDevice), "cudaMemcpy(scales)");
  if (!check.ok) return check.status();
  dequantize_kernel<<<grid_for(blocks), kThreads>>>(format, options, d_elements.as<uint8_t>(),
                                                     d_scales.as<uint8_t>(), tensor_scale, rows,
                                                     cols, d_out.as<float>());
  check(cudaGetLastError(), "dequantize_kernel launch");
  if (options.hadamard) {
    hadamard_kernel<<<grid_for(n / kHadamardSize), kThreads>>>(
        d_out.as<float>(), rows, cols, options.layout, hadamard_sign_word(options.hadamard_seed), true);
    check(cudaGetLastError(), "hadamard_kernel launch");
  }
  check(cudaDeviceSynchronize(), "dequantize_kernel");
  if (!check.ok) return check.status();
  check(cudaMemcpy(out, d_out.ptr, n * sizeof(float), cudaMemcpyDeviceToHost), "cudaMemcpy(out)");
  return check.status();
}

}  // namespace plumb::kernels::cuda
