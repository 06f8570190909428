// plumb harness: the L-Mul claims measurement (see lmul_claims.hpp).
// Exact products: fp32 x fp32 (and any product of narrower operands) is exact
// in double (at most 48 significant bits), so |got - x*y| / |x*y| is computed
// in double with one final rounding. L-Mul values come from the exact
// reference (reference::lmul_exact_value: the formula's value, unrounded).
#include "lmul_claims.hpp"

#include <bit>
#include <cmath>
#include <stdexcept>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/kernels/lmul_kernel.hpp"
#include "plumb/reference/lmul_reference.hpp"
#include "quant_inputs.hpp"

namespace plumb::harness {
namespace {

constexpr RoundingSpec kRne{Rounding::nearest_even, Overflow::saturate, 0};
const double kRangeLow = std::ldexp(1.0, -6), kRangeHigh = 448.0;

FormatDesc lmul_operand_format(int m) { return float_format(8, m, Encoding::ieee); }
FormatDesc float_method_format(const std::string& name) {
  return name == "e4m3fn" ? formats::e4m3fn : formats::e5m2;
}

uint64_t to_code(const FormatDesc& f, double v) {
  return convert_code(formats::fp64, f, std::bit_cast<uint64_t>(v), kRne).code;
}
double round_to(const FormatDesc& f, double v) { return decode(f, to_code(f, v)); }

LmulSpec spec_of(const MulMethod& m) {
  return {m.carry == "paper" ? LmulCarry::paper : LmulCarry::int_add, LmulSubnormals::gradual,
          Overflow::saturate};
}

// The method's product of x and y (each first rounded to the method's format).
double method_product(const MulMethod& m, double x, double y) {
  if (m.kind == "lmul") {
    const FormatDesc f = lmul_operand_format(m.mantissa_bits);
    return reference::lmul_exact_value(f, spec_of(m), to_code(f, x), to_code(f, y));
  }
  const FormatDesc f = float_method_format(m.name);
  return round_to(f, round_to(f, x) * round_to(f, y));
}

void add(ErrorStats& s, double got, double exact) {
  const double rel = std::fabs(got - exact) / std::fabs(exact);
  if (s.histogram.empty()) s.histogram.assign(kHistBins, 0);
  ++s.count;
  s.mean += rel;
  s.max = std::fmax(s.max, rel);
  const double a = std::fabs(exact);
  if (a < kRangeLow || a > kRangeHigh) return;
  ++s.in_range_count;
  s.in_range_mean += rel;
  s.in_range_max = std::fmax(s.in_range_max, rel);
  if (rel == 0) {
    ++s.exact;
    return;
  }
  const int bin = static_cast<int>(std::floor((std::log10(rel) - kHistLow) / kHistStep));
  ++s.histogram[bin < 0 ? 0 : bin >= kHistBins ? kHistBins - 1 : bin];
}
void finish(ErrorStats& s) {
  if (s.count) s.mean /= static_cast<double>(s.count);
  if (s.in_range_count) s.in_range_mean /= static_cast<double>(s.in_range_count);
}

// Mean relative error over every pair of mantissas of the method's operand
// format at exponent 0 (x, y in [1, 2)): the expectation for uniform mantissas.
double expectation(const MulMethod& m) {
  const int bits = m.kind == "lmul" ? m.mantissa_bits : float_method_format(m.name).mbits;
  const uint64_t n = uint64_t{1} << bits;
  double sum = 0;
  for (uint64_t i = 0; i < n; ++i)
    for (uint64_t j = 0; j < n; ++j) {
      const double x = 1 + std::ldexp(double(i), -bits), y = 1 + std::ldexp(double(j), -bits);
      sum += std::fabs(method_product(m, x, y) - x * y) / (x * y);
    }
  return sum / double(n * n);
}

}  // namespace

std::vector<MulMethod> mul_methods() {
  std::vector<MulMethod> list;
  for (const char* carry : {"paper", "int_add"})
    for (int m = 2; m <= 7; ++m)
      list.push_back({"lmul_m" + std::to_string(m) + "_" + carry, "lmul", m, carry});
  list.push_back({"e4m3fn", "float", 3, ""});
  list.push_back({"e5m2", "float", 2, ""});
  return list;
}

std::vector<MulErrorResult> measure_mul_errors(uint64_t seed, size_t samples) {
  // Operands: the same pairs for every method.
  std::vector<double> ux(samples), uy(samples);
  PortableRng rng(seed);
  for (size_t i = 0; i < samples; ++i)
    for (double* v : {&ux[i], &uy[i]}) {
      const uint64_t w = rng.next();
      const uint32_t field = 127 - 3 + static_cast<uint32_t>((w >> 24) % 7);
      const uint32_t bits = (static_cast<uint32_t>(w >> 63) << 31) | (field << 23) |
                            static_cast<uint32_t>(w & 0x7FFFFF);
      *v = std::bit_cast<float>(bits);
    }
  const std::vector<float> g = make_input(InputDistribution::gaussian, seed, 2, samples);
  std::vector<MulErrorResult> results;
  for (const MulMethod& m : mul_methods()) {
    MulErrorResult r;
    r.method = m;
    for (size_t i = 0; i < samples; ++i) {
      add(r.uniform_bits, method_product(m, ux[i], uy[i]), ux[i] * uy[i]);
      const double x = g[i], y = g[samples + i];
      if (x != 0 && y != 0) add(r.gaussian, method_product(m, x, y), x * y);
    }
    finish(r.uniform_bits);
    finish(r.gaussian);
    r.expectation = expectation(m);
    results.push_back(r);
  }
  return results;
}

std::vector<ClaimCheck> check_claims(const std::vector<MulErrorResult>& results) {
  const auto find = [&](const std::string& name) -> const MulErrorResult& {
    for (const auto& r : results)
      if (r.method.name == name) return r;
    throw std::logic_error("lmul claims: method " + name + " not measured");
  };
  struct Source {
    const char* name;
    double (*value)(const MulErrorResult&);
  };
  const Source sources[] = {
      {"uniform_bits", [](const MulErrorResult& r) { return r.uniform_bits.mean; }},
      {"gaussian", [](const MulErrorResult& r) { return r.gaussian.in_range_mean; }},
      {"expectation", [](const MulErrorResult& r) { return r.expectation; }}};
  std::vector<ClaimCheck> checks;
  for (const char* carry : {"paper", "int_add"})
    for (const Source& s : sources) {
      ClaimCheck a{"lmul4_vs_e4m3", "L-Mul with a 4-bit mantissa is about as precise as e4m3 multiplication",
                   "mean relative error of L-Mul m=4 <= 1.25 x that of e4m3fn", s.name, carry};
      a.lmul = s.value(find(std::string("lmul_m4_") + carry));
      a.fp8 = s.value(find("e4m3fn"));
      a.holds = a.lmul <= 1.25 * a.fp8;
      ClaimCheck b{"lmul3_beats_e5m2", "L-Mul with a 3-bit mantissa is more precise than e5m2 multiplication",
                   "mean relative error of L-Mul m=3 < that of e5m2", s.name, carry};
      b.lmul = s.value(find(std::string("lmul_m3_") + carry));
      b.fp8 = s.value(find("e5m2"));
      b.holds = b.lmul < b.fp8;
      checks.push_back(a);
      checks.push_back(b);
    }
  return checks;
}

std::vector<GemmErrorResult> measure_gemm_errors(uint64_t seed, size_t n, const std::string& lmul_kernel) {
  const std::vector<float> a = make_input(InputDistribution::gaussian, seed + 1, n, n);
  const std::vector<float> b = make_input(InputDistribution::gaussian, seed + 2, n, n);
  // The exact product, to about 2^-100 relative: Neumaier-compensated double
  // sums of exact double products.
  std::vector<double> exact(n * n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      double s = 0, c = 0;
      for (size_t p = 0; p < n; ++p) {
        const double t = double(a[i * n + p]) * double(b[p * n + j]), u = s + t;
        c += std::fabs(s) >= std::fabs(t) ? (s - u) + t : (t - u) + s;
        s = u;
      }
      exact[i * n + j] = s + c;
    }
  const auto frobenius = [&](const std::vector<float>& got) {
    double num = 0, den = 0;
    for (size_t i = 0; i < n * n; ++i) {
      const double d = double(got[i]) - exact[i];
      num += d * d;
      den += exact[i] * exact[i];
    }
    return std::sqrt(num / den);
  };
  std::vector<GemmErrorResult> out;
  // Plain float GEMMs: operands rounded to the format, products exact in fp32
  // for e4m3fn / bf16 (rounded for fp32), fp32 sums in k order.
  for (const FormatDesc& f : {formats::fp32, formats::bf16, formats::e4m3fn}) {
    std::vector<float> ra(n * n), rb(n * n), c(n * n);
    for (size_t i = 0; i < n * n; ++i) ra[i] = float(round_to(f, a[i])), rb[i] = float(round_to(f, b[i]));
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) {
        float s = 0;
        for (size_t p = 0; p < n; ++p) {
          const float prod = ra[i * n + p] * rb[p * n + j];
          s += prod;
        }
        c[i * n + j] = s;
      }
    const char* name = f == formats::fp32 ? "fp32" : f == formats::bf16 ? "bf16" : "e4m3fn";
    out.push_back({std::string(name) + "_gemm", name, "host loop", frobenius(c), true, ""});
  }
  // L-Mul GEMMs through the registry kernel.
  const kernels::LmulKernel* k = kernels::find_lmul_kernel(lmul_kernel);
  if (!k) throw std::runtime_error("unknown L-Mul kernel '" + lmul_kernel + "'");
  for (const FormatDesc& f : {formats::bf16, formats::e4m3fn})
    for (LmulCarry carry : {LmulCarry::paper, LmulCarry::int_add}) {
      const int bytes = f.storage_bytes();
      std::vector<uint8_t> ca(n * n * bytes), cb(n * n * bytes);
      for (size_t i = 0; i < n * n; ++i) {
        kernels::store_code(ca.data(), bytes, i, to_code(f, a[i]));
        kernels::store_code(cb.data(), bytes, i, to_code(f, b[i]));
      }
      std::vector<float> c(n * n);
      std::string message;
      const LmulSpec spec{carry, LmulSubnormals::gradual, Overflow::saturate};
      const auto st = k->gemm({f, spec}, ca.data(), cb.data(), n, n, n, c.data(), &message);
      const std::string name = std::string("lmul_") + lmul_carry_name(carry) + "_gemm";
      const std::string operands = f == formats::bf16 ? "bf16" : "e4m3fn";
      out.push_back({name, operands, k->name, st == kernels::KernelStatus::ok ? frobenius(c) : 0.0,
                     st == kernels::KernelStatus::ok, message});
    }
  return out;
}

}  // namespace plumb::harness
