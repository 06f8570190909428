// plumb peers: the table of CUDA header intrinsics (see cuda_headers_intrinsics.hpp).
#include "cuda_headers_intrinsics.hpp"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp4.h>
#include <cuda_fp6.h>
#include <cuda_fp8.h>

#include <bit>

#include "plumb/formats/format_names.hpp"

namespace plumb::peers {
namespace {

namespace F = formats;

// ---------------------------------------------------------------- intrinsics



float f32(uint64_t c) { return std::bit_cast<float>(static_cast<uint32_t>(c)); }
double f64(uint64_t c) { return std::bit_cast<double>(c); }
__half_raw h16(uint64_t c) {
  __half_raw h;
  h.x = static_cast<unsigned short>(c);
  return h;
}
__nv_bfloat16_raw b16(uint64_t c) {
  __nv_bfloat16_raw b;
  b.x = static_cast<unsigned short>(c);
  return b;
}
uint64_t raw(__half h) { return static_cast<__half_raw>(h).x; }
uint64_t raw(__nv_bfloat16 b) { return static_cast<__nv_bfloat16_raw>(b).x; }

struct Mode {
  cudaRoundMode mode;
  const char* name;
  Rounding rounding;
};
constexpr Mode kNearest{cudaRoundNearest, "cudaRoundNearest", Rounding::nearest_even};
constexpr Mode kZero{cudaRoundZero, "cudaRoundZero", Rounding::toward_zero};
constexpr Mode kPosInf{cudaRoundPosInf, "cudaRoundPosInf", Rounding::upward};

struct Sat {
  __nv_saturation_t sat;
  const char* name;
};
constexpr Sat kSats[] = {{__NV_SATFINITE, "__NV_SATFINITE"}, {__NV_NOSAT, "__NV_NOSAT"}};

}  // namespace

std::vector<Intrinsic> cuda_header_intrinsics() {
  std::vector<Intrinsic> v;
  const Rounding rne = Rounding::nearest_even;
  struct Fp8 {
    __nv_fp8_interpretation_t k;
    const char* name;
    FormatDesc to;
  };
  for (const Fp8 t : {Fp8{__NV_E4M3, "__NV_E4M3", F::e4m3fn}, Fp8{__NV_E5M2, "__NV_E5M2", F::e5m2}})
    for (const Sat s : kSats) {
      const auto k = t.k;
      const auto sat = s.sat;
      const std::string a = std::string(", ") + s.name + ", " + t.name + ")";
      v.push_back({"__nv_cvt_float_to_fp8(x" + a, F::fp32, t.to, rne,
                   [=](uint64_t c) { return __nv_cvt_float_to_fp8(f32(c), sat, k); }});
      v.push_back({"__nv_cvt_double_to_fp8(x" + a, F::fp64, t.to, rne,
                   [=](uint64_t c) { return __nv_cvt_double_to_fp8(f64(c), sat, k); }});
      v.push_back({"__nv_cvt_halfraw_to_fp8(x" + a, F::fp16, t.to, rne,
                   [=](uint64_t c) { return __nv_cvt_halfraw_to_fp8(h16(c), sat, k); }});
      v.push_back({"__nv_cvt_bfloat16raw_to_fp8(x" + a, F::bf16, t.to, rne,
                   [=](uint64_t c) { return __nv_cvt_bfloat16raw_to_fp8(b16(c), sat, k); }});
    }
  struct Fp6 {
    __nv_fp6_interpretation_t k;
    const char* name;
    FormatDesc to;
  };
  for (const Fp6 t : {Fp6{__NV_E2M3, "__NV_E2M3", F::e2m3fn}, Fp6{__NV_E3M2, "__NV_E3M2", F::e3m2fn}})
    for (const Mode m : {kNearest, kZero}) {
      const auto k = t.k;
      const auto r = m.mode;
      const std::string a = std::string(", ") + t.name + ", " + m.name + ")";
      v.push_back({"__nv_cvt_float_to_fp6(x" + a, F::fp32, t.to, m.rounding,
                   [=](uint64_t c) { return __nv_cvt_float_to_fp6(f32(c), k, r); }});
      v.push_back({"__nv_cvt_double_to_fp6(x" + a, F::fp64, t.to, m.rounding,
                   [=](uint64_t c) { return __nv_cvt_double_to_fp6(f64(c), k, r); }});
      v.push_back({"__nv_cvt_halfraw_to_fp6(x" + a, F::fp16, t.to, m.rounding,
                   [=](uint64_t c) { return __nv_cvt_halfraw_to_fp6(h16(c), k, r); }});
      v.push_back({"__nv_cvt_bfloat16raw_to_fp6(x" + a, F::bf16, t.to, m.rounding,
                   [=](uint64_t c) { return __nv_cvt_bfloat16raw_to_fp6(b16(c), k, r); }});
    }
  for (const Mode m : {kNearest, kZero}) {
    const auto r = m.mode;
    const std::string a = std::string(", __NV_E2M1, ") + m.name + ")";
    v.push_back({"__nv_cvt_float_to_fp4(x" + a, F::fp32, F::e2m1fn, m.rounding,
                 [=](uint64_t c) { return __nv_cvt_float_to_fp4(f32(c), __NV_E2M1, r); }});
    v.push_back({"__nv_cvt_double_to_fp4(x" + a, F::fp64, F::e2m1fn, m.rounding,
                 [=](uint64_t c) { return __nv_cvt_double_to_fp4(f64(c), __NV_E2M1, r); }});
    v.push_back({"__nv_cvt_halfraw_to_fp4(x" + a, F::fp16, F::e2m1fn, m.rounding,
                 [=](uint64_t c) { return __nv_cvt_halfraw_to_fp4(h16(c), __NV_E2M1, r); }});
    v.push_back({"__nv_cvt_bfloat16raw_to_fp4(x" + a, F::bf16, F::e2m1fn, m.rounding,
                 [=](uint64_t c) { return __nv_cvt_bfloat16raw_to_fp4(b16(c), __NV_E2M1, r); }});
  }
  for (const Mode m : {kZero, kPosInf})
    for (const Sat s : kSats) {
      const auto r = m.mode;
      const auto sat = s.sat;
      const std::string a = std::string(", ") + s.name + ", " + m.name + ")";
      v.push_back({"__nv_cvt_float_to_e8m0(x" + a, F::fp32, F::ue8m0, m.rounding,
                   [=](uint64_t c) { return __nv_cvt_float_to_e8m0(f32(c), sat, r); }});
      v.push_back({"__nv_cvt_double_to_e8m0(x" + a, F::fp64, F::ue8m0, m.rounding,
                   [=](uint64_t c) { return __nv_cvt_double_to_e8m0(f64(c), sat, r); }});
      v.push_back({"__nv_cvt_bfloat16raw_to_e8m0(x" + a, F::bf16, F::ue8m0, m.rounding,
                   [=](uint64_t c) { return __nv_cvt_bfloat16raw_to_e8m0(b16(c), sat, r); }});
    }
  const Rounding rz = Rounding::toward_zero, ru = Rounding::upward, rd = Rounding::downward;
  v.push_back({"__float2bfloat16_rn(x)", F::fp32, F::bf16, rne,
               [](uint64_t c) { return raw(__float2bfloat16_rn(f32(c))); }});
  v.push_back({"__float2bfloat16_rz(x)", F::fp32, F::bf16, rz,
               [](uint64_t c) { return raw(__float2bfloat16_rz(f32(c))); }});
  v.push_back({"__float2bfloat16_ru(x)", F::fp32, F::bf16, ru,
               [](uint64_t c) { return raw(__float2bfloat16_ru(f32(c))); }});
  v.push_back({"__float2bfloat16_rd(x)", F::fp32, F::bf16, rd,
               [](uint64_t c) { return raw(__float2bfloat16_rd(f32(c))); }});
  v.push_back({"__double2bfloat16(x)", F::fp64, F::bf16, rne,
               [](uint64_t c) { return raw(__double2bfloat16(f64(c))); }});
  v.push_back({"__float2half_rn(x)", F::fp32, F::fp16, rne,
               [](uint64_t c) { return raw(__float2half_rn(f32(c))); }});
  v.push_back({"__float2half_rz(x)", F::fp32, F::fp16, rz,
               [](uint64_t c) { return raw(__float2half_rz(f32(c))); }});
  v.push_back({"__float2half_ru(x)", F::fp32, F::fp16, ru,
               [](uint64_t c) { return raw(__float2half_ru(f32(c))); }});
  v.push_back({"__float2half_rd(x)", F::fp32, F::fp16, rd,
               [](uint64_t c) { return raw(__float2half_rd(f32(c))); }});
  v.push_back({"__double2half(x)", F::fp64, F::fp16, rne,
               [](uint64_t c) { return raw(__double2half(f64(c))); }});
  // Decodes: exact conversions, so only special values can differ.
  auto u8 = [](uint64_t c) { return static_cast<unsigned char>(c); };
  v.push_back({"__nv_cvt_fp8_to_halfraw(x, __NV_E4M3)", F::e4m3fn, F::fp16, rne,
               [=](uint64_t c) { return uint64_t{__nv_cvt_fp8_to_halfraw(u8(c), __NV_E4M3).x}; }});
  v.push_back({"__nv_cvt_fp8_to_halfraw(x, __NV_E5M2)", F::e5m2, F::fp16, rne,
               [=](uint64_t c) { return uint64_t{__nv_cvt_fp8_to_halfraw(u8(c), __NV_E5M2).x}; }});
  v.push_back({"__nv_cvt_fp6_to_halfraw(x, __NV_E2M3)", F::e2m3fn, F::fp16, rne,
               [=](uint64_t c) { return uint64_t{__nv_cvt_fp6_to_halfraw(u8(c), __NV_E2M3).x}; }});
  v.push_back({"__nv_cvt_fp6_to_halfraw(x, __NV_E3M2)", F::e3m2fn, F::fp16, rne,
               [=](uint64_t c) { return uint64_t{__nv_cvt_fp6_to_halfraw(u8(c), __NV_E3M2).x}; }});
  v.push_back({"__nv_cvt_fp4_to_halfraw(x, __NV_E2M1)", F::e2m1fn, F::fp16, rne,
               [=](uint64_t c) { return uint64_t{__nv_cvt_fp4_to_halfraw(u8(c), __NV_E2M1).x}; }});
  v.push_back({"__nv_cvt_e8m0_to_bf16raw(x)", F::ue8m0, F::bf16, rne,
               [=](uint64_t c) { return uint64_t{__nv_cvt_e8m0_to_bf16raw(u8(c)).x}; }});
  v.push_back({"__half2float(x)", F::fp16, F::fp32, rne,
               [](uint64_t c) { return uint64_t{std::bit_cast<uint32_t>(__half2float(__half(h16(c))))}; }});
  v.push_back({"__bfloat162float(x)", F::bf16, F::fp32, rne,
               [](uint64_t c) { return uint64_t{std::bit_cast<uint32_t>(__bfloat162float(__nv_bfloat16(b16(c))))}; }});
  return v;
}


}  // namespace plumb::peers
