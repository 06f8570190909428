// cuda softmax kernels (docs/SOFTMAX_SEMANTICS.md): the four algorithms, one
// row per block of kThreads threads. Element i of a row goes to thread
// i % kThreads (SoftmaxErrorModel lanes = kThreads); each thread accumulates
// in fp32 and flushes into an fp64 total every kFlush of its elements
// (fp32_block = kFlush); the block then reduces the threads' totals in fp64.
// Input fp32 / bf16 / fp16, output the same set, arithmetic in fp32; the exp
// is softmax_exp.hpp's, shared with the CPU kernels. This layout (scalar
// loads, one row per block) is the general one; every algorithm with equal
// in/out formats and aligned vector-multiple rows takes the fast paths of
// softmax_cuda_fast.cu (16-byte vectors, the row in registers of a group of
// lanes, a block or a cluster of blocks).
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "plumb/kernels/cuda_softmax.hpp"
#include "plumb/kernels/softmax_exp.hpp"
#include "plumb/kernels/softmax_kernels_decl.hpp"
#include "softmax_cuda_fast.cuh"

namespace plumb::kernels::cuda {
namespace {

constexpr int kThreads = 256;
constexpr int kFlush = 16;
constexpr float kInf = __builtin_huge_valf();

using Io = SoftmaxIo;

bool io_of(const FormatDesc& f, Io* io) {
  if (f == formats::fp32) *io = Io::fp32;
  else if (f == formats::bf16) *io = Io::bf16;
  else if (f == formats::fp16) *io = Io::fp16;
  else return false;
  return true;
}

__device__ float load(Io io, const void* p, size_t i) {
  switch (io) {
    case Io::fp32: return static_cast<const float*>(p)[i];
    case Io::bf16: return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
    default: return __half2float(static_cast<const __half*>(p)[i]);
  }
}
__device__ void store(Io io, void* p, size_t i, float v) {  // round to nearest even
  switch (io) {
    case Io::fp32: static_cast<float*>(p)[i] = v; break;
    case Io::bf16: static_cast<__nv_bfloat16*>(p)[i] = __float2bfloat16_rn(v); break;
    default: static_cast<__half*>(p)[i] = __float2half_rn(v);
  }
}

__device__ float exp_np(float d) { return softmax_exp::exp_nonpositive(d); }

// Block-wide reductions through shared memory (every thread gets the result).
__device__ float block_max(float v, float* sh) {
  for (int o = 16; o > 0; o /= 2) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  if ((threadIdx.x & 31) == 0) sh[threadIdx.x / 32] = v;
  __syncthreads();
  v = sh[0];
  for (int w = 1; w < kThreads / 32; ++w) v = fmaxf(v, sh[w]);
  __syncthreads();
  return v;
}
__device__ double block_sum(double v, double* sh) {
  for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
  if ((threadIdx.x & 31) == 0) sh[threadIdx.x / 32] = v;
  __syncthreads();
  v = 0;
  for (int w = 0; w < kThreads / 32; ++w) v += sh[w];
  __syncthreads();
  return v;
}
__device__ bool block_any(bool b) { return __syncthreads_or(b); }

struct RowArgs {
  Io in_io, out_io;
  const void* in;
  void* out;
  size_t cols;
  SoftmaxAlgorithm algorithm;
  bool safe;
};

// Fills the row with NaN (or +0 for the safe all -inf row) when max is not finite.
__device__ bool special_row(const RowArgs& a, size_t base, float max, bool safe) {
  if (isfinite(max)) return false;
  const float v = (safe && max == -kInf) ? 0.0f : __int_as_float(0x7fc00000);
  for (size_t i = threadIdx.x; i < a.cols; i += kThreads) store(a.out_io, a.out, base + i, v);
  return true;
}

__device__ void three_pass(const RowArgs& a, size_t base, bool reload, float* shf, double* shd) {
  float m = -kInf;
  bool nan = false;
  for (size_t i = threadIdx.x; i < a.cols; i += kThreads) {
    const float v = load(a.in_io, a.in, base + i);
    nan |= v != v;
    m = v > m ? v : m;
  }
  float max = block_max(m, shf);
  if (block_any(nan)) max = __int_as_float(0x7fc00000);
  if (special_row(a, base, max, false)) return;
  double total = 0;
  float s = 0;
  int k = 0;
  for (size_t i = threadIdx.x; i < a.cols; i += kThreads) {
    const float e = exp_np(load(a.in_io, a.in, base + i) - max);
    if (reload) static_cast<float*>(a.out)[base + i] = e;
    s += e;
    if (++k == kFlush) total += s, s = 0, k = 0;
  }
  const float sum = static_cast<float>(block_sum(total + s, shd));
  for (size_t i = threadIdx.x; i < a.cols; i += kThreads) {
    const float e = reload ? static_cast<float*>(a.out)[base + i] : exp_np(load(a.in_io, a.in, base + i) - max);
    store(a.out_io, a.out, base + i, e / sum);
  }
}

__device__ void two_pass(const RowArgs& a, size_t base, float* shf, double* shd) {
  constexpr float kDomain = 4194304.0f;  // 2^22: n exact in fp32
  float sm = 0, sn = -kInf;              // this thread's fp32 pair
  double dm = 0;                         // its fp64 mantissa total, relative to 2^sn
  bool bad = false;
  int k = 0;
  for (size_t i = threadIdx.x; i < a.cols; i += kThreads) {
    const float v = load(a.in_io, a.in, base + i);
    bad |= v != v || v >= kDomain || (v <= -kDomain && v != -kInf);
    if (!(fabsf(v) < kDomain)) continue;
    const auto e = softmax_exp::exp_split(v);
    if (e.n > sn) {
      dm = sn == -kInf ? 0.0 : ldexp(dm, static_cast<int>(sn - e.n));
      sm = sn == -kInf ? e.m : scale2(sm, sn - e.n) + e.m;
      sn = e.n;
    } else {
      sm += scale2(e.m, e.n - sn);
    }
    if (++k == kFlush) dm += sm, sm = 0, k = 0;
  }
  dm += sm;
  if (block_any(bad)) return three_pass(a, base, false, shf, shd);  // NaN, +inf or outside
  const float top = block_max(sn, shf);
  const double total = block_sum(sn == -kInf ? 0.0 : ldexp(dm, static_cast<int>(sn - top)), shd);
  if (total == 0) return (void)special_row(a, base, -kInf, false);  // all -inf: NaN
  const float m = static_cast<float>(total);
  for (size_t i = threadIdx.x; i < a.cols; i += kThreads) {
    const float v = load(a.in_io, a.in, base + i);
    const auto e = softmax_exp::exp_split(v);
    store(a.out_io, a.out, base + i, v == -kInf ? 0.0f : scale2(e.m / m, fmaxf(e.n - top, -300.0f)));
  }
}

__device__ void online(const RowArgs& a, size_t base, float* shf, double* shd) {
  float m = -kInf, s = 0, dmax = -kInf;  // dmax: the max `total` is relative to
  double total = 0;
  bool nan = false;
  int k = 0;
  for (size_t i = threadIdx.x; i < a.cols; i += kThreads) {
    const float v = load(a.in_io, a.in, base + i);
    nan |= v != v;
    if (v > m) {
      s = s * exp_np(m - v) + 1.0f;  // m = -inf: exp(-inf) = 0, never -inf - (-inf)
      m = v;
    } else if (v != -kInf) {
      s += exp_np(v - m);  // NaN propagates
    }
    if (++k == kFlush) {
      total = (dmax == -kInf ? 0.0 : total * exp_np(dmax - m)) + s;
      dmax = m, s = 0, k = 0;
    }
  }
  if (m != -kInf) total = (dmax == -kInf ? 0.0 : total * exp_np(dmax - m)) + s;
  const float max = block_max(m, shf);
  if (special_row(a, base, block_any(nan) ? __int_as_float(0x7fc00000) : max, a.safe)) return;
  const double sum = block_sum(m == -kInf ? 0.0 : total * exp_np(m - max), shd);
  if (sum != sum) return (void)special_row(a, base, __int_as_float(0x7fc00000), false);
  const float sf = static_cast<float>(sum);
  for (size_t i = threadIdx.x; i < a.cols; i += kThreads)
    store(a.out_io, a.out, base + i, exp_np(load(a.in_io, a.in, base + i) - max) / sf);
}

__global__ void __launch_bounds__(kThreads) softmax_rows_kernel(RowArgs a) {
  __shared__ float shf[kThreads / 32];
  __shared__ double shd[kThreads / 32];
  const size_t base = static_cast<size_t>(blockIdx.x) * a.cols;
  switch (a.algorithm) {
    case SoftmaxAlgorithm::three_pass_recompute: three_pass(a, base, false, shf, shd); break;
    case SoftmaxAlgorithm::three_pass_reload: three_pass(a, base, true, shf, shd); break;
    case SoftmaxAlgorithm::two_pass: two_pass(a, base, shf, shd); break;
    default: online(a, base, shf, shd);
  }
}

size_t bytes_of(Io io) { return io == Io::fp32 ? 4 : 2; }

}  // namespace

cudaError_t softmax_launch(SoftmaxAlgorithm algorithm, bool safe, const FormatDesc& in_format,
                           const FormatDesc& out_format, const void* d_in, void* d_out, size_t rows,
                           size_t cols, cudaStream_t stream) {
  RowArgs a{};
  if (!io_of(in_format, &a.in_io) || !io_of(out_format, &a.out_io) || rows > 0x7fffffffu ||
      (algorithm == SoftmaxAlgorithm::three_pass_reload && a.out_io != Io::fp32))
    return cudaErrorInvalidValue;
  if (rows == 0 || cols == 0) return cudaSuccess;
  a.in = d_in, a.out = d_out, a.cols = cols, a.algorithm = algorithm, a.safe = safe;
  if (a.in_io == a.out_io) {
    const cudaError_t e = softmax_fast(algorithm, safe, a.in_io, d_in, d_out, rows, cols, stream);
    if (e != static_cast<cudaError_t>(-1)) return e;
  }
  softmax_rows_kernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(a);
  return cudaGetLastError();
}

namespace {

KernelStatus run(const char* name, SoftmaxAlgorithm algorithm, bool safe, const FormatDesc& in_format,
                 const FormatDesc& out_format, const void* in, void* out, size_t rows, size_t cols,
                 std::string* message) {
  RowArgs a{};
  if (!io_of(in_format, &a.in_io) || !io_of(out_format, &a.out_io)) {
    if (message) *message = std::string(name) + ": formats are fp32, bf16 or fp16";
    return KernelStatus::not_supported;
  }
  if (algorithm == SoftmaxAlgorithm::three_pass_reload && a.out_io != Io::fp32) {
    if (message) *message = std::string(name) + ": reload stores fp32 exp values in the output: fp32 out only";
    return KernelStatus::not_supported;
  }
  if (rows > 0x7fffffffu) {
    if (message) *message = std::string(name) + ": more than 2^31 - 1 rows";
    return KernelStatus::not_supported;
  }
  if (rows == 0 || cols == 0) return KernelStatus::ok;
  const size_t in_bytes = rows * cols * bytes_of(a.in_io), out_bytes = rows * cols * bytes_of(a.out_io);
  void *d_in = nullptr, *d_out = nullptr;
  cudaError_t err = cudaMalloc(&d_in, in_bytes);
  if (err == cudaSuccess) err = cudaMalloc(&d_out, out_bytes);
  if (err == cudaSuccess) err = cudaMemcpy(d_in, in, in_bytes, cudaMemcpyHostToDevice);
  if (err == cudaSuccess)
    err = softmax_launch(algorithm, safe, in_format, out_format, d_in, d_out, rows, cols, nullptr);
  if (err == cudaSuccess) err = cudaMemcpy(out, d_out, out_bytes, cudaMemcpyDeviceToHost);
  cudaFree(d_in);
  cudaFree(d_out);
  if (err != cudaSuccess) {
    if (message) *message = std::string(name) + ": " + cudaGetErrorString(err);
    return KernelStatus::error;
  }
  return KernelStatus::ok;
}

}  // namespace

#define PLUMB_SOFTMAX_CUDA(fn, algorithm, safe)                                               \
  PLUMB_DECLARE_SOFTMAX_FN(fn) {                                                            \
    return run(#fn, SoftmaxAlgorithm::algorithm, safe, in_format, out_format, in, out, rows, \
               cols, message);                                                              \
  }
PLUMB_SOFTMAX_CUDA(softmax_three_pass_recompute, three_pass_recompute, false)
PLUMB_SOFTMAX_CUDA(softmax_three_pass_reload, three_pass_reload, false)
PLUMB_SOFTMAX_CUDA(softmax_two_pass, two_pass, false)
PLUMB_SOFTMAX_CUDA(softmax_online, online, false)
PLUMB_SOFTMAX_CUDA(softmax_online_safe, online, true)
#undef PLUMB_SOFTMAX_CUDA

}  // namespace plumb::kernels::cuda
