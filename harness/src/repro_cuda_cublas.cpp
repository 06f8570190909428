// plumb repro on the GPU: cuBLAS / cuBLASLt GEMM per recipe (repro_cuda_cublas.hpp).
// Handles are made once per (recipe, workspace, stream slot) and kept for the
// life of the process (never destroyed: the CUDA context may be gone at exit).
#include "repro_cuda_cublas.hpp"

#include <cublasLt.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "repro_cuda_check.hpp"

namespace plumb::harness::repro {

namespace {

constexpr const char* kWorkspaceEnv = "CUBLAS_WORKSPACE_CONFIG";

// Sets (or unsets, value null) an environment variable for one scope and restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

using HandleKey = std::tuple<int, long long, size_t>;  // recipe, workspace, stream slot

struct GemmHandle {
  cublasHandle_t handle = nullptr;
  void* workspace = nullptr;  // the configuration's own workspace (workspace >= 0 and > 0 bytes)
};

GemmHandle gemm_handle(const ExecConfig& cfg, size_t slot) {
  static std::mutex mu;
  static std::map<HandleKey, GemmHandle> handles;
  std::lock_guard<std::mutex> lock(mu);
  const HandleKey key{static_cast<int>(cfg.recipe), cfg.workspace, slot};
  if (auto it = handles.find(key); it != handles.end()) return it->second;
  cublasHandle_t h = nullptr;
  {
    // cuBLAS reads CUBLAS_WORKSPACE_CONFIG when the handle is created; the
    // default recipe is made with it unset whatever the user's environment.
    ScopedEnv env(kWorkspaceEnv, cfg.recipe == CublasRecipe::workspace_config ? ":4096:8" : nullptr);
    cublas_check(cublasCreate(&h), "cublasCreate");
  }
  GemmHandle g{h, nullptr};
  if (cfg.workspace > 0)
    cuda_check(cudaMalloc(&g.workspace, static_cast<size_t>(cfg.workspace)), "cudaMalloc (cuBLAS workspace)");
  handles.emplace(key, g);
  return g;
}

cublasLtHandle_t lt_handle() {
  static cublasLtHandle_t h = [] {
    cublasLtHandle_t made = nullptr;
    cublas_check(cublasLtCreate(&made), "cublasLtCreate");
    return made;
  }();
  return h;
}

template <typename T>
void lt_set(cublasLtMatmulDesc_t d, cublasLtMatmulDescAttributes_t a, const T& v, const char* what) {
  cublas_check(cublasLtMatmulDescSetAttribute(d, a, &v, sizeof v), what);
}

// cuBLASLt with a 1-byte workspace limit and an algorithm without split-K.
void lt_gemm(const void* x, const void* w, float* y, size_t m, size_t n, size_t k, cudaDataType t,
             cudaStream_t stream) {
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulPreference_t pref = nullptr;
  auto cleanup = [&] {
    if (pref) cublasLtMatmulPreferenceDestroy(pref);
    if (c) cublasLtMatrixLayoutDestroy(c);
    if (b) cublasLtMatrixLayoutDestroy(b);
    if (a) cublasLtMatrixLayoutDestroy(a);
    if (op) cublasLtMatmulDescDestroy(op);
  };
  try {
    cublas_check(cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F), "cublasLtMatmulDescCreate");
    lt_set(op, CUBLASLT_MATMUL_DESC_TRANSA, CUBLAS_OP_T, "cublasLtMatmulDescSetAttribute(TRANSA)");
    lt_set(op, CUBLASLT_MATMUL_DESC_TRANSB, CUBLAS_OP_N, "cublasLtMatmulDescSetAttribute(TRANSB)");
    // Column-major view: C (n x m, ld n) = op(A) op(B), A = w as k x n (transposed), B = x as k x m.
    cublas_check(cublasLtMatrixLayoutCreate(&a, t, k, n, k), "cublasLtMatrixLayoutCreate(A)");
    cublas_check(cublasLtMatrixLayoutCreate(&b, t, k, m, k), "cublasLtMatrixLayoutCreate(B)");
    cublas_check(cublasLtMatrixLayoutCreate(&c, CUDA_R_32F, n, m, n), "cublasLtMatrixLayoutCreate(C)");
    cublas_check(cublasLtMatmulPreferenceCreate(&pref), "cublasLtMatmulPreferenceCreate");
    const uint64_t max_ws = 1;
    cublas_check(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &max_ws,
                                                      sizeof max_ws),
                 "cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)");
    // A stream part's rows start inside the call's buffer: offer only algorithms its alignment allows.
    const std::pair<cublasLtMatmulPreferenceAttributes_t, const void*> aligned[] = {
        {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, w}, {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, x},
        {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, y}, {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, y}};
    for (const auto& [attr, ptr] : aligned) {
      uint32_t align = 256;
      while (align > 1 && reinterpret_cast<uintptr_t>(ptr) % align != 0) align /= 2;
      cublas_check(cublasLtMatmulPreferenceSetAttribute(pref, attr, &align, sizeof align),
                   "cublasLtMatmulPreferenceSetAttribute(MIN_ALIGNMENT)");
    }
    constexpr int kWanted = 16;
    cublasLtMatmulHeuristicResult_t results[kWanted] = {};
    int found = 0;
    cublas_check(cublasLtMatmulAlgoGetHeuristic(lt_handle(), op, a, b, c, c, pref, kWanted, results, &found),
                 "cublasLtMatmulAlgoGetHeuristic");
    const cublasLtMatmulAlgo_t* algo = nullptr;
    for (int i = 0; i < found && !algo; ++i) {
      if (results[i].state != CUBLAS_STATUS_SUCCESS) continue;
      int32_t splitk = 1;
      uint32_t scheme = CUBLASLT_REDUCTION_SCHEME_NONE;
      size_t written = 0;
      cublas_check(cublasLtMatmulAlgoConfigGetAttribute(&results[i].algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &splitk,
                                                        sizeof splitk, &written),
                   "cublasLtMatmulAlgoConfigGetAttribute(SPLITK_NUM)");
      cublas_check(cublasLtMatmulAlgoConfigGetAttribute(&results[i].algo, CUBLASLT_ALGO_CONFIG_REDUCTION_SCHEME,
                                                        &scheme, sizeof scheme, &written),
                   "cublasLtMatmulAlgoConfigGetAttribute(REDUCTION_SCHEME)");
      if (splitk <= 1 && scheme == CUBLASLT_REDUCTION_SCHEME_NONE) algo = &results[i].algo;
    }
    if (!algo)
      throw std::runtime_error("cublasLtMatmulAlgoGetHeuristic offered no algorithm without split-K within a 1-byte "
                               "workspace for m=" + std::to_string(m) + " n=" + std::to_string(n) +
                               " k=" + std::to_string(k));
    const float one = 1.0f, zero = 0.0f;
    cublas_check(cublasLtMatmul(lt_handle(), op, &one, w, a, x, b, &zero, y, c, y, c, algo, nullptr, 0, stream),
                 "cublasLtMatmul");
  } catch (...) {
    cleanup();
    throw;
  }
  cleanup();
}

}  // namespace

void cublas_gemm(const void* x, const void* w, float* y, size_t m, size_t n, size_t k, Dtype dtype,
                 const ExecConfig& cfg, size_t stream_slot, cudaStream_t stream) {
  if (m == 0) return;
  const cudaDataType t = dtype == Dtype::bf16 ? CUDA_R_16BF : CUDA_R_32F;
  if (cfg.recipe == CublasRecipe::lt_no_splitk) return lt_gemm(x, w, y, m, n, k, t, stream);
  const GemmHandle g = gemm_handle(cfg, stream_slot);
  cublasHandle_t h = g.handle;
  cublas_check(cublasSetStream(h, stream), "cublasSetStream");
  // cublasSetStream resets the workspace to cuBLAS's default pool: set ours after it.
  if (cfg.workspace >= 0)
    cublas_check(cublasSetWorkspace(h, g.workspace, static_cast<size_t>(cfg.workspace)), "cublasSetWorkspace");
  cublas_check(cublasSetAtomicsMode(h, cfg.atomics ? CUBLAS_ATOMICS_ALLOWED : CUBLAS_ATOMICS_NOT_ALLOWED),
               "cublasSetAtomicsMode");
  const float one = 1.0f, zero = 0.0f;
  // Column-major: C (n x m, ld n) = w^T-as-stored (k x n, op T) times x (k x m); C is y row-major.
  cublas_check(cublasGemmEx(h, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(n), static_cast<int>(m),
                            static_cast<int>(k), &one, w, t, static_cast<int>(k), x, t, static_cast<int>(k), &zero, y,
                            CUDA_R_32F, static_cast<int>(n), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
               "cublasGemmEx");
}

}  // namespace plumb::harness::repro
