// cuda kernels: NVIDIA's conversion intrinsics (the CUDA headers cuda_fp8.h,
// cuda_fp6.h, cuda_fp4.h, cuda_bf16.h, cuda_fp16.h) as a plan chosen on the
// host from a plumb conversion (from, to, rounding, overflow), and applied to
// one code in device code. Used by the cuda_nv_intrinsics kernel under test
// (convert_nv_intrinsics.cu). nvcc only.
//
// The mapping (docs/VENDOR_DIFFERENCES.md, "CUDA intrinsics on the GPU"):
//  - rounding: the fp8 calls round nearest_even only; fp6 / fp4
//    cudaRoundNearest = nearest_even, cudaRoundZero = toward_zero; e8m0
//    cudaRoundZero = toward_zero, cudaRoundPosInf = upward; bf16 / fp16 _rn,
//    _rz, _ru, _rd = nearest_even, toward_zero, upward, downward
//    (__double2half / __double2bfloat16: nearest_even).
//  - overflow: __NV_SATFINITE = saturate; __NV_NOSAT = infinity, and also nan
//    where plumb's infinity and nan policies give the same result (e4m3fn,
//    which has no infinity; ue8m0 rounding upward). fp6 / fp4 always saturate
//    (saturate only); bf16 / fp16 are IEEE (infinity only).
//  - exact decodes (fp8 / fp6 / fp4 -> fp16, ue8m0 -> bf16, fp16 / bf16 ->
//    fp32) give the same result under every rounding and policy.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp4.h>
#include <cuda_fp6.h>
#include <cuda_fp8.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "plumb/formats/format_names.hpp"
#include "plumb/kernels/convert_kernel.hpp"

namespace plumb::kernels::cuda {

enum class NvSource : uint8_t { f32, f64, f16, bf16, narrow };
enum class NvCall : uint8_t {
  to_fp8, to_fp6, to_fp4, to_e8m0, to_bf16, to_fp16,  // conversions that round
  fp8_to_f16, fp6_to_f16, fp4_to_f16, e8m0_to_bf16, f16_to_f32, bf16_to_f32  // exact decodes
};
enum class NvMode : uint8_t { rn, rz, ru, rd };  // the _rn/_rz/_ru/_rd suffixes of bf16 / fp16

struct NvPlan {
  NvSource source = NvSource::f32;
  NvCall call = NvCall::to_fp8;
  __nv_fp8_interpretation_t fp8 = __NV_E4M3;
  __nv_fp6_interpretation_t fp6 = __NV_E2M3;
  __nv_saturation_t sat = __NV_SATFINITE;
  cudaRoundMode round = cudaRoundNearest;  // fp6, fp4, e8m0
  NvMode mode = NvMode::rn;                // bf16, fp16
};

namespace nv_detail {

inline bool refuse(std::string* why, const std::string& text) {
  if (why) *why = "cuda_nv_intrinsics: " + text;
  return false;
}

// A named format's name (format_name would do, but nvcc's host pass at -O3
// trips GCC 12's false -Wrestrict inside it).
inline std::string name_of(const FormatDesc& f) {
  for (const auto& n : named_formats())
    if (n.desc == f) return n.name;
  return "an unnamed format";
}

inline const char* source_call_name(NvSource s) {
  switch (s) {
    case NvSource::f32: return "float";
    case NvSource::f64: return "double";
    case NvSource::f16: return "halfraw";
    case NvSource::bf16: return "bfloat16raw";
    default: return "?";
  }
}

// The saturation setting for plumb's overflow policy; false when none fits.
inline bool saturation(Overflow o, bool nosat_gives_nan, __nv_saturation_t& sat) {
  if (o == Overflow::saturate) return sat = __NV_SATFINITE, true;
  if (o == Overflow::infinity || nosat_gives_nan) return sat = __NV_NOSAT, true;
  return false;
}

}  // namespace nv_detail

// Chooses the intrinsic for args; false (and *why) where NVIDIA offers none.
inline bool make_nv_plan(const ConvertArgs& args, NvPlan& p, std::string* why) {
  namespace F = formats;
  using nv_detail::refuse;
  const FormatDesc &from = args.from, &to = args.to;
  const Rounding r = args.spec.rounding;
  const Overflow o = args.spec.overflow;
  const std::string conv = nv_detail::name_of(from) + " -> " + nv_detail::name_of(to);
  // Exact decodes: every rounding and policy gives the same result.
  struct Decode { FormatDesc from, to; NvCall call; };
  const Decode decodes[] = {{F::e4m3fn, F::fp16, NvCall::fp8_to_f16}, {F::e5m2, F::fp16, NvCall::fp8_to_f16},
                            {F::e2m3fn, F::fp16, NvCall::fp6_to_f16}, {F::e3m2fn, F::fp16, NvCall::fp6_to_f16},
                            {F::e2m1fn, F::fp16, NvCall::fp4_to_f16}, {F::ue8m0, F::bf16, NvCall::e8m0_to_bf16},
                            {F::fp16, F::fp32, NvCall::f16_to_f32},   {F::bf16, F::fp32, NvCall::bf16_to_f32}};
  for (const Decode& d : decodes)
    if (from == d.from && to == d.to) {
      p.call = d.call;
      p.source = d.call == NvCall::f16_to_f32 ? NvSource::f16 : d.call == NvCall::bf16_to_f32 ? NvSource::bf16
                                                                                              : NvSource::narrow;
      p.fp8 = from == F::e5m2 ? __NV_E5M2 : __NV_E4M3;
      p.fp6 = from == F::e3m2fn ? __NV_E3M2 : __NV_E2M3;
      return true;
    }
  if (from == F::fp32) p.source = NvSource::f32;
  else if (from == F::fp64) p.source = NvSource::f64;
  else if (from == F::fp16) p.source = NvSource::f16;
  else if (from == F::bf16) p.source = NvSource::bf16;
  else return refuse(why, "NVIDIA's headers offer no conversion " + conv);
  const std::string src = nv_detail::source_call_name(p.source);

  if (to == F::e4m3fn || to == F::e5m2) {
    p.call = NvCall::to_fp8;
    p.fp8 = to == F::e4m3fn ? __NV_E4M3 : __NV_E5M2;
    if (r != Rounding::nearest_even)
      return refuse(why, "__nv_cvt_" + src + "_to_fp8 rounds nearest_even only");
    // e4m3fn has no infinity: under nearest_even plumb's infinity policy gives NaN, as nan does.
    if (!nv_detail::saturation(o, to == F::e4m3fn, p.sat))
      return refuse(why, "__NV_NOSAT into e5m2 gives infinity on overflow: overflow nan is not offered");
    return true;
  }
  if (to == F::e2m3fn || to == F::e3m2fn || to == F::e2m1fn) {
    const bool fp4 = to == F::e2m1fn;
    p.call = fp4 ? NvCall::to_fp4 : NvCall::to_fp6;
    p.fp6 = to == F::e3m2fn ? __NV_E3M2 : __NV_E2M3;
    const std::string call = "__nv_cvt_" + src + (fp4 ? "_to_fp4" : "_to_fp6");
    if (r == Rounding::nearest_even) p.round = cudaRoundNearest;
    else if (r == Rounding::toward_zero) p.round = cudaRoundZero;
    else return refuse(why, call + " rounds nearest_even (cudaRoundNearest) or toward_zero (cudaRoundZero) only");
    if (o != Overflow::saturate) return refuse(why, call + " always saturates: overflow saturate only");
    return true;
  }
  if (to == F::ue8m0) {
    p.call = NvCall::to_e8m0;
    if (p.source == NvSource::f16) return refuse(why, "NVIDIA's headers offer no conversion fp16 -> ue8m0");
    const std::string call = "__nv_cvt_" + src + "_to_e8m0";
    if (r == Rounding::toward_zero) p.round = cudaRoundZero;
    else if (r == Rounding::upward) p.round = cudaRoundPosInf;
    else return refuse(why, call + " rounds toward_zero (cudaRoundZero) or upward (cudaRoundPosInf) only");
    // Rounding upward, plumb's infinity policy gives +inf -> NaN (no infinity), as nan does.
    if (!nv_detail::saturation(o, r == Rounding::upward, p.sat))
      return refuse(why, call + "(x, __NV_NOSAT, cudaRoundZero) gives the largest value on finite overflow "
                               "(IEEE's toward_zero): overflow nan is not offered");
    return true;
  }
  if ((to == F::bf16 || to == F::fp16) && (p.source == NvSource::f32 || p.source == NvSource::f64)) {
    const bool bf = to == F::bf16;
    p.call = bf ? NvCall::to_bf16 : NvCall::to_fp16;
    const std::string call = p.source == NvSource::f64   ? (bf ? "__double2bfloat16" : "__double2half")
                             : bf                        ? "__float2bfloat16_rn/rz/ru/rd"
                                                         : "__float2half_rn/rz/ru/rd";
    if (o != Overflow::infinity) return refuse(why, call + " is IEEE: overflow infinity only");
    if (r == Rounding::nearest_even) p.mode = NvMode::rn;
    else if (p.source == NvSource::f64) return refuse(why, call + " rounds nearest_even only");
    else if (r == Rounding::toward_zero) p.mode = NvMode::rz;
    else if (r == Rounding::upward) p.mode = NvMode::ru;
    else if (r == Rounding::downward) p.mode = NvMode::rd;
    else return refuse(why, call + " round nearest_even, toward_zero, upward or downward only");
    return true;
  }
  return refuse(why, "NVIDIA's headers offer no conversion " + conv);
}

// ------------------------------------------------- applying it (device code)
//
// __host__ __device__: on the host the same calls take the headers' host paths
// (what the cuda_headers peer measures), which lets the plan be checked
// without a GPU.

namespace nv_detail {

__host__ __device__ inline __half_raw half_raw(uint32_t c) {
  __half_raw h;
  h.x = static_cast<unsigned short>(c);
  return h;
}
__host__ __device__ inline __nv_bfloat16_raw bf16_raw(uint32_t c) {
  __nv_bfloat16_raw b;
  b.x = static_cast<unsigned short>(c);
  return b;
}
__host__ __device__ inline uint32_t bits(__half h) { return static_cast<__half_raw>(h).x; }
__host__ __device__ inline float as_float(uint32_t c) {
  float f;
  memcpy(&f, &c, sizeof f);
  return f;
}
__host__ __device__ inline double as_double(uint64_t c) {
  double d;
  memcpy(&d, &c, sizeof d);
  return d;
}
__host__ __device__ inline uint32_t float_bits(float f) {
  uint32_t c;
  memcpy(&c, &f, sizeof c);
  return c;
}
__host__ __device__ inline uint32_t bits(__nv_bfloat16 b) { return static_cast<__nv_bfloat16_raw>(b).x; }

__host__ __device__ inline uint32_t from_float(const NvPlan& p, float x) {
  switch (p.call) {
    case NvCall::to_fp8: return __nv_cvt_float_to_fp8(x, p.sat, p.fp8);
    case NvCall::to_fp6: return __nv_cvt_float_to_fp6(x, p.fp6, p.round);
    case NvCall::to_fp4: return __nv_cvt_float_to_fp4(x, __NV_E2M1, p.round);
    case NvCall::to_e8m0: return __nv_cvt_float_to_e8m0(x, p.sat, p.round);
    case NvCall::to_bf16:
      switch (p.mode) {
        case NvMode::rz: return bits(__float2bfloat16_rz(x));
        case NvMode::ru: return bits(__float2bfloat16_ru(x));
        case NvMode::rd: return bits(__float2bfloat16_rd(x));
        default: return bits(__float2bfloat16_rn(x));
      }
    case NvCall::to_fp16:
      switch (p.mode) {
        case NvMode::rz: return bits(__float2half_rz(x));
        case NvMode::ru: return bits(__float2half_ru(x));
        case NvMode::rd: return bits(__float2half_rd(x));
        default: return bits(__float2half_rn(x));
      }
    default: return 0;
  }
}

__host__ __device__ inline uint32_t from_double(const NvPlan& p, double x) {
  switch (p.call) {
    case NvCall::to_fp8: return __nv_cvt_double_to_fp8(x, p.sat, p.fp8);
    case NvCall::to_fp6: return __nv_cvt_double_to_fp6(x, p.fp6, p.round);
    case NvCall::to_fp4: return __nv_cvt_double_to_fp4(x, __NV_E2M1, p.round);
    case NvCall::to_e8m0: return __nv_cvt_double_to_e8m0(x, p.sat, p.round);
    case NvCall::to_bf16: return bits(__double2bfloat16(x));
    case NvCall::to_fp16: return bits(__double2half(x));
    default: return 0;
  }
}

__host__ __device__ inline uint32_t from_half(const NvPlan& p, uint32_t c) {
  switch (p.call) {
    case NvCall::to_fp8: return __nv_cvt_halfraw_to_fp8(half_raw(c), p.sat, p.fp8);
    case NvCall::to_fp6: return __nv_cvt_halfraw_to_fp6(half_raw(c), p.fp6, p.round);
    case NvCall::to_fp4: return __nv_cvt_halfraw_to_fp4(half_raw(c), __NV_E2M1, p.round);
    case NvCall::f16_to_f32: return float_bits(__half2float(__half(half_raw(c))));
    default: return 0;
  }
}

__host__ __device__ inline uint32_t from_bf16(const NvPlan& p, uint32_t c) {
  switch (p.call) {
    case NvCall::to_fp8: return __nv_cvt_bfloat16raw_to_fp8(bf16_raw(c), p.sat, p.fp8);
    case NvCall::to_fp6: return __nv_cvt_bfloat16raw_to_fp6(bf16_raw(c), p.fp6, p.round);
    case NvCall::to_fp4: return __nv_cvt_bfloat16raw_to_fp4(bf16_raw(c), __NV_E2M1, p.round);
    case NvCall::to_e8m0: return __nv_cvt_bfloat16raw_to_e8m0(bf16_raw(c), p.sat, p.round);
    case NvCall::bf16_to_f32: return float_bits(__bfloat162float(__nv_bfloat16(bf16_raw(c))));
    default: return 0;
  }
}

__host__ __device__ inline uint32_t from_narrow(const NvPlan& p, uint32_t c) {
  const auto code = static_cast<unsigned char>(c);
  switch (p.call) {
    case NvCall::fp8_to_f16: return __nv_cvt_fp8_to_halfraw(code, p.fp8).x;
    case NvCall::fp6_to_f16: return __nv_cvt_fp6_to_halfraw(code, p.fp6).x;
    case NvCall::fp4_to_f16: return __nv_cvt_fp4_to_halfraw(code, __NV_E2M1).x;
    case NvCall::e8m0_to_bf16: return __nv_cvt_e8m0_to_bf16raw(code).x;
    default: return 0;
  }
}

}  // namespace nv_detail

// The plan's intrinsic applied to one source code (In: the source's storage).
template <typename In>
__host__ __device__ inline uint32_t nv_apply(const NvPlan& p, In code) {
  using namespace nv_detail;
  if constexpr (sizeof(In) == 8) return from_double(p, as_double(code));
  else if constexpr (sizeof(In) == 4) return from_float(p, as_float(code));
  else if constexpr (sizeof(In) == 2) return p.source == NvSource::f16 ? from_half(p, code) : from_bf16(p, code);
  else return from_narrow(p, code);
}

}  // namespace plumb::kernels::cuda
