// plumb checks: GEMM cases and the check against the exact reference
// (see gemm_check.hpp, docs/GEMM_SEMANTICS.md).
#include "plumb/checks/gemm_check.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "plumb/formats/block_tensor.hpp"

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
  return a;
}

static reference::GemmOperand operand(const GemmCase& c, bool is_a) {
  reference::GemmOperand o;
  o.kind = c.kind == kernels::GemmKind::fp32   ? reference::GemmOperandKind::fp32
           : c.kind == kernels::GemmKind::int8 ? reference::GemmOperandKind::int8
                                               : reference::GemmOperandKind::block;
  o.rows = is_a ? c.m : c.n;
  o.k = c.k;
  o.f32 = (is_a ? c.a_f32 : c.b_f32).data();
  o.i8 = (is_a ? c.a_i8 : c.b_i8).data();
  o.format = c.format;
  o.elements = (is_a ? c.a_elements : c.b_elements).data();
  o.scales = (is_a ? c.a_scales : c.b_scales).data();
  o.tensor_scale = is_a ? c.a_tensor_scale : c.b_tensor_scale;
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
  long double max_frac = 0, sum_frac = 0, max_prob = 0;
  size_t judged = 0;
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
  v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return v;
}

}  // namespace plumb::checks
