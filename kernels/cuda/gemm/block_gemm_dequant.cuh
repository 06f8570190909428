// plumb's Hopper block-scaled GEMM: decoding element and scale codes in
// registers (docs/GEMM_SEMANTICS.md "plumb's block GEMM on Hopper").
//
// bf16 path: an element times its block scale (the NV tensor scale is left
// out, applied to the fp32 result) is exact in bf16 for every format taken:
// e2m1 (2 significant bits) or int4 (3) times ue4m3 (4) has at most 7
// significant bits; e2m1 / e4m3 times 2^e is a power-of-two shift (range:
// see block_gemm_plan.hpp). fp8 path: e2m1 and int4 values are exact e4m3
// codes; the block scales stay in fp32.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

namespace plumb::kernels::cuda::block_gemm {

// The formats the kernels take, one per template instance.
enum class Fmt : int { mxfp8_e4m3 = 0, mxfp4 = 1, nvfp4 = 2, nvint4 = 3 };

__host__ __device__ constexpr int block_of(Fmt f) { return f == Fmt::nvfp4 || f == Fmt::nvint4 ? 16 : 32; }
__host__ __device__ constexpr bool four_bit(Fmt f) { return f != Fmt::mxfp8_e4m3; }
__host__ __device__ constexpr bool nv_scale(Fmt f) { return f == Fmt::nvfp4 || f == Fmt::nvint4; }

// Value of a scale code as an fp32 (exact): ue8m0 2^(c-127) (0xFF NaN; 2^-127
// is an fp32 subnormal, kept), ue4m3 (0x7F NaN).
template <Fmt F>
__device__ __forceinline__ float scale_value(uint32_t code) {
  if constexpr (nv_scale(F)) {
    code &= 0x7Fu;
    if (code == 0x7Fu) return __int_as_float(0x7FC00000);
    return __int_as_float(static_cast<int>(code << 20)) * 0x1p120f;  // e4m3 bits as fp32, x 2^(127-7)
  } else {
    if (code == 0xFFu) return __int_as_float(0x7FC00000);
    if (code == 0u) return 0x1p-127f;
    return __int_as_float(static_cast<int>(code << 23));
  }
}

// Value of one element code (its low bits) times `mult` (the block scale), in
// fp32. Subnormal fp32 intermediates are used on purpose (no -ftz).
template <Fmt F>
__device__ __forceinline__ float element_times(uint32_t code, float mult) {
  if constexpr (F == Fmt::mxfp4 || F == Fmt::nvfp4) {
    // e2m1 magnitude bits placed at fp32 bits 22..24 read as 2^-126 x value.
    const float mag = __int_as_float(static_cast<int>((code & 7u) << 22)) * 0x1p126f;
    return __int_as_float(__float_as_int(mag * mult) ^ static_cast<int>((code & 8u) << 28));
  } else if constexpr (F == Fmt::nvint4) {
    const float v = __int_as_float(static_cast<int>(0x4B000000u | ((code ^ 8u) & 15u))) - 8388616.0f;
    return v * mult;
  } else {
    const float mag = __int_as_float(static_cast<int>((code & 0x7Fu) << 20)) * 0x1p120f;
    return __int_as_float(__float_as_int(mag * mult) ^ static_cast<int>((code & 0x80u) << 24));
  }
}

__device__ __forceinline__ uint32_t pack_bf16x2(float lo, float hi) {
  const __nv_bfloat162 p = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<const uint32_t*>(&p);
}

__device__ __forceinline__ uint32_t pack_half2(float lo, float hi) {
  const __half2 p = __floats2half2_rn(lo, hi);
  return *reinterpret_cast<const uint32_t*>(&p);
}

// Code i (0..7) of a u32 of codes: one per byte (i < 4) or two per byte.
template <bool Packed>
__device__ __forceinline__ uint32_t code_at(uint32_t word, int i) {
  if constexpr (Packed) return (word >> (4 * i)) & 15u;
  else return (word >> (8 * i)) & 0xFFu;
}

// bf16 path for the 4-bit formats, four codes at a time: `nib` holds four
// codes as nibbles (bits 0..15), `scale2` the block scale as bf16x2 (exact).
// e2m1: byte permutes build each value's bf16 (high and low byte tables), the
// sign is or-ed in, one bf16x2 multiply applies the scale (exact: at most 7
// significant bits). int4: 0x4300 | (c ^ 8) is the bf16 128 + (c ^ 8); one
// fma gives (that - 136) x scale (exact). out0 = codes 0, 1; out1 = codes 2, 3.
template <Fmt F>
__device__ __forceinline__ void bf16x4_from_nibbles(uint32_t nib, uint32_t scale2, uint32_t& out0, uint32_t& out1) {
  __nv_bfloat162 x0, x1;
  if constexpr (F == Fmt::nvint4) {
    const uint32_t t = nib ^ 0x8888u;
    const uint32_t w0 = (t & 0xFu) | ((t & 0xF0u) << 12) | 0x43004300u;
    const uint32_t w1 = ((t >> 8) & 0xFu) | ((t & 0xF000u) << 4) | 0x43004300u;
    const __nv_bfloat162 s = *reinterpret_cast<const __nv_bfloat162*>(&scale2);
    const __nv_bfloat162 bias = __hmul2(s, __floats2bfloat162_rn(-136.0f, -136.0f));
    x0 = __hfma2(*reinterpret_cast<const __nv_bfloat162*>(&w0), s, bias);
    x1 = __hfma2(*reinterpret_cast<const __nv_bfloat162*>(&w1), s, bias);
  } else {
    const uint32_t sel = nib & 0x7777u;
    const uint32_t hi = __byte_perm(0x3F3F3F00u, 0x40404040u, sel);
    const uint32_t lo = __byte_perm(0xC0800000u, 0xC0804000u, sel);
    const uint32_t w0 = __byte_perm(lo, hi, 0x5140u) | ((nib << 12) & 0x8000u) | ((nib << 24) & 0x80000000u);
    const uint32_t w1 = __byte_perm(lo, hi, 0x7362u) | ((nib << 4) & 0x8000u) | ((nib << 16) & 0x80000000u);
    const __nv_bfloat162 s = *reinterpret_cast<const __nv_bfloat162*>(&scale2);
    x0 = __hmul2(*reinterpret_cast<const __nv_bfloat162*>(&w0), s);
    x1 = __hmul2(*reinterpret_cast<const __nv_bfloat162*>(&w1), s);
  }
  out0 = *reinterpret_cast<const uint32_t*>(&x0);
  out1 = *reinterpret_cast<const uint32_t*>(&x1);
}

// Four codes, one per byte (low nibbles), as four nibbles in bits 0..15.
__device__ __forceinline__ uint32_t nibbles_of_bytes(uint32_t w) {
  uint32_t x = w & 0x0F0F0F0Fu;
  x = (x | (x >> 4)) & 0x00FF00FFu;
  return (x | (x >> 8)) & 0xFFFFu;
}

// fp8 path: four e2m1 or int4 codes (low nibble of each byte of `codes`) as
// four e4m3 codes, exactly, by byte permutes.
template <Fmt F>
__device__ __forceinline__ uint32_t to_e4m3x4(uint32_t codes) {
  const uint32_t sel = (codes & 7u) | ((codes >> 4) & 0x70u) | ((codes >> 8) & 0x700u) | ((codes >> 12) & 0x7000u);
  if constexpr (F == Fmt::nvint4) {
    // 0..7 -> e4m3 of 0..7; 8..15 -> -(8..1).
    const uint32_t pos = __byte_perm(0x44403800u, 0x4E4C4A48u, sel);
    const uint32_t neg = __byte_perm(0x4A4C4E50u, 0x38404448u, sel);
    const uint32_t mask = ((codes & 0x08080808u) >> 3) * 0xFFu;
    return (pos & ~mask) | ((neg | 0x80808080u) & mask);
  } else {
    const uint32_t mag = __byte_perm(0x3C383000u, 0x4C484440u, sel);
    return mag | ((codes & 0x08080808u) << 4);
  }
}

// Four packed nibble codes (a u16) spread to one per byte.
__device__ __forceinline__ uint32_t spread_nibbles(uint32_t x16) {
  return (x16 & 0xFu) | ((x16 & 0xF0u) << 4) | ((x16 & 0xF00u) << 8) | ((x16 & 0xF000u) << 12);
}

}  // namespace plumb::kernels::cuda::block_gemm
