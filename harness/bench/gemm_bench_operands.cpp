// plumb_gemm_bench: operand variants and seeded random operands
// (gemm_bench_operands.hpp). Codes are drawn from pools of valid codes whose
// values lie in a moderate range, so that no dot of K <= 16,384 overflows.
#include "gemm_bench_operands.hpp"

#include <cmath>
#include <cstring>

#include "plumb/formats/block_names.hpp"
#include "plumb/formats/value.hpp"

namespace plumb::bench {

namespace {

using kernels::GemmKind;

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Every code of f whose value is finite, nonzero and of magnitude in [lo, hi].
std::vector<uint64_t> code_pool(const FormatDesc& f, double lo, double hi) {
  std::vector<uint64_t> pool;
  for (uint64_t c = 0; c <= f.code_mask() && c < (uint64_t{1} << 16); ++c) {
    const double v = decode(f, c);
    if (std::isfinite(v) && std::fabs(v) >= lo && std::fabs(v) <= hi) pool.push_back(c);
  }
  return pool;
}

template <class T>
void fill_from(std::vector<T>& out, size_t count, const std::vector<uint64_t>& pool, uint64_t& s) {
  out.resize(count);
  for (auto& x : out) x = static_cast<T>(pool[splitmix(s) % pool.size()]);
}

void fill_uniform(std::vector<float>& out, size_t count, float lo, float hi, uint64_t& s) {
  out.resize(count);
  for (auto& x : out) x = lo + (hi - lo) * static_cast<float>(splitmix(s) >> 40) * 0x1p-24f;
}

size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

}  // namespace

const std::vector<GemmVariant>& gemm_variants() {
  static const std::vector<GemmVariant> list = [] {
    std::vector<GemmVariant> v;
    v.push_back({"fp32", GemmKind::fp32, {}, {}, {}});
    v.push_back({"bf16", GemmKind::bf16, {}, {}, {}});
    v.push_back({"fp16", GemmKind::fp16, {}, {}, {}});
    v.push_back({"int8", GemmKind::int8, {}, {}, {}});
    v.push_back({"fp8_e4m3xe4m3", GemmKind::fp8, {}, formats::e4m3fn, formats::e4m3fn});
    v.push_back({"fp8_e4m3xe5m2", GemmKind::fp8, {}, formats::e4m3fn, formats::e5m2});
    v.push_back({"fp8_blockwise_e4m3", GemmKind::fp8_blockwise, {}, formats::e4m3fn, formats::e4m3fn});
    for (const char* name : {"mxfp8_e4m3", "mxfp4", "mxint8", "nvfp4", "nvint4"})
      for (const auto& nb : named_block_formats())
        if (std::strcmp(nb.name, name) == 0) v.push_back({name, GemmKind::block, nb.format, {}, {}});
    return v;
  }();
  return list;
}

GemmHostOperands make_gemm_operands(const GemmVariant& v, size_t m, size_t n, size_t k, uint64_t seed) {
  GemmHostOperands o;
  o.variant = v;
  o.m = m, o.n = n, o.k = k;
  uint64_t s = seed;
  switch (v.kind) {
    case GemmKind::fp32:
      fill_uniform(o.a_f32, m * k, -1.0f, 1.0f, s), fill_uniform(o.b_f32, n * k, -1.0f, 1.0f, s);
      break;
    case GemmKind::int8: {
      const auto pool = code_pool(formats::int8, 1, 127);
      fill_from(o.a_i8, m * k, pool, s), fill_from(o.b_i8, n * k, pool, s);
      break;
    }
    case GemmKind::bf16:
    case GemmKind::fp16: {
      const auto pool = code_pool(v.kind == GemmKind::bf16 ? formats::bf16 : formats::fp16, 0x1p-4, 2.0);
      fill_from(o.a_u16, m * k, pool, s), fill_from(o.b_u16, n * k, pool, s);
      break;
    }
    case GemmKind::fp8:
    case GemmKind::fp8_blockwise: {
      fill_from(o.a_elements, m * k, code_pool(v.a_fp8, 0x1p-4, 16.0), s);
      fill_from(o.b_elements, n * k, code_pool(v.b_fp8, 0x1p-4, 16.0), s);
      o.a_scale = 0.5f, o.b_scale = 0.25f;
      if (v.kind == GemmKind::fp8_blockwise) {
        fill_uniform(o.a_block_scales, m * ceil_div(k, 128), 0.5f, 2.0f, s);
        fill_uniform(o.b_block_scales, ceil_div(n, 128) * ceil_div(k, 128), 0.5f, 2.0f, s);
      }
      break;
    }
    case GemmKind::block: {
      const BlockFormat& f = v.format;
      const double emax = f.element.is_integer() ? 127.0 : 448.0;
      const auto elements = code_pool(f.element, f.element.is_integer() ? 1.0 : 0x1p-6, emax);
      std::vector<uint64_t> symmetric;  // integers: -max-1 is never produced (BLOCK_SEMANTICS)
      for (uint64_t c : elements)
        if (!f.element.is_integer() || std::fabs(decode(f.element, c)) < std::ldexp(1.0, f.element.mbits))
          symmetric.push_back(c);
      fill_from(o.a_elements, m * k, symmetric, s), fill_from(o.b_elements, n * k, symmetric, s);
      const auto scales = code_pool(f.scale, 0.125, 8.0);
      const size_t blocks = ceil_div(k, static_cast<size_t>(f.block_size));
      fill_from(o.a_scales, m * blocks, scales, s), fill_from(o.b_scales, n * blocks, scales, s);
      if (f.tensor_scale) o.a_tensor_scale = 0.75f, o.b_tensor_scale = 1.5f;
      break;
    }
  }
  return o;
}

kernels::GemmArgs GemmHostOperands::args() const {
  kernels::GemmArgs a;
  a.kind = variant.kind;
  a.m = m, a.n = n, a.k = k;
  a.a_f32 = a_f32.data(), a.b_f32 = b_f32.data();
  a.a_i8 = a_i8.data(), a.b_i8 = b_i8.data();
  a.a_u16 = a_u16.data(), a.b_u16 = b_u16.data();
  a.format = variant.format;
  a.a_elements = a_elements.data(), a.b_elements = b_elements.data();
  a.a_scales = a_scales.data(), a.b_scales = b_scales.data();
  a.a_tensor_scale = a_tensor_scale, a.b_tensor_scale = b_tensor_scale;
  a.a_fp8 = variant.a_fp8, a.b_fp8 = variant.b_fp8;
  a.a_scale = a_scale, a.b_scale = b_scale;
  a.a_block_scales = a_block_scales.data(), a.b_block_scales = b_block_scales.data();
  return a;
}

size_t GemmHostOperands::operand_bytes() const {
  return a_f32.size() * 4 + b_f32.size() * 4 + a_i8.size() + b_i8.size() + a_u16.size() * 2 +
         b_u16.size() * 2 + a_elements.size() + b_elements.size() + a_scales.size() + b_scales.size() +
         (a_block_scales.size() + b_block_scales.size()) * 4;
}

}  // namespace plumb::bench
