// cuda kernels: cublas_bf16 and cublas_fp16 (docs/GEMM_SEMANTICS.md "Vendor
// kernels"): bf16 / fp16 operands, fp32 output, CUBLAS_COMPUTE_32F (never the
// fast 16-bit or tf32 compute types) through cuBLASLt's matmul.
#include "gemm_cublas_lt.hpp"
#include "gemm_cublas_staging.hpp"
#include "plumb/kernels/gemm_kernels_decl.hpp"

namespace plumb::kernels::cuda {
namespace {

using namespace cublas;

KernelStatus enqueue(const GemmArgs& d, const Strides& st, float* c, cudaStream_t stream, std::string* message) {
  if (!d.a_u16 || !d.b_u16) {
    if (message) *message = "no 16-bit operand arrays";
    return KernelStatus::error;
  }
  LtProblem p;
  p.a_type = p.b_type = d.kind == GemmKind::bf16 ? CUDA_R_16BF : CUDA_R_16F;
  p.c_type = CUDA_R_32F;
  p.compute = CUBLAS_COMPUTE_32F;
  p.scale_type = CUDA_R_32F;
  p.m = st.m_rows, p.n = st.n_rows, p.k = static_cast<int64_t>(d.k);
  p.lda = st.lda, p.ldb = st.ldb, p.ldc = st.ldc;
  static const float one = 1.0f;
  LtOperands o;
  o.a = d.a_u16, o.b = d.b_u16, o.c = c, o.alpha = &one;
  return lt_matmul(p, o, stream, message);
}

KernelStatus launch_half(GemmKind kind, const char* name, const GemmArgs& d, float* c, void* stream,
                         std::string* message) {
  if (const auto s = expect_gemm(d, kind, name, true, c, nullptr, message); s != KernelStatus::ok) return s;
  return enqueue(d, packed_strides(d), c, static_cast<cudaStream_t>(stream), message);
}

KernelStatus run_half(GemmKind kind, const char* name, const GemmArgs& a, float* c, std::string* message) {
  if (const auto s = expect_gemm(a, kind, name, true, c, nullptr, message); s != KernelStatus::ok) return s;
  if (!a.a_u16 || !a.b_u16) {
    if (message) *message = std::string(name) + ": no 16-bit operand arrays";
    return KernelStatus::error;
  }
  const Strides st{static_cast<int64_t>(round_up(a.k, 16)), static_cast<int64_t>(round_up(a.k, 16)),
                   static_cast<int64_t>(round_up(a.n, 16)), static_cast<int64_t>(a.m), static_cast<int64_t>(a.n)};
  DeviceArray da, db, dc;
  KernelStatus s = da.upload_rows(a.a_u16, a.m, a.k, 2, st.lda, a.m, message);
  if (s == KernelStatus::ok) s = db.upload_rows(a.b_u16, a.n, a.k, 2, st.ldb, a.n, message);
  if (s == KernelStatus::ok) s = dc.zeros(a.m * st.ldc * sizeof(float), message);
  GemmArgs d = a;
  d.a_u16 = da.as<uint16_t>(), d.b_u16 = db.as<uint16_t>();
  if (s == KernelStatus::ok) s = enqueue(d, st, dc.as<float>(), nullptr, message);
  if (s == KernelStatus::ok) s = finish_default_stream(message);
  if (s == KernelStatus::ok) s = dc.download_rows(c, a.m, a.n, sizeof(float), st.ldc, message);
  if (s != KernelStatus::ok && message) *message = std::string(name) + ": " + *message;
  return s;
}

}  // namespace

KernelStatus gemm_cublas_bf16(const GemmArgs& a, float* c, int32_t*, std::string* message) {
  return run_half(GemmKind::bf16, "cublas_bf16", a, c, message);
}
KernelStatus gemm_cublas_bf16_launch(const GemmArgs& d, float* c, int32_t*, void* stream, std::string* message) {
  return launch_half(GemmKind::bf16, "cublas_bf16", d, c, stream, message);
}
KernelStatus gemm_cublas_fp16(const GemmArgs& a, float* c, int32_t*, std::string* message) {
  return run_half(GemmKind::fp16, "cublas_fp16", a, c, message);
}
KernelStatus gemm_cublas_fp16_launch(const GemmArgs& d, float* c, int32_t*, void* stream, std::string* message) {
  return launch_half(GemmKind::fp16, "cublas_fp16", d, c, stream, message);
}

}  // namespace plumb::kernels::cuda
