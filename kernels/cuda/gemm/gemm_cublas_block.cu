// cuda kernels: cuBLASLt's Blackwell block-scaled GEMMs (docs/GEMM_SEMANTICS.md
// "Vendor kernels"), kind `block`, fp32 output:
// - cublaslt_mxfp8: mxfp8_e4m3 operands, ue8m0 scales per 32 (VEC32_UE8M0);
// - cublaslt_nvfp4: nvfp4 operands, ue4m3 scales per 16 (VEC16_UE4M3), the
//   tensor scales folded into alpha = 1 / (S_A S_B).
// plumb's row-major scale grids are re-laid on the device into cuBLASLt's
// 128 x 4 tiles and fp4 codes packed two per byte (gemm_cublas_scales.hpp).
// Below sm_100 (Hopper has no block-scaled tensor cores) every call returns
// not_supported saying so; the code is built for every architecture.
#include "gemm_cublas_lt.hpp"
#include "gemm_cublas_scales.hpp"
#include "gemm_cublas_staging.hpp"
#include "plumb/kernels/gemm_kernels_decl.hpp"

namespace plumb::kernels::cuda {
namespace {

using namespace cublas;

struct BlockMode {
  const char* kernel;
  const char* format_name;
  BlockFormat format;
  cudaDataType_t element_type;
  int32_t scale_mode;
  uint8_t neutral_scale;  // the scale code of 1 (padding)
  bool packed;            // two elements per byte (fp4)
};
const BlockMode kMxfp8{"cublaslt_mxfp8", "mxfp8_e4m3", block_formats::mxfp8_e4m3, CUDA_R_8F_E4M3,
                       CUBLASLT_MATMUL_MATRIX_SCALE_VEC32_UE8M0, 127, false};
const BlockMode kNvfp4{"cublaslt_nvfp4", "nvfp4", block_formats::nvfp4, CUDA_R_4F_E2M1,
                       CUBLASLT_MATMUL_MATRIX_SCALE_VEC16_UE4M3, 0x38, true};
enum Slot : int { kAScales = 4, kBScales = 5, kAPacked = 6, kBPacked = 7 };

bool same_format(const BlockFormat& x, const BlockFormat& y) {
  return x.element == y.element && x.scale == y.scale && x.block_size == y.block_size &&
         x.tensor_scale == y.tensor_scale && x.element_shift == y.element_shift;
}

// not_supported for another format or a GPU below sm_100.
KernelStatus supported(const BlockMode& mode, const GemmArgs& a, std::string* message) {
  if (!same_format(a.format, mode.format)) {
    if (message) *message = std::string(mode.kernel) + ": takes only the block format " + mode.format_name;
    return KernelStatus::not_supported;
  }
  int sm = 0;
  std::string gpu;
  if (const auto s = device_capability(&sm, &gpu, message); s != KernelStatus::ok) return s;
  if (sm < 100) {
    if (message)
      *message = std::string(mode.kernel) + ": cuBLASLt's block-scaled " + mode.format_name +
                 " mode needs the block-scaled tensor cores of Blackwell (sm_100 or newer); this GPU (" + gpu +
                 ", sm_" + std::to_string(sm) + ") has none (Hopper's fp8 tensor cores take no per-block scales)";
    return KernelStatus::not_supported;
  }
  return KernelStatus::ok;
}

KernelStatus enqueue(const BlockMode& mode, const GemmArgs& d, const Strides& st, float* c, cudaStream_t stream,
                     std::string* message) {
  if (!d.a_elements || !d.b_elements || !d.a_scales || !d.b_scales) {
    if (message) *message = "no element or scale arrays";
    return KernelStatus::error;
  }
  const size_t bs = static_cast<size_t>(mode.format.block_size), nb = (d.k + bs - 1) / bs;
  const size_t cols = round_up(nb, 4);
  void *sa = nullptr, *sb = nullptr;
  KernelStatus s = scratch(kAScales, swizzled_scale_bytes(d.m, cols), stream, &sa, message);
  if (s == KernelStatus::ok) s = scratch(kBScales, swizzled_scale_bytes(d.n, cols), stream, &sb, message);
  if (s == KernelStatus::ok)
    s = swizzle_block_scales(d.a_scales, d.m, nb, cols, mode.neutral_scale, static_cast<uint8_t*>(sa), stream, message);
  if (s == KernelStatus::ok)
    s = swizzle_block_scales(d.b_scales, d.n, nb, cols, mode.neutral_scale, static_cast<uint8_t*>(sb), stream, message);
  if (s != KernelStatus::ok) return s;
  const void *a = d.a_elements, *b = d.b_elements;
  if (mode.packed) {  // plumb's codes are one per byte with row stride ld; cuBLASLt's two per byte
    if (d.k % 2 != 0 || st.lda != static_cast<int64_t>(d.k) || st.ldb != static_cast<int64_t>(d.k)) {
      if (message) *message = "fp4 operands need an even k and row stride k";
      return KernelStatus::not_supported;
    }
    void *pa = nullptr, *pb = nullptr;
    s = scratch(kAPacked, d.m * d.k / 2, stream, &pa, message);
    if (s == KernelStatus::ok) s = scratch(kBPacked, d.n * d.k / 2, stream, &pb, message);
    if (s == KernelStatus::ok) s = pack_fp4(d.a_elements, d.m, d.k, static_cast<uint8_t*>(pa), stream, message);
    if (s == KernelStatus::ok) s = pack_fp4(d.b_elements, d.n, d.k, static_cast<uint8_t*>(pb), stream, message);
    if (s != KernelStatus::ok) return s;
    a = pa, b = pb;
  }
  LtProblem p;
  p.a_type = p.b_type = mode.element_type;
  p.c_type = CUDA_R_32F;
  p.compute = CUBLAS_COMPUTE_32F;
  p.scale_type = CUDA_R_32F;
  p.m = st.m_rows, p.n = st.n_rows, p.k = static_cast<int64_t>(d.k);
  p.lda = st.lda, p.ldb = st.ldb, p.ldc = st.ldc;  // elements (fp4: two per byte)
  p.a_scale_mode = p.b_scale_mode = mode.scale_mode;
  // plumb's value is q x s / S per operand: alpha = 1 / (S_A S_B), one fp32 rounding.
  const float alpha = mode.format.tensor_scale
                          ? static_cast<float>(1.0 / (static_cast<double>(d.a_tensor_scale) * d.b_tensor_scale))
                          : 1.0f;
  LtOperands o;
  o.a = a, o.b = b, o.c = c, o.a_scale = sa, o.b_scale = sb, o.alpha = &alpha;
  return lt_matmul(p, o, stream, message);
}

KernelStatus launch_block(const BlockMode& mode, const GemmArgs& d, float* c, void* stream, std::string* message) {
  if (const auto s = expect_gemm(d, GemmKind::block, mode.kernel, true, c, nullptr, message); s != KernelStatus::ok)
    return s;
  if (const auto s = supported(mode, d, message); s != KernelStatus::ok) return s;
  return enqueue(mode, d, packed_strides(d), c, static_cast<cudaStream_t>(stream), message);
}

// K padded to a multiple of 128 with zero elements (scales of 1), so every
// cuBLASLt alignment holds; the zeros add nothing.
KernelStatus run_block(const BlockMode& mode, const GemmArgs& a, float* c, std::string* message) {
  if (const auto s = expect_gemm(a, GemmKind::block, mode.kernel, true, c, nullptr, message); s != KernelStatus::ok)
    return s;
  if (const auto s = supported(mode, a, message); s != KernelStatus::ok) return s;
  if (!a.a_elements || !a.b_elements || !a.a_scales || !a.b_scales) {
    if (message) *message = std::string(mode.kernel) + ": no element or scale arrays";
    return KernelStatus::error;
  }
  const size_t bs = static_cast<size_t>(mode.format.block_size), kp = round_up(a.k, 128);
  const size_t nb = (a.k + bs - 1) / bs, nbp = kp / bs;
  const auto pad_scales = [&](const uint8_t* src, size_t rows) {
    std::vector<uint8_t> v(rows * nbp, mode.neutral_scale);
    for (size_t r = 0; r < rows; ++r)
      for (size_t j = 0; j < nb; ++j) v[r * nbp + j] = src[r * nb + j];
    return v;
  };
  const std::vector<uint8_t> sa = pad_scales(a.a_scales, a.m), sb = pad_scales(a.b_scales, a.n);
  const Strides st{static_cast<int64_t>(kp), static_cast<int64_t>(kp), static_cast<int64_t>(round_up(a.n, 16)),
                   static_cast<int64_t>(a.m), static_cast<int64_t>(a.n)};
  DeviceArray da, db, dsa, dsb, dc;
  KernelStatus s = da.upload_rows(a.a_elements, a.m, a.k, 1, kp, a.m, message);
  if (s == KernelStatus::ok) s = db.upload_rows(a.b_elements, a.n, a.k, 1, kp, a.n, message);
  if (s == KernelStatus::ok) s = dsa.upload_rows(sa.data(), a.m, nbp, 1, nbp, a.m, message);
  if (s == KernelStatus::ok) s = dsb.upload_rows(sb.data(), a.n, nbp, 1, nbp, a.n, message);
  if (s == KernelStatus::ok) s = dc.zeros(a.m * st.ldc * sizeof(float), message);
  GemmArgs d = a;
  d.k = kp;
  d.a_elements = da.as<uint8_t>(), d.b_elements = db.as<uint8_t>();
  d.a_scales = dsa.as<uint8_t>(), d.b_scales = dsb.as<uint8_t>();
  if (s == KernelStatus::ok) s = enqueue(mode, d, st, dc.as<float>(), nullptr, message);
  if (s == KernelStatus::ok) s = finish_default_stream(message);
  if (s == KernelStatus::ok) s = dc.download_rows(c, a.m, a.n, sizeof(float), st.ldc, message);
  if (s != KernelStatus::ok && message) *message = std::string(mode.kernel) + ": " + *message;
  return s;
}

}  // namespace

KernelStatus gemm_cublaslt_mxfp8(const GemmArgs& a, float* c, int32_t*, std::string* message) {
  return run_block(kMxfp8, a, c, message);
}
KernelStatus gemm_cublaslt_mxfp8_launch(const GemmArgs& d, float* c, int32_t*, void* stream, std::string* message) {
  return launch_block(kMxfp8, d, c, stream, message);
}
KernelStatus gemm_cublaslt_nvfp4(const GemmArgs& a, float* c, int32_t*, std::string* message) {
  return run_block(kNvfp4, a, c, message);
}
KernelStatus gemm_cublaslt_nvfp4_launch(const GemmArgs& d, float* c, int32_t*, void* stream, std::string* message) {
  return launch_block(kNvfp4, d, c, stream, message);
}

}  // namespace plumb::kernels::cuda
