// plumb repro on the GPU: one call of an op (repro_cuda.hpp). The call's rows
// are gathered and uploaded, split into cfg.streams contiguous parts that run
// concurrently on their own non-blocking streams, and copied back.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "repro_cuda.hpp"
#include "repro_cuda_check.hpp"
#include "repro_cuda_cublas.hpp"
#include "repro_cuda_kernels.hpp"

namespace plumb::harness::repro {

namespace {

constexpr size_t kMaxStreams = 4;

struct GpuState {
  std::array<cudaStream_t, kMaxStreams> streams{};
  int sms = 0;
  void* x = nullptr;
  void* w = nullptr;
  float* y = nullptr;
  size_t x_bytes = 0, w_bytes = 0, y_bytes = 0;
};

GpuState& device() {
  static GpuState d = [] {
    GpuState made;
    cuda_check(cudaSetDevice(0), "cudaSetDevice(0)");
    cuda_check(cudaDeviceGetAttribute(&made.sms, cudaDevAttrMultiProcessorCount, 0),
               "cudaDeviceGetAttribute(MultiProcessorCount)");
    for (auto& s : made.streams) cuda_check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
    return made;
  }();
  return d;
}

void ensure(void*& p, size_t& have, size_t bytes, const char* what) {
  if (have >= bytes) return;
  if (p) cuda_check(cudaFree(p), "cudaFree");
  p = nullptr;
  have = 0;
  cuda_check(cudaMalloc(&p, bytes), what);
  have = bytes;
}

// Upload rows (in call order) of a rows x k matrix: fp32, or bf16 as the top 16 bits (values are exact bf16).
void upload(const float* src, const std::vector<size_t>& rows, size_t k, bool as_bf16, void*& dst, size_t& have) {
  const size_t n = rows.size() * k;
  if (as_bf16) {
    std::vector<uint16_t> h(n);
    for (size_t r = 0; r < rows.size(); ++r)
      for (size_t i = 0; i < k; ++i) {
        uint32_t bits;
        std::memcpy(&bits, src + rows[r] * k + i, 4);
        h[r * k + i] = static_cast<uint16_t>(bits >> 16);
      }
    ensure(dst, have, std::max<size_t>(n * 2, 256), "cudaMalloc (inputs)");
    cuda_check(cudaMemcpy(dst, h.data(), n * 2, cudaMemcpyHostToDevice), "cudaMemcpy (inputs to device)");
  } else {
    std::vector<float> h(n);
    for (size_t r = 0; r < rows.size(); ++r) std::copy_n(src + rows[r] * k, k, h.data() + r * k);
    ensure(dst, have, std::max<size_t>(n * 4, 256), "cudaMalloc (inputs)");
    cuda_check(cudaMemcpy(dst, h.data(), n * 4, cudaMemcpyHostToDevice), "cudaMemcpy (inputs to device)");
  }
}

bool gemm_bf16(const Inputs& in) { return in.op == Op::gemm && in.dtype == Dtype::bf16; }

// Uploads the call's inputs; y zeroed (the default reduction adds into it).
void stage(const Inputs& in, const std::vector<size_t>& rows) {
  if (!cuda_supports(in.op))
    throw std::runtime_error(std::string("--device cuda runs sum, dot and gemm; ") + op_name(in.op) +
                             " runs on the CPU only in this slice");
  GpuState& d = device();
  const size_t k = in.shape.cols, m = outputs_per_row(in.op, in.shape);
  upload(in.x.data(), rows, k, gemm_bf16(in), d.x, d.x_bytes);
  if (in.op != Op::sum) {
    std::vector<size_t> all(in.op == Op::dot ? 1 : in.shape.n);
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    upload(in.w.data(), all, k, gemm_bf16(in), d.w, d.w_bytes);
  }
  ensure(reinterpret_cast<void*&>(d.y), d.y_bytes, std::max<size_t>(rows.size() * m * 4, 256), "cudaMalloc (outputs)");
  cuda_check(cudaMemset(d.y, 0, rows.size() * m * 4), "cudaMemset (outputs)");
  // Pageable copies may still be in flight and the streams do not wait for the legacy stream.
  cuda_check(cudaDeviceSynchronize(), "cudaDeviceSynchronize (after upload)");
}

// The default reduction's blocks per row: enough blocks to fill the GPU
// (4 per SM over the launch's rows), at most one per 256 elements.
size_t blocks_per_row(size_t rows, size_t k, const ExecConfig& cfg) {
  if (cfg.split) return cfg.split;
  const size_t target = 4 * static_cast<size_t>(device().sms);
  return std::clamp<size_t>((target + rows - 1) / rows, 1, std::max<size_t>((k + 255) / 256, 1));
}

// Rows [r0, r0 + count) of the staged call, on stream slot s.
void launch_part(const Inputs& in, Variant v, const ExecConfig& cfg, size_t r0, size_t count, size_t s) {
  GpuState& d = device();
  const size_t k = in.shape.cols, m = outputs_per_row(in.op, in.shape);
  const cudaStream_t stream = d.streams[s];
  float* y = d.y + r0 * m;
  if (in.op == Op::gemm) {
    const size_t elem = gemm_bf16(in) ? 2 : 4;
    const void* x = static_cast<const char*>(d.x) + r0 * k * elem;
    if (v == Variant::standard) return cublas_gemm(x, d.w, y, count, in.shape.n, k, in.dtype, cfg, s, stream);
    if (gemm_bf16(in))
      return launch_gemm_invariant_bf16(static_cast<const uint16_t*>(x), static_cast<const uint16_t*>(d.w), y, count,
                                        in.shape.n, k, stream);
    return launch_gemm_invariant_fp32(static_cast<const float*>(x), static_cast<const float*>(d.w), y, count,
                                      in.shape.n, k, stream);
  }
  const float* x = static_cast<const float*>(d.x) + r0 * k;
  const float* w = in.op == Op::dot ? static_cast<const float*>(d.w) : nullptr;
  if (v == Variant::standard) return launch_reduce_default(x, w, y, count, k, blocks_per_row(count, k, cfg), stream);
  launch_reduce_invariant(x, w, y, count, k, stream);
}

}  // namespace

bool cuda_available(std::string* why_not) {
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  if (e != cudaSuccess || count == 0) {
    if (why_not)
      *why_not = e != cudaSuccess ? std::string("no usable CUDA device (cudaGetDeviceCount: ") + cudaGetErrorString(e) + ")"
                                  : std::string("no CUDA device (cudaGetDeviceCount found 0)");
    (void)cudaGetLastError();
    return false;
  }
  return true;
}

bool cuda_supports(Op op) { return op == Op::sum || op == Op::dot || op == Op::gemm; }

void cuda_run_call(const Inputs& in, const std::vector<size_t>& rows, Variant v, const ExecConfig& cfg, float* out) {
  if (cfg.streams < 1 || cfg.streams > kMaxStreams)
    throw std::runtime_error("--device cuda: streams must be 1.." + std::to_string(kMaxStreams));
  stage(in, rows);
  GpuState& d = device();
  const size_t b = rows.size(), parts = std::min(cfg.streams, std::max<size_t>(b, 1));
  for (size_t s = 0; s < parts; ++s) {
    const size_t r0 = s * b / parts, r1 = (s + 1) * b / parts;
    launch_part(in, v, cfg, r0, r1 - r0, s);
  }
  for (size_t s = 0; s < parts; ++s) cuda_check(cudaStreamSynchronize(d.streams[s]), "cudaStreamSynchronize");
  const size_t m = outputs_per_row(in.op, in.shape);
  cuda_check(cudaMemcpy(out, d.y, b * m * 4, cudaMemcpyDeviceToHost), "cudaMemcpy (outputs to host)");
}

CudaTiming cuda_time_variants(const Inputs& in, const ExecConfig& cfg, size_t repeats) {
  std::vector<size_t> rows(in.shape.rows);
  for (size_t r = 0; r < rows.size(); ++r) rows[r] = r;
  stage(in, rows);
  GpuState& d = device();
  cudaEvent_t start, stop;
  cuda_check(cudaEventCreate(&start), "cudaEventCreate");
  cuda_check(cudaEventCreate(&stop), "cudaEventCreate");
  std::vector<float> t[2];
  for (size_t r = 0; r <= repeats; ++r)  // r == 0: warm-up (handles, heuristics, module load)
    for (Variant v : {Variant::standard, Variant::invariant}) {
      cuda_check(cudaEventRecord(start, d.streams[0]), "cudaEventRecord");
      launch_part(in, v, cfg, 0, rows.size(), 0);
      cuda_check(cudaEventRecord(stop, d.streams[0]), "cudaEventRecord");
      cuda_check(cudaEventSynchronize(stop), "cudaEventSynchronize");
      float ms = 0;
      cuda_check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
      if (r > 0) t[static_cast<int>(v)].push_back(ms);
    }
  cuda_check(cudaEventDestroy(start), "cudaEventDestroy");
  cuda_check(cudaEventDestroy(stop), "cudaEventDestroy");
  auto median = [](std::vector<float> x) {
    std::sort(x.begin(), x.end());
    return x.empty() ? 0.0 : static_cast<double>(x[x.size() / 2]);
  };
  return {median(t[0]), median(t[1]), repeats};
}

}  // namespace plumb::harness::repro
