// plumb repro on the GPU: the reduction and batch-invariant GEMM kernels
// (repro_cuda_kernels.hpp). Sums use __fadd_rn / __fmul_rn (never contracted)
// except the GEMM's explicit fmaf chain.
#include <algorithm>

#include "repro_cuda_check.hpp"
#include "repro_cuda_kernels.hpp"

namespace plumb::harness::repro {

namespace {

constexpr int kThreads = 256;

__device__ float block_tree_sum(float v, float* sh) {
  const int t = threadIdx.x;
  sh[t] = v;
  __syncthreads();
  for (int s = kThreads / 2; s > 0; s /= 2) {
    if (t < s) sh[t] = __fadd_rn(sh[t], sh[t + s]);
    __syncthreads();
  }
  return sh[0];
}

__device__ float term(const float* x, const float* w, size_t i) { return w ? __fmul_rn(x[i], w[i]) : x[i]; }

__global__ void reduce_default(const float* x, const float* w, float* y, size_t k, size_t chunk) {
  __shared__ float sh[kThreads];
  const size_t row = blockIdx.y;
  const size_t begin = blockIdx.x * chunk, end = min(k, begin + chunk);
  const float* xr = x + row * k;
  float acc = 0.0f;
  for (size_t i = begin + threadIdx.x; i < end; i += kThreads) acc = __fadd_rn(acc, term(xr, w, i));
  const float s = block_tree_sum(acc, sh);
  if (threadIdx.x == 0) {
    if (gridDim.x == 1)
      y[row] = s;
    else
      atomicAdd(y + row, s);
  }
}

__global__ void reduce_invariant(const float* x, const float* w, float* y, size_t k) {
  __shared__ float sh[kThreads];
  const size_t row = blockIdx.x;
  const float* xr = x + row * k;
  float acc = 0.0f;
  for (size_t i = threadIdx.x; i < k; i += kThreads) acc = __fadd_rn(acc, term(xr, w, i));
  const float s = block_tree_sum(acc, sh);
  if (threadIdx.x == 0) y[row] = s;
}

__device__ float as_float(float v) { return v; }
__device__ float as_float(uint16_t v) { return __uint_as_float(static_cast<uint32_t>(v) << 16); }

constexpr int kTile = 64, kBk = 16, kSide = 16, kPer = kTile / kSide;  // 16 x 16 threads, 4 x 4 outputs each

template <typename T>
__global__ void gemm_invariant(const T* x, const T* w, float* y, int m, int n, int k) {
  __shared__ float xs[kBk][kTile + 1];
  __shared__ float ws[kBk][kTile + 1];
  const int tx = threadIdx.x % kSide, ty = threadIdx.x / kSide;
  const int row0 = blockIdx.y * kTile, col0 = blockIdx.x * kTile;
  float acc[kPer][kPer] = {};
  for (int k0 = 0; k0 < k; k0 += kBk) {
    for (int e = threadIdx.x; e < kTile * kBk; e += kSide * kSide) {
      const int r = e / kBk, kk = e % kBk, gk = k0 + kk;
      const int gr = row0 + r, gc = col0 + r;
      xs[kk][r] = (gr < m && gk < k) ? as_float(x[static_cast<size_t>(gr) * k + gk]) : 0.0f;
      ws[kk][r] = (gc < n && gk < k) ? as_float(w[static_cast<size_t>(gc) * k + gk]) : 0.0f;
    }
    __syncthreads();
    const int kend = min(kBk, k - k0);  // the tail's padding is never added: the chain is exactly k terms
    for (int kk = 0; kk < kend; ++kk) {
      float a[kPer], b[kPer];
      for (int i = 0; i < kPer; ++i) a[i] = xs[kk][ty + i * kSide];
      for (int j = 0; j < kPer; ++j) b[j] = ws[kk][tx + j * kSide];
      for (int i = 0; i < kPer; ++i)
        for (int j = 0; j < kPer; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
    __syncthreads();
  }
  for (int i = 0; i < kPer; ++i)
    for (int j = 0; j < kPer; ++j) {
      const int r = row0 + ty + i * kSide, c = col0 + tx + j * kSide;
      if (r < m && c < n) y[static_cast<size_t>(r) * n + c] = acc[i][j];
    }
}

template <typename T>
void launch_gemm(const T* x, const T* w, float* y, size_t m, size_t n, size_t k, cudaStream_t stream) {
  if (m == 0 || n == 0) return;
  const dim3 grid(static_cast<unsigned>((n + kTile - 1) / kTile), static_cast<unsigned>((m + kTile - 1) / kTile));
  gemm_invariant<T><<<grid, kSide * kSide, 0, stream>>>(x, w, y, static_cast<int>(m), static_cast<int>(n),
                                                        static_cast<int>(k));
  cuda_check(cudaGetLastError(), "gemm_invariant<<<>>> launch");
}

}  // namespace

void launch_reduce_default(const float* x, const float* w, float* y, size_t rows, size_t k, size_t blocks_per_row,
                           cudaStream_t stream) {
  if (rows == 0) return;
  const size_t chunk = (k + blocks_per_row - 1) / blocks_per_row;
  constexpr size_t kMaxGridY = 65535;
  for (size_t r0 = 0; r0 < rows; r0 += kMaxGridY) {
    const size_t n = std::min(kMaxGridY, rows - r0);
    reduce_default<<<dim3(static_cast<unsigned>(blocks_per_row), static_cast<unsigned>(n)), kThreads, 0, stream>>>(
        x + r0 * k, w, y + r0, k, chunk);
    cuda_check(cudaGetLastError(), "reduce_default<<<>>> launch");
  }
}

void launch_reduce_invariant(const float* x, const float* w, float* y, size_t rows, size_t k, cudaStream_t stream) {
  if (rows == 0) return;
  reduce_invariant<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(x, w, y, k);
  cuda_check(cudaGetLastError(), "reduce_invariant<<<>>> launch");
}

void launch_gemm_invariant_fp32(const float* x, const float* w, float* y, size_t m, size_t n, size_t k,
                                cudaStream_t stream) {
  launch_gemm(x, w, y, m, n, k, stream);
}
void launch_gemm_invariant_bf16(const uint16_t* x, const uint16_t* w, float* y, size_t m, size_t n, size_t k,
                                cudaStream_t stream) {
  launch_gemm(x, w, y, m, n, k, stream);
}

}  // namespace plumb::harness::repro
