// CUDA GEMM kernels (kernels/registry/gemm_cuda.inc) against the exact
// reference through the `gemm` suite (docs/GEMM_SEMANTICS.md): every cell of
// every CUDA kernel must pass, or be not_supported for a reason accepted
// here: cuBLASLt has no e5m2 x e5m2 fp8 mode, the kernel needs a newer GPU
// (Blackwell block-scaled modes on a GPU below sm_100), or the kernel's
// message names what it takes instead (kinds, formats, another kernel). The vendor kernels' device-array `launch`
// is judged the same way. Seed: Catch's --rng-seed (1 when 0), printed.
#include <catch2/catch.hpp>

#include <cuda_runtime_api.h>

#include <cstring>
#include <iostream>
#include <map>
#include <string>

#include "plumb/checks/gemm_suite.hpp"

using namespace plumb;
using namespace plumb::checks;

namespace {

uint64_t seed() { return Catch::rngSeed() ? Catch::rngSeed() : 1; }

int device_sm() {
  int device = 0, major = 0, minor = 0;
  REQUIRE(cudaGetDevice(&device) == cudaSuccess);
  REQUIRE(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) == cudaSuccess);
  REQUIRE(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) == cudaSuccess);
  return major * 10 + minor;
}

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// Why a not_supported verdict is acceptable, or "" when it is not.
std::string accepted_reason(const Verdict& v, int sm) {
  const std::string& m = v.message;
  if (has(v.label, "e5m2 x e5m2") && has(m, "e5m2 x e5m2")) return "cuBLASLt has no e5m2 x e5m2 fp8 mode";
  if (sm < 100 && has(m, "Blackwell")) return "needs a Blackwell GPU, this one is sm_" + std::to_string(sm);
  // Arch-specific kernels (sm_100a, sm_120a) run only on their own architecture.
  for (const int arch : {100, 120})
    if (sm != arch && has(m, ("needs sm_" + std::to_string(arch)).c_str()))
      return "needs sm_" + std::to_string(arch) + ", this GPU is sm_" + std::to_string(sm);
  // The kernel names what it takes (kinds, formats) or which kernel to take instead.
  for (const char* coverage : {"not implemented", "only", "(supported:", " takes ", "(take "})
    if (has(m, coverage)) return "kind or format not taken";
  return "";
}

std::string explain(const Verdict& v) {
  std::string s = v.kernel + " " + v.label + ": " + disposition_name(v.disposition) + " " +
                  std::to_string(v.mismatches) + "/" + std::to_string(v.cases) + " " + v.message;
  for (const auto& c : v.counterexamples) s += "\n  " + c.detail;
  return s;
}

}  // namespace

TEST_CASE("every CUDA GEMM kernel passes the gemm suite or is not_supported for an accepted reason",
          "[gemm][cuda]") {
  std::cout << "gemm cuda suite seed " << seed() << "\n";
  const int sm = device_sm();
  GemmSuiteOptions o;
  o.seed = seed();
  o.kernels = registry_gemm_kernels("cuda");
  REQUIRE(o.kernels.size() >= 8);
  std::map<std::string, size_t> passed;
  o.on_verdict = [&](const Verdict& v) {
    INFO("seed " << o.seed << ": " << explain(v));
    std::cout << "  " << v.kernel << " | " << v.label << " | " << disposition_name(v.disposition) << " | "
              << v.message << "\n";
    if (v.disposition == Disposition::not_supported) {
      const std::string why = accepted_reason(v, sm);
      CHECK_FALSE(why.empty());
      return;
    }
    if (v.expected_failure) return;
    CHECK(v.disposition == Disposition::passed);
    passed[v.kernel] += v.disposition == Disposition::passed;
  };
  run_gemm_suite(o);
  // The Hopper-capable vendor kernels must really have run somewhere.
  for (const char* name : {"cublas_bf16", "cublas_fp16", "cublaslt_fp8", "cublaslt_fp8_fast_accum", "cublaslt_int8",
                           "cublaslt_fp8_blockwise"}) {
    INFO(name);
    CHECK(passed[name] >= 3);
  }
}

namespace {

// Runs the current kernel's `launch` on device copies of the case's arrays.
const kernels::GemmKernel* g_kernel = nullptr;

template <class T>
T* to_device(const T* host, size_t count) {
  if (!host || count == 0) return nullptr;
  void* p = nullptr;
  REQUIRE(cudaMalloc(&p, count * sizeof(T)) == cudaSuccess);
  REQUIRE(cudaMemcpy(p, host, count * sizeof(T), cudaMemcpyHostToDevice) == cudaSuccess);
  return static_cast<T*>(p);
}

kernels::KernelStatus via_launch(const kernels::GemmArgs& a, float* c, int32_t* ci, std::string* message) {
  kernels::GemmArgs d = a;
  const size_t mk = a.m * a.k, nk = a.n * a.k, kb = (a.k + 127) / 128;
  const bool u16 = a.kind == kernels::GemmKind::bf16 || a.kind == kernels::GemmKind::fp16;
  const bool i8 = a.kind == kernels::GemmKind::int8;
  const bool f8 = a.kind == kernels::GemmKind::fp8 || a.kind == kernels::GemmKind::fp8_blockwise;
  d.a_u16 = u16 ? to_device(a.a_u16, mk) : nullptr;
  d.b_u16 = u16 ? to_device(a.b_u16, nk) : nullptr;
  d.a_i8 = i8 ? to_device(a.a_i8, mk) : nullptr;
  d.b_i8 = i8 ? to_device(a.b_i8, nk) : nullptr;
  d.a_elements = f8 ? to_device(a.a_elements, mk) : nullptr;
  d.b_elements = f8 ? to_device(a.b_elements, nk) : nullptr;
  const bool bw = a.kind == kernels::GemmKind::fp8_blockwise;
  d.a_block_scales = bw ? to_device(a.a_block_scales, a.m * kb) : nullptr;
  d.b_block_scales = bw ? to_device(a.b_block_scales, (a.n + 127) / 128 * kb) : nullptr;
  void* out = nullptr;
  REQUIRE(cudaMalloc(&out, a.m * a.n * 4) == cudaSuccess);
  cudaStream_t stream = nullptr;
  REQUIRE(cudaStreamCreate(&stream) == cudaSuccess);
  const auto s = g_kernel->launch(d, i8 ? nullptr : static_cast<float*>(out), i8 ? static_cast<int32_t*>(out) : nullptr,
                                  stream, message);
  REQUIRE(cudaStreamSynchronize(stream) == cudaSuccess);
  if (s == kernels::KernelStatus::ok)
    REQUIRE(cudaMemcpy(i8 ? static_cast<void*>(ci) : static_cast<void*>(c), out, a.m * a.n * 4,
                       cudaMemcpyDeviceToHost) == cudaSuccess);
  for (const void* p : {static_cast<const void*>(d.a_u16), static_cast<const void*>(d.b_u16),
                        static_cast<const void*>(d.a_i8), static_cast<const void*>(d.b_i8),
                        static_cast<const void*>(d.a_elements), static_cast<const void*>(d.b_elements),
                        static_cast<const void*>(d.a_block_scales), static_cast<const void*>(d.b_block_scales),
                        static_cast<const void*>(out)})
    if (p) REQUIRE(cudaFree(const_cast<void*>(p)) == cudaSuccess);
  REQUIRE(cudaStreamDestroy(stream) == cudaSuccess);
  return s;
}

}  // namespace

TEST_CASE("the vendor GEMM kernels' device-array launch is within the bound too", "[gemm][cuda]") {
  std::cout << "gemm launch seed " << seed() << "\n";
  // Packed rows (row stride k): k a multiple of 16, m and n multiples of 4.
  const std::map<std::string, GemmCase> cases = {
      {"cublas_bf16", make_half_gemm_case(kernels::GemmKind::bf16, 8, 12, 1024, seed())},
      {"cublas_fp16", make_half_gemm_case(kernels::GemmKind::fp16, 4, 8, 272, seed())},
      {"cublaslt_int8", make_int8_gemm_case(8, 4, 2048, seed())},
      {"cublaslt_fp8", make_fp8_gemm_case(formats::e4m3fn, formats::e5m2, 8, 16, 1040, seed())},
      {"cublaslt_fp8_fast_accum", make_fp8_gemm_case(formats::e4m3fn, formats::e4m3fn, 16, 8, 4096, seed())},
      {"cublaslt_fp8_blockwise", make_fp8_blockwise_gemm_case(formats::e4m3fn, formats::e4m3fn, 8, 132, 384, seed())},
  };
  for (const auto& [name, c] : cases) {
    g_kernel = kernels::find_gemm_kernel(name);
    REQUIRE(g_kernel);
    REQUIRE(g_kernel->launch);
    kernels::GemmKernel k = *g_kernel;
    k.fn = &via_launch;
    const Verdict v = check_gemm(k, c);
    INFO("seed " << seed() << ": " << explain(v));
    std::cout << "  launch " << name << " | " << c.label << " | " << disposition_name(v.disposition) << " | "
              << v.message << "\n";
    CHECK(v.disposition == Disposition::passed);
  }
}
