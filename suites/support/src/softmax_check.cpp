// plumb checks: the softmax error bound (docs/SOFTMAX_SEMANTICS.md, "Bounds")
// and the check of a kernel against the MPFR reference.
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "plumb/checks/softmax_check.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "plumb/formats/value.hpp"

namespace plumb::checks {
namespace {

using kernels::SoftmaxAlgorithm;
constexpr double kU = 0x1p-24;         // fp32 unit roundoff
constexpr double kExpUlps = 3.0;       // the kernels' exp on [-104, 0]: measured 1.45u, bound 3u (SOFTMAX_SEMANTICS.md)
constexpr double kMinSub = 0x1p-149;   // smallest fp32 subnormal
constexpr double kTwoPassExact = 22713.0;  // 2^15 ln 2: below, n * kLn2Hi is exact

// Two-pass: exp of x itself, whose range reduction loses |n| times the error
// of kLn2Lo (|x| / 2048 u) while n kLn2Hi is exact, and |x| u beyond.
double two_pass_term(float x) {
  const double ax = std::fabs(static_cast<double>(x));
  return ax < kTwoPassExact ? ax / 2048.0 : ax;
}

// Error (in u) of an fp32 difference a - b beyond its exact value: |a - b|
// when fp32 cannot hold it, else 0.
double difference_term(float a, float b) {
  const double exact = static_cast<double>(a) - static_cast<double>(b);
  return static_cast<double>(a - b) == exact ? 0.0 : std::fabs(exact);
}

std::string float_text(float v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  return buf;
}

}  // namespace

std::vector<double> softmax_relative_bounds(const kernels::SoftmaxErrorModel& model, const float* x,
                                            size_t n) {
  float max = -std::numeric_limits<float>::infinity();
  for (size_t i = 0; i < n; ++i) max = x[i] > max ? x[i] : max;
  const bool two_pass = model.algorithm == SoftmaxAlgorithm::two_pass;
  std::vector<double> term(n), w(n);
  double s = 0, weighted = 0;
  for (size_t i = 0; i < n; ++i) {
    w[i] = std::exp(static_cast<double>(x[i]) - static_cast<double>(max));
    if (std::isinf(x[i])) continue;  // -inf: exactly 0, no error term
    term[i] = two_pass ? two_pass_term(x[i]) : difference_term(x[i], max);
    if (w[i] > 0) s += w[i], weighted += w[i] * term[i];
  }
  // K: exp in the sum and in the output, the sum rounded to fp32, the division
  // (two-pass: and the pair rescale of its mantissa quotient).
  double k = 2 * kExpUlps + 2 + (two_pass ? 1 : 0);
  const double a = model.fp32_block > 0 ? model.fp32_block + 1.0 : static_cast<double>(n) * 0x1p-29 + 1.0;
  double rescale = 0;  // online: each growth of a lane's maximum rescales its partial sum
  if (model.algorithm == SoftmaxAlgorithm::online) {
    const size_t lanes = static_cast<size_t>(std::max(model.lanes, 1));
    for (size_t l = 0; l < lanes; ++l) {
      float m = -std::numeric_limits<float>::infinity();
      double partial = 0;  // sum over the lane so far of exp(x_j - m), in double
      for (size_t i = l; i < n; i += lanes) {
        if (x[i] == -std::numeric_limits<float>::infinity()) continue;  // adds 0
        if (x[i] > m) {
          if (std::isfinite(m))
            rescale += (kExpUlps + difference_term(m, x[i])) * partial *
                       std::exp(static_cast<double>(m) - max);
          partial = partial * std::exp(static_cast<double>(m) - x[i]) + 1.0;
          m = x[i];
        } else {
          partial += std::exp(static_cast<double>(x[i]) - m);
        }
      }
      if (lanes > 1 && std::isfinite(m))  // lanes merged into the row's maximum
        rescale += (kExpUlps + difference_term(m, max)) * partial * std::exp(static_cast<double>(m) - max);
    }
    rescale /= s;
  }
  std::vector<double> rel(n);
  for (size_t i = 0; i < n; ++i) rel[i] = kU * (k + term[i] + weighted / s + a + rescale);
  return rel;
}

std::vector<uint64_t> softmax_input_codes(const SoftmaxCase& c, const FormatDesc& io) {
  std::vector<uint64_t> codes(c.x.size());
  const RoundingSpec spec{Rounding::nearest_even, Overflow::infinity, 0};
  for (size_t i = 0; i < codes.size(); ++i)
    codes[i] = convert_code(formats::fp32, io, std::bit_cast<uint32_t>(c.x[i]), spec).code;
  return codes;
}

reference::SoftmaxReference softmax_reference(const SoftmaxCase& c, bool safe, const FormatDesc& io) {
  return reference::mpfr_softmax(io, io, softmax_input_codes(c, io), c.rows, c.cols, safe);
}

Verdict check_softmax(const kernels::SoftmaxKernel& kernel, const SoftmaxCase& c,
                      const reference::SoftmaxReference& ref, SoftmaxErrors* errors,
                      const FormatDesc& io) {
  Verdict v;
  v.suite = "softmax";
  v.kernel = kernel.name;
  v.device = kernels::device_name(kernel.device);
  v.op = "softmax";
  v.label = c.name + " " + std::to_string(c.rows) + "x" + std::to_string(c.cols) + " " +
            kernels::softmax_algorithm_name(kernel.model.algorithm);
  v.from = v.to = io;
  v.expected_failure = kernel.planted_bug;
  const std::vector<uint64_t> codes = softmax_input_codes(c, io);
  std::vector<float> xs(codes.size());  // the input as the kernel sees it, in fp32
  for (size_t i = 0; i < codes.size(); ++i) xs[i] = static_cast<float>(decode(io, codes[i]));
  const int bytes = io.storage_bytes();
  std::vector<uint8_t> in(codes.size() * bytes), out(codes.size() * bytes, 0xff);  // 0xff..: NaN
  for (size_t i = 0; i < codes.size(); ++i) kernels::store_code(in.data(), bytes, i, codes[i]);
  const auto t0 = std::chrono::steady_clock::now();
  std::string message;
  const auto status = kernel.fn(io, io, in.data(), out.data(), c.rows, c.cols, &message);
  v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (status != kernels::KernelStatus::ok) {
    v.disposition = status == kernels::KernelStatus::not_supported ? Disposition::not_supported
                                                                     : Disposition::kernel_error;
    v.message = message;
    return v;
  }
  SoftmaxErrors e;
  double ulp_sum = 0;
  for (size_t r = 0; r < c.rows; ++r) {
    const float* x = xs.data() + r * c.cols;
    const size_t base = r * c.cols;
    const bool nan_row = c.cols && std::isnan(ref.values[base]);
    bool all_neg_inf = true;  // the safe variant's +0 row
    for (size_t i = 0; i < c.cols; ++i) all_neg_inf &= x[i] == -std::numeric_limits<float>::infinity();
    const bool zero_row = !nan_row && all_neg_inf;
    std::vector<double> rel;
    if (!nan_row && !zero_row) rel = softmax_relative_bounds(kernel.model, x, c.cols);
    for (size_t i = 0; i < c.cols; ++i) {
      ++v.cases;
      const double exact = ref.values[base + i];
      const uint64_t got_code = kernels::load_code(out.data(), bytes, base + i);
      const double got = decode(io, got_code);
      bool ok;
      if (nan_row || std::isnan(got)) {
        ok = nan_row && std::isnan(got);
        if (!ok) v.max_ulp = -1;
      } else {
        // Narrower outputs: their own rounding (half an ulp) and subnormal spacing.
        // (at the larger of got and exact: the fp32 result may sit in the binade above)
        const double top = std::max(exact, std::fabs(got));
        const double out_ulp = std::ldexp(1.0, std::max(top > 0 ? std::ilogb(top) : -1000, 1 - io.bias) - io.mbits);
        const double slack = io == formats::fp32 ? 2 * kMinSub : 0.5 * out_ulp + 2 * kMinSub;
        const double allowed = zero_row ? 0.0 : rel[i] * exact + slack;
        const double err = std::fabs(got - exact);
        ok = err <= allowed && !(zero_row && got_code != 0);
        if (allowed > 0) e.max_bound_ratio = std::max(e.max_bound_ratio, err / allowed);
        if (exact >= 0x1p-126) e.max_relative = std::max(e.max_relative, err / exact);
        const int64_t ulps = std::llabs(ulp_distance(io, got_code, ref.codes[base + i]));
        e.max_ulp = std::max(e.max_ulp, ulps);
        ulp_sum += static_cast<double>(ulps);
        if (v.max_ulp >= 0) v.max_ulp = std::max(v.max_ulp, ulps);
      }
      if (ok) continue;
      ++v.mismatches;
      if (v.counterexamples.size() < 5) {
        Counterexample ce;
        ce.input = codes[base + i];
        ce.got = got_code;
        ce.expected = ref.codes[base + i];
        ce.detail = "case " + c.name + " row " + std::to_string(r) + " col " + std::to_string(i) +
                    ": x = " + float_text(x[i]) + ", got " + float_text(static_cast<float>(got)) + " (" +
                    hex_code(got_code) + "), expected " +
                    float_text(static_cast<float>(decode(io, ref.codes[base + i]))) + " (" +
                    hex_code(ref.codes[base + i]) + "), exact " + std::to_string(exact);
        ce.command = std::string("plumb verify --suite softmax --kernel ") + kernel.name;  // + --seed (the suite's)
        v.counterexamples.push_back(ce);
      }
    }
  }
  e.mean_ulp = v.cases ? ulp_sum / static_cast<double>(v.cases) : 0;
  if (errors) *errors = e;
  v.disposition = v.mismatches ? Disposition::incorrect : Disposition::passed;
  char buf[160];
  std::snprintf(buf, sizeof buf, "max %lld ulp, mean %.3g ulp, max rel %.3g, max err/bound %.3g",
                static_cast<long long>(e.max_ulp), e.mean_ulp, e.max_relative, e.max_bound_ratio);
  v.message = buf;
  return v;
}

}  // namespace plumb::checks
