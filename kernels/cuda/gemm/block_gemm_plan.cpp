// plumb's Hopper block-scaled GEMM: formats per path and the MX scale range
// (see block_gemm_plan.hpp).
#include "block_gemm_plan.hpp"

namespace plumb::kernels::cuda::block_gemm {

namespace {
bool same_format(const BlockFormat& a, const BlockFormat& b) {
  return a.element == b.element && a.scale == b.scale && a.block_size == b.block_size &&
         a.element_shift == b.element_shift;
}
}  // namespace

// Fmt values (block_gemm_dequant.cuh): mxfp8_e4m3 0, mxfp4 1, nvfp4 2, nvint4 3.
std::optional<int> plan_format(const BlockFormat& f, bool fp8_path, std::string* why) {
  namespace B = block_formats;
  if (same_format(f, B::mxfp4)) return 1;
  if (same_format(f, B::nvfp4)) return 2;
  if (same_format(f, B::nvint4)) return 3;
  if (same_format(f, B::mxfp8_e4m3)) {
    if (!fp8_path) return 0;
    if (why)
      *why = "mxfp8_e4m3 on fp8 tensor cores: the Hopper fp8 MMA's accumulation keeps too few bits for a block of "
             "e4m3 x e4m3 products to be exact (take cuda_block_gemm_bf16)";
    return std::nullopt;
  }
  if (why)
    *why = "block format " + block_format_name(f) + ": plumb's Hopper block GEMM takes " +
           (fp8_path ? std::string("mxfp4, nvfp4, nvint4") : std::string("mxfp8_e4m3, mxfp4, nvfp4, nvint4")) +
           " (element formats whose products with the block scale are exact in " + (fp8_path ? "e4m3" : "bf16") +
           ", block 32 for MX and 16 for NV)";
  return std::nullopt;
}

std::string mx_scale_problem(const BlockFormat& f, const uint8_t* elements, const uint8_t* scales, size_t rows,
                             size_t k, const char* operand) {
  if (f.scale.encoding != Encoding::e8m0) return {};
  const size_t bs = static_cast<size_t>(f.block_size), nb = (k + bs - 1) / bs;
  for (size_t r = 0; r < rows; ++r)
    for (size_t b = 0; b < nb; ++b) {
      const int code = scales[r * nb + b];
      if (code == 0xFF) continue;  // NaN block
      const int e = code - 127;
      if (e >= -kMxSafeExp && e <= kMxSafeExp) continue;
      bool nonzero = false;
      for (size_t j = b * bs; j < std::min(k, (b + 1) * bs); ++j) nonzero |= (elements[r * k + j] & 0x7F) != 0;
      if (nonzero)
        return std::string("operand ") + operand + " row " + std::to_string(r) + " block " + std::to_string(b) +
               ": scale 2^" + std::to_string(e) + " is outside [2^-" + std::to_string(kMxSafeExp) + ", 2^" +
               std::to_string(kMxSafeExp) + "], where this kernel's products are proven exact";
    }
  return {};
}

}  // namespace plumb::kernels::cuda::block_gemm
