// cpu_lmul (and the planted no-offset kernel): L-Mul on the host through
// formats/lmul.hpp, the integer add on the bit patterns. Dot and GEMM read
// each product exactly as fp32 and sum in fp32 in index order (k = 0, 1, ...),
// without fused multiply-add (the only operation is the fp32 add).
#include <string>

#include "plumb/formats/lmul.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/kernels/lmul_kernels_decl.hpp"

namespace plumb::kernels::cpu {
namespace {

KernelStatus reject(const LmulArgs& args, std::string* message) {
  if (lmul_supports(args.format)) return KernelStatus::ok;
  if (message)
    *message = "L-Mul: the operand format must be a signed float with 1..8 exponent bits and "
               "1..23 mantissa bits";
  return KernelStatus::not_supported;
}

// One product, read exactly as fp32 (decode is exact; every supported value fits fp32).
inline float product(const LmulArgs& args, uint64_t a, uint64_t b, bool offset) {
  return static_cast<float>(decode(args.format, lmul_code(args.format, args.spec, a, b, offset)));
}

KernelStatus elementwise(const LmulArgs& args, const void* a, const void* b, void* out, size_t n,
                         bool offset, std::string* message) {
  if (reject(args, message) != KernelStatus::ok) return KernelStatus::not_supported;
  const int bytes = args.format.storage_bytes();
  for (size_t i = 0; i < n; ++i)
    store_code(out, bytes, i,
               lmul_code(args.format, args.spec, load_code(a, bytes, i), load_code(b, bytes, i), offset));
  return KernelStatus::ok;
}

KernelStatus dot(const LmulArgs& args, const void* a, const void* b, size_t n, float* out,
                 bool offset, std::string* message) {
  if (reject(args, message) != KernelStatus::ok) return KernelStatus::not_supported;
  const int bytes = args.format.storage_bytes();
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i)
    sum += product(args, load_code(a, bytes, i), load_code(b, bytes, i), offset);
  *out = sum;
  return KernelStatus::ok;
}

KernelStatus gemm(const LmulArgs& args, const void* a, const void* b, size_t m, size_t n, size_t k,
                  float* c, bool offset, std::string* message) {
  if (reject(args, message) != KernelStatus::ok) return KernelStatus::not_supported;
  const int bytes = args.format.storage_bytes();
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      float sum = 0.0f;
      for (size_t p = 0; p < k; ++p)
        sum += product(args, load_code(a, bytes, i * k + p), load_code(b, bytes, p * n + j), offset);
      c[i * n + j] = sum;
    }
  return KernelStatus::ok;
}

}  // namespace

KernelStatus lmul_elementwise(const LmulArgs& args, const void* a, const void* b, void* out,
                              size_t n, std::string* message) {
  return elementwise(args, a, b, out, n, true, message);
}
KernelStatus lmul_dot(const LmulArgs& args, const void* a, const void* b, size_t n, float* out,
                      std::string* message) {
  return dot(args, a, b, n, out, true, message);
}
KernelStatus lmul_gemm(const LmulArgs& args, const void* a, const void* b, size_t m, size_t n,
                       size_t k, float* c, std::string* message) {
  return gemm(args, a, b, m, n, k, c, true, message);
}

// PLANTED BUG: the same kernel without the 2^-l(m) offset.
KernelStatus lmul_planted_no_offset_elementwise(const LmulArgs& args, const void* a, const void* b,
                                                void* out, size_t n, std::string* message) {
  return elementwise(args, a, b, out, n, false, message);
}
KernelStatus lmul_planted_no_offset_dot(const LmulArgs& args, const void* a, const void* b,
                                        size_t n, float* out, std::string* message) {
  return dot(args, a, b, n, out, false, message);
}
KernelStatus lmul_planted_no_offset_gemm(const LmulArgs& args, const void* a, const void* b,
                                         size_t m, size_t n, size_t k, float* c,
                                         std::string* message) {
  return gemm(args, a, b, m, n, k, c, false, message);
}

}  // namespace plumb::kernels::cpu
