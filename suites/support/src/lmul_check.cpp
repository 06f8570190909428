// plumb checks: L-Mul kernels against the exact reference (see lmul_check.hpp).
#include "plumb/checks/lmul_check.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "plumb/checks/cases.hpp"
#include "plumb/formats/format_names.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/reference/lmul_reference.hpp"

namespace plumb::checks {
namespace {

constexpr size_t kMaxCounterexamples = 8;

std::string value_text(const FormatDesc& f, uint64_t code) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s (%.9g)", hex_code(code).c_str(), decode(f, code));
  return buf;
}

Verdict start(const kernels::LmulKernel& kernel, const FormatDesc& f, const LmulSpec& spec,
              const char* op, const std::string& label_tail) {
  Verdict v;
  v.suite = "lmul";
  v.kernel = kernel.name;
  v.device = kernels::device_name(kernel.device);
  v.op = op;
  v.label = lmul_label(f, spec) + label_tail;
  v.from = f;
  v.to = f;
  v.spec = RoundingSpec{Rounding::nearest_even, spec.overflow, 0};
  v.expected_failure = kernel.planted_bug;
  return v;
}

// Sets the disposition from a kernel status; false when the kernel did not run.
bool ran(Verdict& v, kernels::KernelStatus status, const std::string& message) {
  if (status == kernels::KernelStatus::ok) return true;
  v.disposition = status == kernels::KernelStatus::not_supported ? Disposition::not_supported
                                                                 : Disposition::kernel_error;
  v.message = message;
  return false;
}

void store_all(const FormatDesc& f, const std::vector<uint64_t>& codes, std::vector<uint8_t>& out) {
  const int bytes = f.storage_bytes();
  out.assign(codes.size() * bytes, 0);
  for (size_t i = 0; i < codes.size(); ++i) kernels::store_code(out.data(), bytes, i, codes[i]);
}

// Checks got against the exact dot of a, b; records a counterexample when outside the bound.
void judge_dot(Verdict& v, const FormatDesc& f, const LmulSpec& spec, const uint64_t* a,
               const uint64_t* b, size_t k, float got, const std::string& where) {
  const reference::LmulDotExact exact = reference::lmul_dot_reference(f, spec, a, b, k);
  // gamma(k-1) * sum|p| bounds fp32 recursive summation in any order; 2^-52
  // |S| covers the one rounding of the exact sums to double.
  const double bound = kernels::lmul_gamma_fp32(k > 0 ? k - 1 : 0) * exact.abs_sum +
                       std::ldexp(std::fabs(exact.sum) + exact.abs_sum, -52);
  const double err = std::fabs(static_cast<double>(got) - exact.sum);
  ++v.cases;
  if (err <= bound) return;
  ++v.mismatches;
  if (v.counterexamples.size() >= kMaxCounterexamples) return;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: got %.9g, exact %.17g, |error| %.3g > bound %.3g", where.c_str(),
                static_cast<double>(got), exact.sum, err, bound);
  Counterexample c;
  c.detail = buf;
  v.counterexamples.push_back(c);
}

void finish(Verdict& v, std::chrono::steady_clock::time_point t0) {
  v.disposition = v.mismatches ? Disposition::incorrect : Disposition::passed;
  v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::string lmul_label(const FormatDesc& f, const LmulSpec& spec) {
  return format_name(f) + " " + lmul_carry_name(spec.carry) + "/" +
         lmul_subnormals_name(spec.subnormals) + "/" + overflow_name(spec.overflow);
}

LmulPairs lmul_pairs(const FormatDesc& f, uint64_t seed, size_t random) {
  LmulPairs p;
  const uint64_t n = f.code_mask() + 1;
  if (f.bits() <= 8) {
    for (uint64_t a = 0; a < n; ++a)
      for (uint64_t b = 0; b < n; ++b) p.a.push_back(a), p.b.push_back(b);
    p.description = "exhaustive";
    return p;
  }
  // Edge codes: both signs of zero, the smallest subnormals, the largest
  // subnormal, the smallest normals, one, the largest finite values, and the
  // codes above them (inf/NaN where the format has them).
  std::vector<uint64_t> edge;
  const uint64_t one = static_cast<uint64_t>(f.bias) << f.mbits;
  for (uint64_t mag : {uint64_t{0}, uint64_t{1}, uint64_t{2}, (uint64_t{1} << f.mbits) - 1,
                       uint64_t{1} << f.mbits, (uint64_t{1} << f.mbits) + 1, one, one + 1,
                       one | ((uint64_t{1} << f.mbits) - 1), f.max_finite_code() - 1,
                       f.max_finite_code(), f.max_finite_code() + 1, f.magnitude_mask()})
    for (uint64_t sign : {uint64_t{0}, f.sign_bit()}) edge.push_back((mag & f.magnitude_mask()) | sign);
  for (uint64_t a : edge)
    for (uint64_t b : edge) p.a.push_back(a), p.b.push_back(b);
  for (size_t i = 0; i < random; ++i) {
    p.a.push_back(random_word(seed, 2 * i) & f.code_mask());
    p.b.push_back(random_word(seed, 2 * i + 1) & f.code_mask());
  }
  p.description = "edge x edge + " + std::to_string(random) + " random, seed " + std::to_string(seed);
  return p;
}

Verdict check_lmul_elementwise(const kernels::LmulKernel& kernel, const FormatDesc& f,
                               const LmulSpec& spec, const LmulPairs& pairs) {
  const auto t0 = std::chrono::steady_clock::now();
  Verdict v = start(kernel, f, spec, "lmul", " (" + pairs.description + ")");
  const size_t n = pairs.a.size();
  std::vector<uint8_t> a, b, out(n * f.storage_bytes(), 0xEE);
  store_all(f, pairs.a, a);
  store_all(f, pairs.b, b);
  std::string message;
  if (!ran(v, kernel.elementwise({f, spec}, a.data(), b.data(), out.data(), n, &message), message))
    return v;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t got = kernels::load_code(out.data(), f.storage_bytes(), i);
    const uint64_t want = reference::lmul_reference(f, spec, pairs.a[i], pairs.b[i]);
    ++v.cases;
    if (got == want) continue;
    ++v.mismatches;
    if (v.counterexamples.size() >= kMaxCounterexamples) continue;
    Counterexample c;
    c.input = pairs.a[i];
    c.got = got;
    c.expected = want;
    c.detail = "pair " + std::to_string(i) + ": L-Mul(" + value_text(f, pairs.a[i]) + ", " + value_text(f, pairs.b[i]) + ") = " +
               value_text(f, got) + ", reference " + value_text(f, want);
    v.counterexamples.push_back(c);
  }
  finish(v, t0);
  return v;
}

std::vector<uint64_t> lmul_operands(const FormatDesc& f, size_t count, uint64_t seed) {
  std::vector<uint64_t> codes(count);
  const int spread = f.bias - 1 < 8 ? f.bias - 1 : 8;  // binades either side of 1
  for (size_t i = 0; i < count; ++i) {
    const uint64_t w = random_word(seed, i);
    if ((w & 15) == 0) {
      codes[i] = 0;
      continue;
    }
    const int64_t field = f.bias + static_cast<int64_t>((w >> 4) % (2 * spread + 1)) - spread;
    const uint64_t mant = (w >> 16) & ((uint64_t{1} << f.mbits) - 1);
    uint64_t mag = (static_cast<uint64_t>(field) << f.mbits) | mant;
    if (mag > f.max_finite_code()) mag = f.max_finite_code();
    codes[i] = mag | ((w >> 63) ? f.sign_bit() : 0);
  }
  return codes;
}

Verdict check_lmul_dot(const kernels::LmulKernel& kernel, const FormatDesc& f,
                       const LmulSpec& spec, size_t k, size_t count, uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  Verdict v = start(kernel, f, spec, "lmul_dot",
                    " (k " + std::to_string(k) + ", seed " + std::to_string(seed) + ")");
  const std::vector<uint64_t> a = lmul_operands(f, k * count, seed),
                              b = lmul_operands(f, k * count, seed + 1);
  std::vector<uint8_t> sa, sb;
  store_all(f, a, sa);
  store_all(f, b, sb);
  const int bytes = f.storage_bytes();
  for (size_t d = 0; d < count; ++d) {
    float got = -12345.0f;
    std::string message;
    if (!ran(v, kernel.dot({f, spec}, sa.data() + d * k * bytes, sb.data() + d * k * bytes, k, &got,
                           &message),
             message))
      return v;
    judge_dot(v, f, spec, a.data() + d * k, b.data() + d * k, k, got, "dot " + std::to_string(d));
  }
  finish(v, t0);
  return v;
}

Verdict check_lmul_gemm(const kernels::LmulKernel& kernel, const FormatDesc& f,
                        const LmulSpec& spec, size_t m, size_t n, size_t k, uint64_t seed) {
  const auto t0 = std::chrono::steady_clock::now();
  Verdict v = start(kernel, f, spec, "lmul_gemm",
                    " (" + std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k) +
                        ", seed " + std::to_string(seed) + ")");
  const std::vector<uint64_t> a = lmul_operands(f, m * k, seed), b = lmul_operands(f, k * n, seed + 1);
  std::vector<uint8_t> sa, sb;
  store_all(f, a, sa);
  store_all(f, b, sb);
  std::vector<float> c(m * n, -12345.0f);
  std::string message;
  if (!ran(v, kernel.gemm({f, spec}, sa.data(), sb.data(), m, n, k, c.data(), &message), message))
    return v;
  std::vector<uint64_t> column(k);
  for (size_t j = 0; j < n; ++j) {
    for (size_t p = 0; p < k; ++p) column[p] = b[p * n + j];
    for (size_t i = 0; i < m; ++i)
      judge_dot(v, f, spec, a.data() + i * k, column.data(), k, c[i * n + j],
                "C[" + std::to_string(i) + "][" + std::to_string(j) + "]");
  }
  finish(v, t0);
  return v;
}

}  // namespace plumb::checks
