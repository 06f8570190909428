// cuda kernels: cuBLASLt's fp8 GEMMs (docs/GEMM_SEMANTICS.md "Vendor
// kernels"), fp32 output, CUBLAS_COMPUTE_32F:
// - cublaslt_fp8 / cublaslt_fp8_fast_accum: per-tensor fp32 scales through
//   A_SCALE / B_SCALE pointers (SCALAR_32F), fast accumulation off / on;
// - cublaslt_fp8_blockwise: Hopper's block-scaled fp8, fp32 multipliers per
//   1 x 128 block of A (VEC128_32F) and per 128 x 128 block of B
//   (BLK128x128_32F), re-laid on the device (gemm_cublas_scales.hpp).
// Operands e4m3fn or e5m2 each; e5m2 x e5m2 has no cuBLASLt mode.
#include "gemm_cublas_lt.hpp"
#include "gemm_cublas_scales.hpp"
#include "gemm_cublas_staging.hpp"
#include "plumb/kernels/gemm_kernels_decl.hpp"

namespace plumb::kernels::cuda {
namespace {

using namespace cublas;

enum class Fp8Mode { per_tensor, per_tensor_fast_accum, blockwise };
enum Slot : int { kTensorScales = 1, kAScales = 2, kBScales = 3 };

const char* name_of(Fp8Mode mode) {
  return mode == Fp8Mode::per_tensor ? "cublaslt_fp8"
         : mode == Fp8Mode::per_tensor_fast_accum ? "cublaslt_fp8_fast_accum"
                                                  : "cublaslt_fp8_blockwise";
}
GemmKind kind_of(Fp8Mode mode) { return mode == Fp8Mode::blockwise ? GemmKind::fp8_blockwise : GemmKind::fp8; }

// The cuBLASLt element types of the two operands, or not_supported.
KernelStatus fp8_types(const GemmArgs& d, LtProblem* p, std::string* message) {
  const auto type = [](const FormatDesc& f, cudaDataType_t* t) {
    if (f == formats::e4m3fn) *t = CUDA_R_8F_E4M3;
    else if (f == formats::e5m2) *t = CUDA_R_8F_E5M2;
    else return false;
    return true;
  };
  if (!type(d.a_fp8, &p->a_type) || !type(d.b_fp8, &p->b_type)) {
    if (message) *message = "fp8 operands must be e4m3fn or e5m2";
    return KernelStatus::not_supported;
  }
  if (p->a_type == CUDA_R_8F_E5M2 && p->b_type == CUDA_R_8F_E5M2) {
    if (message)
      *message = "cuBLASLt has no e5m2 x e5m2 fp8 matmul (its fp8 modes take e4m3 x e4m3, e4m3 x e5m2 and e5m2 x e4m3)";
    return KernelStatus::not_supported;
  }
  return KernelStatus::ok;
}

KernelStatus enqueue(Fp8Mode mode, const GemmArgs& d, const Strides& st, float* c, cudaStream_t stream,
                     std::string* message) {
  LtProblem p;
  if (const auto s = fp8_types(d, &p, message); s != KernelStatus::ok) return s;
  if (!d.a_elements || !d.b_elements || (mode == Fp8Mode::blockwise && (!d.a_block_scales || !d.b_block_scales))) {
    if (message) *message = "no fp8 code or scale arrays";
    return KernelStatus::error;
  }
  p.c_type = CUDA_R_32F;
  p.compute = CUBLAS_COMPUTE_32F;
  p.scale_type = CUDA_R_32F;
  p.m = st.m_rows, p.n = st.n_rows, p.k = static_cast<int64_t>(d.k);
  p.lda = st.lda, p.ldb = st.ldb, p.ldc = st.ldc;
  p.fast_accum = mode == Fp8Mode::per_tensor_fast_accum;
  static const float one = 1.0f;
  LtOperands o;
  o.a = d.a_elements, o.b = d.b_elements, o.c = c, o.alpha = &one;
  if (mode != Fp8Mode::blockwise) {
    p.a_scale_mode = p.b_scale_mode = kScalarDefault;
    // Two scales 256 bytes apart: each pointer as aligned as a cudaMalloc'd one.
    constexpr size_t kApart = 64;
    void* pair = nullptr;
    if (const auto s = scratch(kTensorScales, 2 * kApart * sizeof(float), stream, &pair, message);
        s != KernelStatus::ok)
      return s;
    float* const a_scale = static_cast<float*>(pair);
    float* const b_scale = a_scale + kApart;
    if (const auto s = set_scale_pair(a_scale, b_scale, d.a_scale, d.b_scale, stream, message); s != KernelStatus::ok)
      return s;
    o.a_scale = a_scale, o.b_scale = b_scale;
    return lt_matmul(p, o, stream, message);
  }
  p.a_scale_mode = CUBLASLT_MATMUL_MATRIX_SCALE_VEC128_32F;
  p.b_scale_mode = CUBLASLT_MATMUL_MATRIX_SCALE_BLK128x128_32F;
  const size_t kb = (d.k + 127) / 128, row_blocks = (d.n + 127) / 128;
  const size_t m_rows = static_cast<size_t>(st.m_rows);
  void *sa = nullptr, *sb = nullptr;
  if (const auto s = scratch(kAScales, kb * m_rows * sizeof(float), stream, &sa, message); s != KernelStatus::ok) return s;
  if (const auto s = scratch(kBScales, row_blocks * round_up(kb, 4) * sizeof(float), stream, &sb, message);
      s != KernelStatus::ok)
    return s;
  if (const auto s = vec128_scales(d.a_block_scales, d.m, kb, m_rows, static_cast<float*>(sa), stream, message);
      s != KernelStatus::ok)
    return s;
  if (const auto s = blk128_scales(d.b_block_scales, row_blocks, kb, static_cast<float*>(sb), stream, message);
      s != KernelStatus::ok)
    return s;
  o.a_scale = sa, o.b_scale = sb;
  return lt_matmul(p, o, stream, message);
}

KernelStatus launch_fp8(Fp8Mode mode, const GemmArgs& d, float* c, void* stream, std::string* message) {
  if (const auto s = expect_gemm(d, kind_of(mode), name_of(mode), true, c, nullptr, message); s != KernelStatus::ok)
    return s;
  return enqueue(mode, d, packed_strides(d), c, static_cast<cudaStream_t>(stream), message);
}

// K padded to a multiple of 16 with zero codes (cuBLASLt's fp8 modes want it;
// the scale grid is unchanged since 128 is a multiple of 16), M and N to
// multiples of 4 (blockwise's scale vectors need it); the zeros add nothing.
KernelStatus run_fp8(Fp8Mode mode, const GemmArgs& a, float* c, std::string* message) {
  const char* name = name_of(mode);
  if (const auto s = expect_gemm(a, kind_of(mode), name, true, c, nullptr, message); s != KernelStatus::ok) return s;
  if (!a.a_elements || !a.b_elements) {
    if (message) *message = std::string(name) + ": no fp8 code arrays";
    return KernelStatus::error;
  }
  const size_t rows_to = 4;
  const size_t m_rows = round_up(a.m, rows_to), n_rows = round_up(a.n, rows_to), ld = round_up(a.k, 16);
  const size_t kb = (a.k + 127) / 128;
  const Strides st{static_cast<int64_t>(ld), static_cast<int64_t>(ld), static_cast<int64_t>(round_up(n_rows, 16)),
                   static_cast<int64_t>(m_rows), static_cast<int64_t>(n_rows)};
  DeviceArray da, db, dc, dsa, dsb;
  KernelStatus s = da.upload_rows(a.a_elements, a.m, a.k, 1, ld, m_rows, message);
  if (s == KernelStatus::ok) s = db.upload_rows(a.b_elements, a.n, a.k, 1, ld, n_rows, message);
  if (s == KernelStatus::ok) s = dc.zeros(m_rows * st.ldc * sizeof(float), message);
  GemmArgs d = a;
  d.k = ld;
  d.a_elements = da.as<uint8_t>(), d.b_elements = db.as<uint8_t>();
  if (mode == Fp8Mode::blockwise && s == KernelStatus::ok) {
    if (!a.a_block_scales || !a.b_block_scales) {
      if (message) *message = "no block scale arrays";
      s = KernelStatus::error;
    }
    if (s == KernelStatus::ok) s = dsa.upload_rows(a.a_block_scales, a.m, kb, sizeof(float), kb, a.m, message);
    if (s == KernelStatus::ok)
      s = dsb.upload_rows(a.b_block_scales, (a.n + 127) / 128, kb, sizeof(float), kb, (a.n + 127) / 128, message);
    d.a_block_scales = dsa.as<float>(), d.b_block_scales = dsb.as<float>();
  }
  if (s == KernelStatus::ok) s = enqueue(mode, d, st, dc.as<float>(), nullptr, message);
  if (s == KernelStatus::ok) s = finish_default_stream(message);
  if (s == KernelStatus::ok) s = dc.download_rows(c, a.m, a.n, sizeof(float), st.ldc, message);
  if (s != KernelStatus::ok && message) *message = std::string(name) + ": " + *message;
  return s;
}

}  // namespace

KernelStatus gemm_cublaslt_fp8(const GemmArgs& a, float* c, int32_t*, std::string* message) {
  return run_fp8(Fp8Mode::per_tensor, a, c, message);
}
KernelStatus gemm_cublaslt_fp8_launch(const GemmArgs& d, float* c, int32_t*, void* stream, std::string* message) {
  return launch_fp8(Fp8Mode::per_tensor, d, c, stream, message);
}
KernelStatus gemm_cublaslt_fp8_fast_accum(const GemmArgs& a, float* c, int32_t*, std::string* message) {
  return run_fp8(Fp8Mode::per_tensor_fast_accum, a, c, message);
}
KernelStatus gemm_cublaslt_fp8_fast_accum_launch(const GemmArgs& d, float* c, int32_t*, void* stream,
                                                 std::string* message) {
  return launch_fp8(Fp8Mode::per_tensor_fast_accum, d, c, stream, message);
}
KernelStatus gemm_cublaslt_fp8_blockwise(const GemmArgs& a, float* c, int32_t*, std::string* message) {
  return run_fp8(Fp8Mode::blockwise, a, c, message);
}
KernelStatus gemm_cublaslt_fp8_blockwise_launch(const GemmArgs& d, float* c, int32_t*, void* stream,
                                                std::string* message) {
  return launch_fp8(Fp8Mode::blockwise, d, c, stream, message);
}

}  // namespace plumb::kernels::cuda
