// Host validation of cuda_fast's per-element function (kernels/cuda/convert/
// convert_fast_element.hpp, compiled here for the host) against formats/
// convert_code: codes and flags, for every fp32 source format <= 8 bits x 7
// modes (stochastic k = 8) x 3 policies, over all fp16 and bf16 codes widened
// to fp32, N random fp32 patterns (default 10M; argv[1]) and N/16 random fp32
// subnormals.
//
//   g++ -std=c++20 -O2 -Iformats/include -Ikernels/cuda/convert tools/cuda_fast/cuda_fast_check.cpp
//
// With the CUDA headers on the include path (-I/usr/local/cuda/include) it
// also checks the hardware path's patch (patch_hw4: fp32 -> e4m3fn / e5m2,
// nearest_even, codes only, each policy) on the same inputs taken four at a
// time, in four alignments, with the headers' host emulation of
// cvt.rn.satfinite.{e4m3x2,e5m2x2}.f32 (__nv_cvt_float2_to_fp8x2) standing in
// for the hardware. The hardware itself is checked on the GPU
// (plumb_cuda_tests "[cuda_fast]", all 2^32 fp32 inputs).

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "convert_fast_element.hpp"
#include "plumb/formats/format_desc.hpp"

#if __has_include(<cuda_fp8.h>)
#include <cuda_fp8.h>
#define PLUMB_CHECK_HW 1
#endif

using namespace plumb;
using namespace plumb::kernels::cuda::fast;

namespace {

uint32_t widen_fp16(uint32_t h) {
  uint32_t o = (h & 0x7fffu) << 13;
  const uint32_t e = o & 0x0f800000u;
  o += 112u << 23;
  if (e == 0x0f800000u) o += 112u << 23;
  if (e == 0) {
    float f;
    uint32_t t = o + (1u << 23), m = 113u << 23;
    float ft, fm;
    std::memcpy(&ft, &t, 4);
    std::memcpy(&fm, &m, 4);
    f = ft - fm;
    std::memcpy(&o, &f, 4);
  }
  return o | ((h & 0x8000u) << 16);
}

template <Rounding R, bool F, Map K>
size_t check_all(const Plan& p, const std::vector<uint32_t>& in, const std::vector<uint32_t>& rb,
                 const char* name) {
  size_t bad = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    uint32_t fl = 0, fl2 = 0;
    const uint32_t code = convert_element<R, F, K>(p, in[i], rb[i], &fl);
    // The kernel's composition: the finite path, then the specials.
    uint32_t code2 = convert_element<R, F, K, false>(p, in[i], rb[i], &fl2);
    apply_special<F>(p, in[i], &code2, &fl2);
    const Converted ref = convert_code(formats::fp32, p.to, in[i], p.spec, rb[i]);
    if (code != ref.code || (F && fl != ref.flags) || code2 != ref.code ||
        (F && fl2 != ref.flags)) {
      if (bad < 5)
        std::printf("  MISMATCH %s in=0x%08x rb=0x%08x code=0x%x ref=0x%llx fl=0x%x ref=0x%x\n",
                    name, in[i], rb[i], code, static_cast<unsigned long long>(ref.code), fl,
                    ref.flags);
      ++bad;
    }
  }
  return bad;
}

template <Rounding R>
size_t by_map(const Plan& p, const std::vector<uint32_t>& in, const std::vector<uint32_t>& rb,
              const char* name) {
  size_t bad = 0;
  switch (p.map) {
    case Map::generic: bad += check_all<R, true, Map::generic>(p, in, rb, name);
      bad += check_all<R, false, Map::generic>(p, in, rb, name); break;
    case Map::float_clamp: bad += check_all<R, true, Map::float_clamp>(p, in, rb, name);
      bad += check_all<R, false, Map::float_clamp>(p, in, rb, name); break;
    case Map::fnuz_clamp: bad += check_all<R, true, Map::fnuz_clamp>(p, in, rb, name);
      bad += check_all<R, false, Map::fnuz_clamp>(p, in, rb, name); break;
    case Map::int_clamp: bad += check_all<R, true, Map::int_clamp>(p, in, rb, name);
      bad += check_all<R, false, Map::int_clamp>(p, in, rb, name); break;
    case Map::e8m0: bad += check_all<R, true, Map::e8m0>(p, in, rb, name);
      bad += check_all<R, false, Map::e8m0>(p, in, rb, name); break;
  }
  // The generic map must be right for every plan too (but ue8m0's own).
  if (p.map != Map::generic && p.map != Map::e8m0)
    bad += check_all<R, true, Map::generic>(p, in, rb, name);
  return bad;
}

#if defined(PLUMB_CHECK_HW)
// The hardware path's patch on the host emulation of the conversion: every
// input in each of the four lanes (alignments 0..3 of the list).
template <Hw H>
size_t check_hw(const Plan& p, const std::vector<uint32_t>& in, const char* name) {
  const __nv_fp8_interpretation_t kind = H == Hw::e4m3 ? __NV_E4M3 : __NV_E5M2;
  auto cvt2 = [&](uint32_t lo, uint32_t hi) {
    float2 f;
    std::memcpy(&f.x, &lo, 4);
    std::memcpy(&f.y, &hi, 4);
    return static_cast<uint32_t>(__nv_cvt_float2_to_fp8x2(f, __NV_SATFINITE, kind));
  };
  size_t bad = 0;
  for (size_t shift = 0; shift < 4; ++shift)
    for (size_t i = shift; i + 4 <= in.size(); i += 4) {
      const uint32_t* u = &in[i];
      const uint32_t w = cvt2(u[0], u[1]) | cvt2(u[2], u[3]) << 16;
      const uint32_t got = patch_hw4<H>(p, u[0], u[1], u[2], u[3], w);
      for (int j = 0; j < 4; ++j) {
        const uint64_t want = convert_code(formats::fp32, p.to, u[j], p.spec, 0).code;
        if (((got >> (8 * j)) & 0xffu) == want) continue;
        if (bad++ < 5)
          std::printf("  MISMATCH %s (hardware path) in=0x%08x got=0x%x ref=0x%llx\n", name, u[j],
                      (got >> (8 * j)) & 0xffu, static_cast<unsigned long long>(want));
      }
    }
  return bad;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  const size_t nrand = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10000000;
  std::vector<uint32_t> in, rb;
  for (uint32_t h = 0; h < 65536; ++h) in.push_back(widen_fp16(h));
  for (uint32_t h = 0; h < 65536; ++h) in.push_back(h << 16);
  // Special patterns: every exponent with edge mantissas.
  for (uint32_t e = 0; e < 256; ++e)
    for (uint32_t m : {0u, 1u, 2u, 0x3fffffu, 0x400000u, 0x400001u, 0x7fffffu, 0x7ffffeu,
                       0x100000u, 0x080000u, 0x1fffffu, 0x200000u, 0x200001u, 0x5fffffu,
                       0x600000u, 0x600001u})
      for (uint32_t s : {0u, 0x80000000u}) in.push_back(s | (e << 23) | m);
  std::mt19937_64 rng(20261124);
  for (size_t i = 0; i < nrand; ++i) in.push_back(static_cast<uint32_t>(rng()));
  // fp32 subnormals of both signs (ue8m0's smallest value 2^-127 is one).
  for (size_t i = 0; i < nrand / 16; ++i)
    in.push_back(static_cast<uint32_t>(rng()) & 0x807fffffu);
  for (size_t i = 0; i < in.size(); ++i) rb.push_back(static_cast<uint32_t>(rng()));
  std::printf("cuda_fast_check: %zu inputs per cell\n", in.size());

  const struct { const char* name; FormatDesc f; } targets[] = {
      {"e5m2", formats::e5m2},     {"e4m3fn", formats::e4m3fn}, {"e4m3fnuz", formats::e4m3fnuz},
      {"e5m2fnuz", formats::e5m2fnuz}, {"e3m2fn", formats::e3m2fn}, {"e2m3fn", formats::e2m3fn},
      {"e2m1fn", formats::e2m1fn}, {"ue8m0", formats::ue8m0},   {"ue4m3", formats::ue4m3},
      {"int8", formats::int8},     {"int4", formats::int4},     {"uint8", formats::uint8},
      {"uint4", formats::uint4}};
  const Rounding modes[] = {Rounding::nearest_even, Rounding::nearest_away, Rounding::toward_zero,
                            Rounding::upward,       Rounding::downward,     Rounding::odd,
                            Rounding::stochastic};
  const Overflow pols[] = {Overflow::saturate, Overflow::infinity, Overflow::nan};
  size_t cells = 0, failed = 0, not_covered = 0;
  for (const auto& t : targets)
    for (Rounding r : modes)
      for (Overflow o : pols) {
        RoundingSpec spec;
        spec.rounding = r;
        spec.overflow = o;
        spec.sr_bits = r == Rounding::stochastic ? 8 : 0;
        Plan p;
        if (!make_plan(formats::fp32, t.f, spec, true, &p)) {
          std::printf("NOT COVERED %s r=%d o=%d\n", t.name, int(r), int(o));
          ++not_covered;
          continue;
        }
        char name[96];
        std::snprintf(name, sizeof name, "%s/r%d/o%d/map%d", t.name, int(r), int(o), int(p.map));
        size_t bad = 0;
        switch (r) {
          case Rounding::nearest_even: bad = by_map<Rounding::nearest_even>(p, in, rb, name); break;
          case Rounding::nearest_away: bad = by_map<Rounding::nearest_away>(p, in, rb, name); break;
          case Rounding::toward_zero: bad = by_map<Rounding::toward_zero>(p, in, rb, name); break;
          case Rounding::upward: bad = by_map<Rounding::upward>(p, in, rb, name); break;
          case Rounding::downward: bad = by_map<Rounding::downward>(p, in, rb, name); break;
          case Rounding::odd: bad = by_map<Rounding::odd>(p, in, rb, name); break;
          case Rounding::stochastic: bad = by_map<Rounding::stochastic>(p, in, rb, name); break;
        }
        ++cells;
        if (bad) {
          ++failed;
          std::printf("FAIL %s: %zu mismatches\n", name, bad);
        }
      }
  // Stochastic with other k, a few formats.
  for (int k : {1, 3, 16, 24, 31, 32})
    for (const auto& t : targets) {
      RoundingSpec spec;
      spec.rounding = Rounding::stochastic;
      spec.overflow = Overflow::saturate;
      spec.sr_bits = static_cast<uint8_t>(k);
      Plan p;
      if (!make_plan(formats::fp32, t.f, spec, true, &p)) continue;
      std::vector<uint32_t> in2(in.begin(), in.begin() + std::min<size_t>(in.size(), 1000000));
      std::vector<uint32_t> rb2(rb.begin(), rb.begin() + in2.size());
      char name[64];
      std::snprintf(name, sizeof name, "%s/sr_k%d", t.name, k);
      const size_t bad = by_map<Rounding::stochastic>(p, in2, rb2, name);
      ++cells;
      if (bad) { ++failed; std::printf("FAIL %s: %zu mismatches\n", name, bad); }
    }
#if defined(PLUMB_CHECK_HW)
  for (const auto& t : {targets[0], targets[1]})
    for (Overflow o : pols) {
      const RoundingSpec spec{Rounding::nearest_even, o, 0};
      Plan p;
      char name[64];
      std::snprintf(name, sizeof name, "%s/o%d", t.name, int(o));
      if (!make_plan(formats::fp32, t.f, spec, false, &p) || p.hw == Hw::none) {
        std::printf("FAIL %s: no hardware path in the plan\n", name);
        ++failed;
        continue;
      }
      std::printf("hardware path %s: first overflowing |x| 0x%08x\n", name, p.hw_over);
      const size_t bad = p.hw == Hw::e4m3 ? check_hw<Hw::e4m3>(p, in, name)
                                          : check_hw<Hw::e5m2>(p, in, name);
      ++cells;
      if (bad) { ++failed; std::printf("FAIL %s (hardware path): %zu mismatches\n", name, bad); }
    }
#else
  std::printf("cuda_fast_check: hardware path not checked (no <cuda_fp8.h> on the include path)\n");
#endif
  std::printf("cuda_fast_check: %zu cells, %zu failed, %zu not covered\n", cells, failed,
              not_covered);
  return failed || not_covered ? 1 : 0;
}
