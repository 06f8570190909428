// plumb CPU softmax kernels, vectorised: the registry functions, which check
// at run time that the CPU has the ISA (else not_supported, with the reason)
// before calling the ISA's translation unit. Compiled without ISA flags.
#include "plumb/kernels/softmax_kernels_decl.hpp"
#include "softmax_rows.hpp"
#include "softmax_simd_rows.hpp"

namespace plumb::kernels::cpu {
namespace {

bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
}
bool cpu_has_avx512() {
#if defined(PLUMB_SOFTMAX_AVX512)
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
#else
  return false;
#endif
}

KernelStatus run(bool avx512, SoftmaxAlgorithm a, bool safe, const FormatDesc& in_format,
                 const FormatDesc& out_format, const void* in, void* out, size_t rows, size_t cols,
                 std::string* message) {
  if (avx512 ? !cpu_has_avx512() : !cpu_has_avx2()) {
    if (message)
      *message = avx512 ?
#if defined(PLUMB_SOFTMAX_AVX512)
                        "this CPU has no AVX-512F"
#else
                        "built without AVX-512 (the compiler does not take -mavx512f)"
#endif
                        : "this CPU has no AVX2 + FMA";
    return KernelStatus::not_supported;
  }
  return softmax_rows::fp32_rows(in_format, out_format, in, out, rows, cols, message,
                                 [&](const float* x, float* y, size_t n) {
#if defined(PLUMB_SOFTMAX_AVX512)
                                   if (avx512) return simd::avx512_rows(a, safe, x, y, 1, n);
#endif
                                   simd::avx2_rows(a, safe, x, y, 1, n);
                                 });
}

}  // namespace

#define PLUMB_SOFTMAX_SIMD(fn, avx512, algorithm, safe)                                          \
  PLUMB_DECLARE_SOFTMAX_FN(fn) {                                                              \
    return run(avx512, SoftmaxAlgorithm::algorithm, safe, in_format, out_format, in, out, rows, \
               cols, message);                                                                 \
  }
PLUMB_SOFTMAX_SIMD(softmax_avx2_three_pass_recompute, false, three_pass_recompute, false)
PLUMB_SOFTMAX_SIMD(softmax_avx2_three_pass_reload, false, three_pass_reload, false)
PLUMB_SOFTMAX_SIMD(softmax_avx2_two_pass, false, two_pass, false)
PLUMB_SOFTMAX_SIMD(softmax_avx2_online, false, online, false)
PLUMB_SOFTMAX_SIMD(softmax_avx512_three_pass_recompute, true, three_pass_recompute, false)
PLUMB_SOFTMAX_SIMD(softmax_avx512_three_pass_reload, true, three_pass_reload, false)
PLUMB_SOFTMAX_SIMD(softmax_avx512_two_pass, true, two_pass, false)
PLUMB_SOFTMAX_SIMD(softmax_avx512_online, true, online, false)
#undef PLUMB_SOFTMAX_SIMD

}  // namespace plumb::kernels::cpu
