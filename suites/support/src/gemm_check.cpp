// plumb checks: GEMM cases and the check against the exact reference
// (see gemm_check.hpp, docs/GEMM_SEMANTICS.md).
#include "plumb/checks/gemm_check.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "plumb/formats/block_tensor.hpp"
#include "plumb/formats/format_desc.hpp"

namespace plumb::checks {
namespace {

uint64_t next(uint64_t& s) {  // splitmix64
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::vector<float> random_f32(size_t count, uint64_t& s) {
  std::vector<float> v(count);
  for (auto& x : v) {
    const float u = static_cast<float>(static_cast<int32_t>(next(s) >> 40) - (1 << 23)) * 0x1p-23f;
    x = std::ldexp(u, static_cast<int>(next(s) % 17) - 8);
  }
  return v;
}

std::string shape(size_t m, size_t n, size_t k) {
  return std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
}

int64_t ulp_distance(float x, float y) {
  const auto ordered = [](float f) {
    int32_t b;
    std::memcpy(&b, &f, 4);
    return b < 0 ? -static_cast<int64_t>(b & 0x7fffffff) : static_cast<int64_t>(b);
  };
  return std::llabs(ordered(x) - ordered(y));
}

std::string fmt(long double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9Lg", x);
  return buf;
}

}  // namespace

kernels::GemmArgs GemmCase::args() const {
  kernels::GemmArgs a;
  a.kind = kind;
  a.m = m, a.n = n, a.k = k;
  a.a_f32 = a_f32.data(), a.b_f32 = b_f32.data();
  a.a_i8 = a_i8.data(), a.b_i8 = b_i8.data();
  a.format = format;
  a.a_elements = a_elements.data(), a.a_scales = a_scales.data();
  a.b_elements = b_elements.data(), a.b_scales = b_scales.data();
  a.a_tensor_scale = a_tensor_scale, a.b_tensor_scale = b_tensor_scale;
  a.a_u16 = a_u16.data(), a.b_u16 = b_u16.data();
  a.a_fp8 = a_fp8, a.b_fp8 = b_fp8;
  a.a_scale = a_scale, a.b_scale = b_scale;
  a.a_block_scales = a_block_scales.data(), a.b_block_scales = b_block_scales.data();
  return a;
}

static reference::GemmOperand operand(const GemmCase& c, bool is_a) {
  reference::GemmOperand o;
  switch (c.kind) {
    case kernels::GemmKind::fp32: o.kind = reference::GemmOperandKind::fp32; break;
    case kernels::GemmKind::int8: o.kind = reference::GemmOperandKind::int8; break;
    case kernels::GemmKind::block: o.kind = reference::GemmOperandKind::block; break;
    case kernels::GemmKind::bf16: o.kind = reference::GemmOperandKind::bf16; break;
    case kernels::GemmKind::fp16: o.kind = reference::GemmOperandKind::fp16; break;
    case kernels::GemmKind::fp8: o.kind = reference::GemmOperandKind::fp8; break;
    case kernels::GemmKind::fp8_blockwise: o.kind = reference::GemmOperandKind::fp8_blockwise; break;
  }
  o.rows = is_a ? c.m : c.n;
  o.k = c.k;
  o.f32 = (is_a ? c.a_f32 : c.b_f32).data();
  o.i8 = (is_a ? c.a_i8 : c.b_i8).data();
  o.format = c.format;
  o.elements = (is_a ? c.a_elements : c.b_elements).data();
  o.scales = (is_a ? c.a_scales : c.b_scales).data();
  o.tensor_scale = is_a ? c.a_tensor_scale : c.b_tensor_scale;
  o.u16 = (is_a ? c.a_u16 : c.b_u16).data();
  o.code_format = is_a ? c.a_fp8 : c.b_fp8;
  o.multiplier = is_a ? c.a_scale : c.b_scale;
  o.block_scales = (is_a ? c.a_block_scales : c.b_block_scales).data();
  o.scale_block_rows = is_a ? 1 : 128;
  return o;
}
reference::GemmOperand GemmCase::a_operand() const { return operand(*this, true); }
reference::GemmOperand GemmCase::b_operand() const { return operand(*this, false); }

GemmCase make_fp32_gemm_case(size_t m, size_t n, size_t k, uint64_t seed) {
  GemmCase c;
  c.label = "fp32 " + shape(m, n, k);
  c.seed = seed;
  c.kind = kernels::GemmKind::fp32;
  c.m = m, c.n = n, c.k = k;
  uint64_t s = seed;
  c.a_f32 = random_f32(m * k, s);
  c.b_f32 = random_f32(n * k, s);
  return c;
}

GemmCase make_int8_gemm_case(size_t m, size_t n, size_t k, uint64_t seed) {
  GemmCase c;
  c.label = "int8 " + shape(m, n, k);
  c.seed = seed;
  c.kind = kernels::GemmKind::int8;
  c.m = m, c.n = n, c.k = k;
  uint64_t s = seed;
  for (size_t i = 0; i < m * k; ++i) c.a_i8.push_back(static_cast<int8_t>(next(s) & 0xff));
  for (size_t i = 0; i < n * k; ++i) c.b_i8.push_back(static_cast<int8_t>(next(s) & 0xff));
  return c;
}

GemmCase make_block_gemm_case(const BlockFormat& f, const std::string& format_name, size_t m, size_t n,
                              size_t k, GemmSpecial special, uint64_t seed) {
  GemmCase c;
  c.label = format_name + " " + shape(m, n, k) +
            (special == GemmSpecial::zero_block ? " zero_block" : special == GemmSpecial::nan_inf ? " nan_inf" : "");
  c.seed = seed;
  c.kind = kernels::GemmKind::block;
  c.m = m, c.n = n, c.k = k;
  c.format = f;
  c.variant = format_name;
  uint64_t s = seed;
  std::vector<float> x = random_f32(m * k, s), y = random_f32(n * k, s);
  const size_t bs = static_cast<size_t>(f.block_size), nb = (k + bs - 1) / bs;
  if (special == GemmSpecial::zero_block) {
    for (size_t j = 0; j < std::min(bs, k); ++j) x[j] = 0.0f;
    for (size_t j = (nb - 1) * bs; j < k; ++j) y[(n - 1) * k + j] = 0.0f;
  } else if (special == GemmSpecial::nan_inf) {
    x[(m - 1) * k] = INFINITY;
    y[k - 1] = NAN;
  }
  c.a_elements.resize(m * k), c.b_elements.resize(n * k);
  c.a_scales.resize(m * nb), c.b_scales.resize(n * nb);
  const BlockOptions rows{};
  std::string problem = quantize_tensor(f, rows, x.data(), m, k, c.a_elements.data(), c.a_scales.data(),
                                        &c.a_tensor_scale);
  if (problem.empty())
    problem = quantize_tensor(f, rows, y.data(), n, k, c.b_elements.data(), c.b_scales.data(), &c.b_tensor_scale);
  if (!problem.empty()) throw std::invalid_argument("make_block_gemm_case " + c.label + ": " + problem);
  return c;
}

namespace {

std::vector<uint16_t> random_half_codes(const FormatDesc& f, size_t count, uint64_t& s) {
  std::vector<uint16_t> v(count);
  for (auto& c : v) {
    const uint64_t r = next(s);
    if (r % 16 == 0) {
      c = 0;
      continue;
    }
    const int draw = static_cast<int>((r >> 8) % (f.ebits == 5 ? 18 : 17));  // fp16: 17 is a subnormal
    const uint64_t field = draw == 17 ? 0 : static_cast<uint64_t>(f.bias - 8 + draw);
    const uint64_t mant = (r >> 16) & ((uint64_t{1} << f.mbits) - 1);
    c = static_cast<uint16_t>(((r >> 40) & 1) << 15 | field << f.mbits | mant);
  }
  return v;
}

bool finite_fp8_code(const FormatDesc& f, uint8_t code) {
  const unsigned mag = code & 0x7fu, field = mag >> f.mbits, ones = (1u << f.ebits) - 1;
  return f.encoding == Encoding::fn ? mag != 0x7fu : field != ones;
}

std::vector<uint8_t> random_fp8_codes(const FormatDesc& f, size_t count, uint64_t& s) {
  std::vector<uint8_t> v(count);
  for (auto& c : v) {
    do c = static_cast<uint8_t>(next(s) & 0xff);
    while (!finite_fp8_code(f, c));
  }
  return v;
}

float random_multiplier(uint64_t& s) {  // u x 2^e, u in [1, 2) with 23 random bits, e in [-3, 3]
  const float u = 1.0f + static_cast<float>(next(s) >> 41) * 0x1p-23f;
  return std::ldexp(u, static_cast<int>(next(s) % 7) - 3);
}

std::string fp8_pair(const FormatDesc& a, const FormatDesc& b) {
  const auto name = [](const FormatDesc& f) { return f.ebits == 4 ? "e4m3fn" : "e5m2"; };
  return std::string(name(a)) + " x " + name(b);
}

}  // namespace

GemmCase make_half_gemm_case(kernels::GemmKind kind, size_t m, size_t n, size_t k, uint64_t seed) {
  GemmCase c;
  const FormatDesc f = kind == kernels::GemmKind::bf16 ? formats::bf16 : formats::fp16;
  c.label = std::string(kernels::gemm_kind_name(kind)) + " " + shape(m, n, k);
  c.seed = seed;
  c.kind = kind;
  c.m = m, c.n = n, c.k = k;
  uint64_t s = seed;
  c.a_u16 = random_half_codes(f, m * k, s);
  c.b_u16 = random_half_codes(f, n * k, s);
  return c;
}

GemmCase make_fp8_gemm_case(const FormatDesc& a_format, const FormatDesc& b_format, size_t m, size_t n,
                            size_t k, uint64_t seed) {
  GemmCase c;
  c.variant = fp8_pair(a_format, b_format);
  c.label = "fp8 " + c.variant + " " + shape(m, n, k);
  c.seed = seed;
  c.kind = kernels::GemmKind::fp8;
  c.m = m, c.n = n, c.k = k;
  c.a_fp8 = a_format, c.b_fp8 = b_format;
  uint64_t s = seed;
  c.a_elements = random_fp8_codes(a_format, m * k, s);
  c.b_elements = random_fp8_codes(b_format, n * k, s);
  c.a_scale = random_multiplier(s);
  c.b_scale = random_multiplier(s);
  return c;
}

GemmCase make_fp8_blockwise_gemm_case(const FormatDesc& a_format, const FormatDesc& b_format, size_t m,
                                      size_t n, size_t k, uint64_t seed) {
  GemmCase c = make_fp8_gemm_case(a_format, b_format, m, n, k, seed);
  c.label = "fp8_blockwise " + c.variant + " " + shape(m, n, k);
  c.kind = kernels::GemmKind::fp8_blockwise;
  c.a_scale = c.b_scale = 1.0f;
  uint64_t s = seed ^ 0x5ca1e5ull;
  const size_t kb = (k + 127) / 128;
  c.a_block_scales.resize(m * kb);
  c.b_block_scales.resize((n + 127) / 128 * kb);
  for (auto& x : c.a_block_scales) x = random_multiplier(s);
  for (auto& x : c.b_block_scales) x = random_multiplier(s);
  return c;
}

Verdict check_gemm(const kernels::GemmKernel& kernel, const GemmCase& c) {
  const auto t0 = std::chrono::steady_clock::now();
  Verdict v;
  v.suite = "gemm";
  v.kernel = kernel.name;
  v.device = kernels::device_name(kernel.device);
  v.op = "gemm";
  v.label = c.label;
  v.expected_failure = kernel.planted_bug;
  std::vector<float> got(c.m * c.n, NAN);
  std::vector<int32_t> got_i(c.m * c.n, 0);
  std::string message;
  const auto status = kernel.fn(c.args(), got.data(), got_i.data(), &message);
  if (status != kernels::KernelStatus::ok) {
    v.disposition = status == kernels::KernelStatus::not_supported ? Disposition::not_supported
                                                                    : Disposition::kernel_error;
    v.message = message;
    return v;
  }
  const auto a = c.a_operand(), b = c.b_operand();
  const auto exact = reference::exact_gemm(a, b);
  const int r = reference::gemm_pre_roundings(a);
  long double max_frac = 0, sum_frac = 0, max_prob = 0, max_rel = 0, sum_rel = 0;
  size_t judged = 0, rel_judged = 0;
  for (size_t idx = 0; idx < exact.size(); ++idx) {
    const auto& e = exact[idx];
    std::string bad;
    if (c.kind == kernels::GemmKind::int8) {
      if (static_cast<long double>(got_i[idx]) != e.value)
        bad = "got " + std::to_string(got_i[idx]) + ", exact " + fmt(e.value);
    } else if (e.nan) {
      if (!std::isnan(got[idx])) bad = "got " + fmt(got[idx]) + ", expected NaN (a NaN operand or scale)";
    } else if (!std::isfinite(got[idx])) {
      bad = "got " + fmt(got[idx]) + ", exact " + fmt(e.value);
    } else {
      const long double err = std::fabs(static_cast<long double>(got[idx]) - e.value);
      const long double bound = reference::gemm_gamma_bound(c.k, r, e.abs_sum, kernel.accumulator_bits);
      const long double prob = reference::gemm_probabilistic_bound(c.k, r, e.abs_sum, kernel.accumulator_bits);
      const long double frac = bound > 0 ? err / bound : (err == 0 ? 0 : INFINITY);
      max_frac = std::max(max_frac, frac), sum_frac += frac, ++judged;
      if (e.value != 0) {  // relative error over the nonzero exact entries
        const long double rel = err / std::fabs(e.value);
        max_rel = std::max(max_rel, rel), sum_rel += rel, ++rel_judged;
      }
      if (prob > 0) max_prob = std::max(max_prob, err / prob);
      v.max_ulp = std::max(v.max_ulp, ulp_distance(got[idx], e.fp32));
      if (err > bound)
        bad = "got " + fmt(got[idx]) + ", exact " + fmt(e.value) + ", |error| " + fmt(err) + " > bound " + fmt(bound) +
              " (" + fmt(frac) + " of it)";
    }
    if (bad.empty()) continue;
    ++v.mismatches;
    if (v.counterexamples.size() < 5) {
      Counterexample ce;
      ce.detail = c.label + " seed " + std::to_string(c.seed) + ": C[" + std::to_string(idx / c.n) + "][" +
                  std::to_string(idx % c.n) + "] " + bad;
      v.counterexamples.push_back(ce);
    }
  }
  v.cases = exact.size();
  v.disposition = v.mismatches ? Disposition::incorrect : Disposition::passed;
  v.message = "seed " + std::to_string(c.seed);
  if (c.kind != kernels::GemmKind::int8 && judged)
    v.message += "; |error| / gamma bound: max " + fmt(max_frac) + ", mean " + fmt(sum_frac / judged) +
                 "; / probabilistic bound (lambda 6): max " + fmt(max_prob);
  if (c.kind != kernels::GemmKind::int8 && judged) {  // for reports (docs/RESULT_SCHEMA.md "metrics")
    v.metrics = {{"max_bound_fraction", static_cast<double>(max_frac)},
                 {"mean_bound_fraction", static_cast<double>(sum_frac / judged)},
                 {"max_prob_bound_fraction", static_cast<double>(max_prob)}};
    if (rel_judged)
      v.metrics.insert(v.metrics.begin(), {{"max_rel_error", static_cast<double>(max_rel)},
                                           {"mean_rel_error", static_cast<double>(sum_rel / rel_judged)}});
  }
  v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return v;
}

}  // namespace plumb::checks
