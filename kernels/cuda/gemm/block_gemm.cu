// plumb's Hopper block-scaled GEMM: the registry entries cuda_block_gemm_bf16
// and cuda_block_gemm_fp8 (kernels/registry/gemm_cuda.inc), on host arrays
// (the suites: copies to and from the device) and on device arrays (benchmarks).
// Both read one element code per byte, as plumb stores them; the packed
// variants (two 4-bit codes per byte) are timed by tools/gemm/block_gemm_tune.cu.
#include <cuda_runtime.h>

#include <string>

#include "block_gemm_launch.cuh"
#include "block_gemm_plan.hpp"
#include "plumb/kernels/gemm_kernels_decl.hpp"

namespace plumb::kernels::cuda {
namespace {

namespace bg = block_gemm;

bool failed(cudaError_t e, const char* what, std::string* message) {
  if (e == cudaSuccess) return false;
  if (message) *message = std::string(what) + ": " + cudaGetErrorString(e);
  return true;
}

KernelStatus precheck(const GemmArgs& args, bool fp8_path, bg::Fmt* fmt, std::string* message) {
  if (args.kind != GemmKind::block) {
    if (message) *message = std::string("operand kind ") + gemm_kind_name(args.kind) + ": takes block only";
    return KernelStatus::not_supported;
  }
  if (args.m == 0 || args.n == 0 || args.k == 0 || args.m > (1u << 30) || args.n > (1u << 30) || args.k > (1u << 30)) {
    if (message) *message = "m, n, k must be in 1..2^30";
    return KernelStatus::error;
  }
  std::string why;
  const auto f = bg::plan_format(args.format, fp8_path, &why);
  if (!f) {
    if (message) *message = why;
    return KernelStatus::not_supported;
  }
  *fmt = static_cast<bg::Fmt>(*f);
  return KernelStatus::ok;
}

bg::Params params(const GemmArgs& a, float* c) {
  bg::Params p{};
  p.a = {a.a_elements, a.a_scales};
  p.b = {a.b_elements, a.b_scales};
  p.m = static_cast<int>(a.m), p.n = static_cast<int>(a.n), p.k = static_cast<int>(a.k);
  p.nb = static_cast<int>((a.k + a.format.block_size - 1) / a.format.block_size);
  p.ga = a.format.tensor_scale ? 1.0f / a.a_tensor_scale : 1.0f;
  p.gb = a.format.tensor_scale ? 1.0f / a.b_tensor_scale : 1.0f;
  p.c = c;
  const auto aligned = [](const void* q) { return reinterpret_cast<uintptr_t>(q) % 16 == 0; };
  p.vec = a.k % 32 == 0 && aligned(a.a_elements) && aligned(a.b_elements);
  return p;
}

KernelStatus launch(const GemmArgs& device_args, float* c_f32, void* stream, bool fp8_path, std::string* message) {
  bg::Fmt fmt{};
  if (const auto st = precheck(device_args, fp8_path, &fmt, message); st != KernelStatus::ok) return st;
  const cudaError_t e = bg::launch_block_gemm<false>(fmt, params(device_args, c_f32), static_cast<cudaStream_t>(stream),
                                                     fp8_path ? bg::Path::fp8 : bg::Path::bf16);
  return failed(e, "block GEMM launch", message) ? KernelStatus::error : KernelStatus::ok;
}

// Host arrays: checks the MX scale range, copies in, runs, copies back.
KernelStatus run_on_host(const GemmArgs& args, float* c_f32, bool fp8_path, std::string* message) {
  bg::Fmt fmt{};
  if (const auto st = precheck(args, fp8_path, &fmt, message); st != KernelStatus::ok) return st;
  for (const auto& problem : {bg::mx_scale_problem(args.format, args.a_elements, args.a_scales, args.m, args.k, "A"),
                              bg::mx_scale_problem(args.format, args.b_elements, args.b_scales, args.n, args.k, "B")})
    if (!problem.empty()) {
      if (message) *message = problem;
      return KernelStatus::not_supported;
    }
  const size_t nb = (args.k + args.format.block_size - 1) / args.format.block_size;
  const size_t sizes[5] = {args.m * args.k, args.m * nb, args.n * args.k, args.n * nb, args.m * args.n * sizeof(float)};
  const void* sources[4] = {args.a_elements, args.a_scales, args.b_elements, args.b_scales};
  void* dev[5] = {};
  KernelStatus status = KernelStatus::ok;
  for (int i = 0; i < 5 && status == KernelStatus::ok; ++i)
    if (failed(cudaMalloc(&dev[i], sizes[i]), "cudaMalloc", message)) status = KernelStatus::error;
  for (int i = 0; i < 4 && status == KernelStatus::ok; ++i)
    if (failed(cudaMemcpy(dev[i], sources[i], sizes[i], cudaMemcpyHostToDevice), "cudaMemcpy to device", message))
      status = KernelStatus::error;
  if (status == KernelStatus::ok) {
    GemmArgs d = args;
    d.a_elements = static_cast<const uint8_t*>(dev[0]), d.a_scales = static_cast<const uint8_t*>(dev[1]);
    d.b_elements = static_cast<const uint8_t*>(dev[2]), d.b_scales = static_cast<const uint8_t*>(dev[3]);
    status = launch(d, static_cast<float*>(dev[4]), nullptr, fp8_path, message);
    if (status == KernelStatus::ok &&
        (failed(cudaDeviceSynchronize(), "block GEMM kernel", message) ||
         failed(cudaMemcpy(c_f32, dev[4], sizes[4], cudaMemcpyDeviceToHost), "cudaMemcpy to host", message)))
      status = KernelStatus::error;
  }
  for (void* p : dev)
    if (p && cudaFree(p) != cudaSuccess && status == KernelStatus::ok) {
      if (message) *message = "cudaFree failed";
      status = KernelStatus::error;
    }
  return status;
}

}  // namespace

PLUMB_DECLARE_GEMM_FN(gemm_block_bf16) {
  (void)c_i32;
  return run_on_host(args, c_f32, false, message);
}
PLUMB_DECLARE_GEMM_LAUNCH(gemm_block_bf16_launch) {
  (void)c_i32;
  return launch(device_args, c_f32, stream, false, message);
}
PLUMB_DECLARE_GEMM_FN(gemm_block_fp8) {
  (void)c_i32;
  return run_on_host(args, c_f32, true, message);
}
PLUMB_DECLARE_GEMM_LAUNCH(gemm_block_fp8_launch) {
  (void)c_i32;
  return launch(device_args, c_f32, stream, true, message);
}

}  // namespace plumb::kernels::cuda
