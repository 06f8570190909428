// cuda kernels: cuBLASLt handles, workspaces, plans and the one matmul call of
// the vendor GEMM kernels (see gemm_cublas_lt.hpp).
#include "gemm_cublas_lt.hpp"

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <utility>

namespace plumb::kernels::cuda::cublas {
namespace {

constexpr size_t kWorkspaceBytes = size_t{32} << 20;

struct Plan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;  // cuBLAS's A (plumb's B), B (plumb's A), C = D
  cublasLtMatmulAlgo_t algo{};
  KernelStatus status = KernelStatus::ok;  // not_supported / error: `why` says why (kept: asked once)
  std::string why;
};

struct Buffer {
  void* p = nullptr;
  size_t bytes = 0;
};

std::mutex& lock() {
  static std::mutex m;
  return m;
}
// Kept for the life of the process (a static destructor must not call into a
// CUDA runtime that may already be torn down).
auto& handles() { static auto* m = new std::map<int, cublasLtHandle_t>; return *m; }
auto& plans() { static auto* m = new std::map<std::string, Plan>; return *m; }
auto& buffers() { static auto* m = new std::map<std::tuple<int, cudaStream_t, int>, Buffer>; return *m; }

std::string describe(const LtProblem& p, int device) {
  char s[320];
  std::snprintf(s, sizeof s,
                "dev %d types A %d B %d C %d compute %d scale %d m %lld n %lld k %lld lda %lld ldb %lld ldc %lld "
                "scale modes A %d B %d fast_accum %d",
                device, static_cast<int>(p.a_type), static_cast<int>(p.b_type), static_cast<int>(p.c_type),
                static_cast<int>(p.compute), static_cast<int>(p.scale_type), static_cast<long long>(p.m),
                static_cast<long long>(p.n), static_cast<long long>(p.k), static_cast<long long>(p.lda),
                static_cast<long long>(p.ldb), static_cast<long long>(p.ldc), p.a_scale_mode, p.b_scale_mode,
                p.fast_accum ? 1 : 0);
  return s;
}

KernelStatus set_scale_pointers(const LtProblem& p, const LtOperands& o, cublasLtMatmulDesc_t desc,
                                std::string* message) {
  if (p.b_scale_mode != kNoScale)  // cuBLAS's A is plumb's B
    PLUMB_GEMM_LT(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &o.b_scale,
                                                 sizeof o.b_scale));
  if (p.a_scale_mode != kNoScale)
    PLUMB_GEMM_LT(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &o.a_scale,
                                                 sizeof o.a_scale));
  return KernelStatus::ok;
}

// Creates the descriptors and asks the heuristic for one algorithm. The
// scale pointers are set first: with none, the heuristic picks an algorithm
// without scaling that cublasLtMatmul then refuses once they are set (seen
// on the H100: CUBLAS_STATUS_NOT_SUPPORTED), and block scale modes refuse a
// null pointer outright. Called with lock() held.
KernelStatus make_plan(cublasLtHandle_t h, const LtProblem& p, const LtOperands& o, const std::string& what,
                       Plan* plan, std::string* message) {
  PLUMB_GEMM_LT(cublasLtMatmulDescCreate(&plan->desc, p.compute, p.scale_type));
  const cublasOperation_t t = CUBLAS_OP_T, n = CUBLAS_OP_N;
  PLUMB_GEMM_LT(cublasLtMatmulDescSetAttribute(plan->desc, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof t));
  PLUMB_GEMM_LT(cublasLtMatmulDescSetAttribute(plan->desc, CUBLASLT_MATMUL_DESC_TRANSB, &n, sizeof n));
  if (p.fast_accum) {
    const int8_t on = 1;
    PLUMB_GEMM_LT(cublasLtMatmulDescSetAttribute(plan->desc, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &on, sizeof on));
  }
  if (p.b_scale_mode >= 0)  // cuBLAS's A is plumb's B
    PLUMB_GEMM_LT(cublasLtMatmulDescSetAttribute(plan->desc, CUBLASLT_MATMUL_DESC_A_SCALE_MODE, &p.b_scale_mode,
                                                 sizeof p.b_scale_mode));
  if (p.a_scale_mode >= 0)
    PLUMB_GEMM_LT(cublasLtMatmulDescSetAttribute(plan->desc, CUBLASLT_MATMUL_DESC_B_SCALE_MODE, &p.a_scale_mode,
                                                 sizeof p.a_scale_mode));
  if (const auto st = set_scale_pointers(p, o, plan->desc, message); st != KernelStatus::ok) return st;
  PLUMB_GEMM_LT(cublasLtMatrixLayoutCreate(&plan->a, p.b_type, p.k, p.n, p.ldb));
  PLUMB_GEMM_LT(cublasLtMatrixLayoutCreate(&plan->b, p.a_type, p.k, p.m, p.lda));
  PLUMB_GEMM_LT(cublasLtMatrixLayoutCreate(&plan->c, p.c_type, p.n, p.m, p.ldc));
  cublasLtMatmulPreference_t pref = nullptr;
  PLUMB_GEMM_LT(cublasLtMatmulPreferenceCreate(&pref));
  const std::unique_ptr<void, void (*)(void*)> pref_guard(
      pref, [](void* q) { (void)cublasLtMatmulPreferenceDestroy(static_cast<cublasLtMatmulPreference_t>(q)); });
  const size_t ws = kWorkspaceBytes;
  PLUMB_GEMM_LT(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws, sizeof ws));
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  const cublasStatus_t s =
      cublasLtMatmulAlgoGetHeuristic(h, plan->desc, plan->a, plan->b, plan->c, plan->c, pref, 1, &result, &found);
  if (s == CUBLAS_STATUS_NOT_SUPPORTED || s == CUBLAS_STATUS_INVALID_VALUE || (s == CUBLAS_STATUS_SUCCESS && found == 0)) {
    plan->status = KernelStatus::not_supported;
    plan->why = "cuBLASLt has no algorithm for this problem on this GPU (cublasLtMatmulAlgoGetHeuristic: " +
                std::string(s == CUBLAS_STATUS_SUCCESS ? "0 results" : cublasLtGetStatusString(s)) + "; " + what + ")";
    return KernelStatus::ok;
  }
  PLUMB_GEMM_LT(s);
  plan->algo = result.algo;
  return KernelStatus::ok;
}

KernelStatus current_device(int* device, std::string* message) {
  PLUMB_GEMM_CUDA(cudaGetDevice(device));
  return KernelStatus::ok;
}

}  // namespace

KernelStatus cuda_failure(const char* call, cudaError_t e, std::string* message) {
  if (message) *message = std::string(call) + " failed: " + cudaGetErrorString(e);
  (void)cudaGetLastError();
  return KernelStatus::error;
}

KernelStatus cublas_failure(const char* call, cublasStatus_t s, std::string* message) {
  if (message) *message = std::string(call) + " failed: " + cublasLtGetStatusString(s);
  return KernelStatus::error;
}

KernelStatus device_capability(int* sm, std::string* name, std::string* message) {
  int device = 0, major = 0, minor = 0;
  PLUMB_GEMM_CUDA(cudaGetDevice(&device));
  PLUMB_GEMM_CUDA(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device));
  PLUMB_GEMM_CUDA(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device));
  *sm = major * 10 + minor;
  if (name) {
    cudaDeviceProp prop{};
    PLUMB_GEMM_CUDA(cudaGetDeviceProperties(&prop, device));
    *name = prop.name;
  }
  return KernelStatus::ok;
}

KernelStatus scratch(int slot, size_t bytes, cudaStream_t stream, void** out, std::string* message) {
  int device = 0;
  if (const auto s = current_device(&device, message); s != KernelStatus::ok) return s;
  const std::lock_guard<std::mutex> guard(lock());
  Buffer& b = buffers()[{device, stream, slot}];
  if (b.bytes < bytes) {
    if (b.p) {
      PLUMB_GEMM_CUDA(cudaStreamSynchronize(stream));  // the old buffer may still be read
      PLUMB_GEMM_CUDA(cudaFree(b.p));
      b = Buffer{};
    }
    PLUMB_GEMM_CUDA(cudaMalloc(&b.p, bytes));
    b.bytes = bytes;
  }
  *out = b.p;
  return KernelStatus::ok;
}

KernelStatus lt_matmul(const LtProblem& p, const LtOperands& o, cudaStream_t stream, std::string* message) {
  if (p.m < 1 || p.n < 1 || p.k < 1) {
    if (message) *message = "m, n, k must be >= 1";
    return KernelStatus::error;
  }
  int device = 0;
  if (const auto s = current_device(&device, message); s != KernelStatus::ok) return s;
  void* workspace = nullptr;
  if (const auto s = scratch(-1, kWorkspaceBytes, stream, &workspace, message); s != KernelStatus::ok) return s;
  const std::string what = describe(p, device);
  const std::lock_guard<std::mutex> guard(lock());
  cublasLtHandle_t& h = handles()[device];
  if (!h) PLUMB_GEMM_LT(cublasLtCreate(&h));
  auto [it, fresh] = plans().try_emplace(what);
  Plan& plan = it->second;
  if (fresh) {
    if (const auto s = make_plan(h, p, o, what, &plan, message); s != KernelStatus::ok) {
      plans().erase(it);  // a failure to create descriptors is not remembered
      return s;
    }
  }
  if (plan.status != KernelStatus::ok) {
    if (message) *message = plan.why;
    return plan.status;
  }
  if (const auto s = set_scale_pointers(p, o, plan.desc, message); s != KernelStatus::ok) return s;
  static const double zero = 0;  // beta: 0 as fp32 and as int32 alike
  PLUMB_GEMM_LT(cublasLtMatmul(h, plan.desc, o.alpha, o.b, plan.a, o.a, plan.b, &zero, o.c, plan.c, o.c, plan.c,
                               &plan.algo, workspace, kWorkspaceBytes, stream));
  return KernelStatus::ok;
}

}  // namespace plumb::kernels::cuda::cublas
