// cuda kernels: cublaslt_int8 (docs/GEMM_SEMANTICS.md "Vendor kernels"): int8
// operands, int32 accumulation and output (CUBLAS_COMPUTE_32I, alpha 1 as
// int32): every output must equal the exact integer.
#include "gemm_cublas_lt.hpp"
#include "gemm_cublas_staging.hpp"
#include "plumb/kernels/gemm_kernels_decl.hpp"

namespace plumb::kernels::cuda {
namespace {

using namespace cublas;
constexpr const char* kName = "cublaslt_int8";

KernelStatus enqueue(const GemmArgs& d, const Strides& st, int32_t* c, cudaStream_t stream, std::string* message) {
  if (!d.a_i8 || !d.b_i8) {
    if (message) *message = "no int8 operand arrays";
    return KernelStatus::error;
  }
  if (d.k > 131071) {
    if (message) *message = "k = " + std::to_string(d.k) + " > 131071: int32 could overflow";
    return KernelStatus::error;
  }
  LtProblem p;
  p.a_type = p.b_type = CUDA_R_8I;
  p.c_type = CUDA_R_32I;
  p.compute = CUBLAS_COMPUTE_32I;
  p.scale_type = CUDA_R_32I;
  p.m = st.m_rows, p.n = st.n_rows, p.k = static_cast<int64_t>(d.k);
  p.lda = st.lda, p.ldb = st.ldb, p.ldc = st.ldc;
  static const int32_t one = 1;
  LtOperands o;
  o.a = d.a_i8, o.b = d.b_i8, o.c = c, o.alpha = &one;
  return lt_matmul(p, o, stream, message);
}

}  // namespace

KernelStatus gemm_cublaslt_int8(const GemmArgs& a, float*, int32_t* c, std::string* message) {
  if (const auto s = expect_gemm(a, GemmKind::int8, kName, false, nullptr, c, message); s != KernelStatus::ok) return s;
  if (!a.a_i8 || !a.b_i8) {
    if (message) *message = std::string(kName) + ": no int8 operand arrays";
    return KernelStatus::error;
  }
  // Rows padded to 16 bytes, M and N to multiples of 4 (IMMA's alignment); the zeros change no output.
  const size_t m_rows = round_up(a.m, 4), n_rows = round_up(a.n, 4);
  const Strides st{static_cast<int64_t>(round_up(a.k, 16)), static_cast<int64_t>(round_up(a.k, 16)),
                   static_cast<int64_t>(round_up(n_rows, 16)), static_cast<int64_t>(m_rows), static_cast<int64_t>(n_rows)};
  DeviceArray da, db, dc;
  KernelStatus s = da.upload_rows(a.a_i8, a.m, a.k, 1, st.lda, m_rows, message);
  if (s == KernelStatus::ok) s = db.upload_rows(a.b_i8, a.n, a.k, 1, st.ldb, n_rows, message);
  if (s == KernelStatus::ok) s = dc.zeros(m_rows * st.ldc * sizeof(int32_t), message);
  GemmArgs d = a;
  d.a_i8 = da.as<int8_t>(), d.b_i8 = db.as<int8_t>();
  if (s == KernelStatus::ok) s = enqueue(d, st, dc.as<int32_t>(), nullptr, message);
  if (s == KernelStatus::ok) s = finish_default_stream(message);
  if (s == KernelStatus::ok) s = dc.download_rows(c, a.m, a.n, sizeof(int32_t), st.ldc, message);
  if (s != KernelStatus::ok && message) *message = std::string(kName) + ": " + *message;
  return s;
}

KernelStatus gemm_cublaslt_int8_launch(const GemmArgs& d, float*, int32_t* c, void* stream, std::string* message) {
  if (const auto s = expect_gemm(d, GemmKind::int8, kName, false, nullptr, c, message); s != KernelStatus::ok) return s;
  return enqueue(d, packed_strides(d), c, static_cast<cudaStream_t>(stream), message);
}

}  // namespace plumb::kernels::cuda
