// The CPU GEMM kernels under test (docs/GEMM_SEMANTICS.md): int8 with int32
// accumulation; fp32 with naive, pairwise and Kahan-compensated sums; the
// block-scaled GEMM (operands dequantised by formats/, fp32 sums); and the
// planted kernel that drops K's last partial block. Compiled with
// -ffp-contract=off: every product and sum is one fp32 rounding.
#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/block_tensor.hpp"
#include "plumb/kernels/gemm_kernel.hpp"

namespace plumb::kernels::cpu {
namespace {

KernelStatus refuse(const GemmArgs& a, GemmKind want, bool need_f32_out, float* c_f32, int32_t* c_i32,
                    std::string* message) {
  if (a.kind != want) {
    if (message) *message = std::string("operand kind ") + gemm_kind_name(a.kind) + " not implemented";
    return KernelStatus::not_supported;
  }
  if (a.m == 0 || a.n == 0 || a.k == 0 || (need_f32_out ? !c_f32 : !c_i32)) {
    if (message) *message = "m, n, k must be >= 1 and the output array given";
    return KernelStatus::error;
  }
  return KernelStatus::ok;
}

float pairwise(const float* p, size_t n) {
  if (n <= 8) {
    float s = 0.0f;
    for (size_t i = 0; i < n; ++i) s += p[i];
    return s;
  }
  const size_t h = n / 2;
  return pairwise(p, h) + pairwise(p + h, n - h);
}

template <class Sum>
KernelStatus fp32_gemm(const GemmArgs& a, float* c, std::string* message, Sum sum) {
  if (auto s = refuse(a, GemmKind::fp32, true, c, nullptr, message); s != KernelStatus::ok) return s;
  if (!a.a_f32 || !a.b_f32) {
    if (message) *message = "no fp32 operand arrays";
    return KernelStatus::error;
  }
  std::vector<float> p(a.k);
  for (size_t i = 0; i < a.m; ++i)
    for (size_t j = 0; j < a.n; ++j) {
      for (size_t k = 0; k < a.k; ++k) p[k] = a.a_f32[i * a.k + k] * a.b_f32[j * a.k + k];
      c[i * a.n + j] = sum(p.data(), a.k);
    }
  return KernelStatus::ok;
}

// Dequantises both operands; sums products k < k_end in index order.
KernelStatus block_gemm(const GemmArgs& a, float* c, std::string* message, bool drop_tail) {
  if (auto s = refuse(a, GemmKind::block, true, c, nullptr, message); s != KernelStatus::ok) return s;
  if (!a.a_elements || !a.a_scales || !a.b_elements || !a.b_scales) {
    if (message) *message = "no element or scale arrays";
    return KernelStatus::error;
  }
  std::vector<float> x(a.m * a.k), y(a.n * a.k);
  const BlockOptions rows{};
  std::string problem = dequantize_tensor(a.format, rows, a.a_elements, a.a_scales, a.a_tensor_scale, a.m, a.k, x.data());
  if (problem.empty())
    problem = dequantize_tensor(a.format, rows, a.b_elements, a.b_scales, a.b_tensor_scale, a.n, a.k, y.data());
  if (!problem.empty()) {
    if (message) *message = problem;
    return KernelStatus::error;
  }
  const size_t bs = static_cast<size_t>(a.format.block_size);
  const size_t k_end = drop_tail && a.k > bs ? a.k - a.k % bs : a.k;
  for (size_t i = 0; i < a.m; ++i)
    for (size_t j = 0; j < a.n; ++j) {
      float s = 0.0f;
      for (size_t k = 0; k < k_end; ++k) s += x[i * a.k + k] * y[j * a.k + k];
      c[i * a.n + j] = s;
    }
  return KernelStatus::ok;
}

}  // namespace

KernelStatus gemm_int8(const GemmArgs& a, float*, int32_t* c, std::string* message) {
  if (auto s = refuse(a, GemmKind::int8, false, nullptr, c, message); s != KernelStatus::ok) return s;
  if (!a.a_i8 || !a.b_i8) {
    if (message) *message = "no int8 operand arrays";
    return KernelStatus::error;
  }
  if (a.k > 131071) {
    if (message) *message = "k = " + std::to_string(a.k) + " > 131071: int32 could overflow";
    return KernelStatus::error;
  }
  for (size_t i = 0; i < a.m; ++i)
    for (size_t j = 0; j < a.n; ++j) {
      int32_t s = 0;
      for (size_t k = 0; k < a.k; ++k) s += int32_t{a.a_i8[i * a.k + k]} * int32_t{a.b_i8[j * a.k + k]};
      c[i * a.n + j] = s;
    }
  return KernelStatus::ok;
}

KernelStatus gemm_fp32_naive(const GemmArgs& a, float* c, int32_t*, std::string* message) {
  return fp32_gemm(a, c, message, [](const float* p, size_t n) {
    float s = 0.0f;
    for (size_t i = 0; i < n; ++i) s += p[i];
    return s;
  });
}

KernelStatus gemm_fp32_pairwise(const GemmArgs& a, float* c, int32_t*, std::string* message) {
  return fp32_gemm(a, c, message, pairwise);
}

KernelStatus gemm_fp32_kahan(const GemmArgs& a, float* c, int32_t*, std::string* message) {
  return fp32_gemm(a, c, message, [](const float* p, size_t n) {
    float s = 0.0f, comp = 0.0f;
    for (size_t i = 0; i < n; ++i) {
      const float y = p[i] - comp;
      const float t = s + y;
      comp = (t - s) - y;
      s = t;
    }
    return s;
  });
}

KernelStatus gemm_block_fp32(const GemmArgs& a, float* c, int32_t*, std::string* message) {
  return block_gemm(a, c, message, false);
}

KernelStatus gemm_planted_block_drop_tail(const GemmArgs& a, float* c, int32_t*, std::string* message) {
  return block_gemm(a, c, message, true);
}

}  // namespace plumb::kernels::cpu
