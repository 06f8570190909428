// plumb checks: round trip and stochastic-rounding statistics.
#include "plumb/checks/property_checks.hpp"

#include <bit>
#include <chrono>
#include <cmath>

#include "plumb/checks/cases.hpp"
#include "plumb/formats/value.hpp"

namespace plumb::checks {

namespace {

kernels::KernelStatus run(const kernels::ConvertKernel& k, const FormatDesc& from,
                          const FormatDesc& to, const RoundingSpec& spec,
                          const std::vector<uint64_t>& codes, const std::vector<uint32_t>& rbits,
                          std::vector<uint64_t>& result, std::string& message) {
  const size_t n = codes.size();
  std::vector<uint8_t> in(n * from.storage_bytes()), out(n * to.storage_bytes());
  for (size_t i = 0; i < n; ++i) kernels::store_code(in.data(), from.storage_bytes(), i, codes[i]);
  const auto st = k.fn({from, to, spec}, in.data(), out.data(), nullptr, n,
                       rbits.empty() ? nullptr : rbits.data(), &message);
  result.resize(n);
  for (size_t i = 0; i < n; ++i) result[i] = kernels::load_code(out.data(), to.storage_bytes(), i);
  return st;
}

bool skip_or_fail(Verdict& v, const kernels::ConvertKernel& k, kernels::KernelStatus st,
                  const std::string& message) {
  if (k.device == kernels::Device::cuda && kernels::cuda_device_count() == 0) {
    v.disposition = Disposition::skipped;
    v.message = "no CUDA device on this machine";
    return true;
  }
  if (st == kernels::KernelStatus::ok) return false;
  v.disposition = st == kernels::KernelStatus::not_supported ? Disposition::not_supported
                                                             : Disposition::kernel_error;
  v.message = message;
  return true;
}

}  // namespace

Verdict check_round_trip(const kernels::ConvertKernel& kernel, const FormatDesc& format) {
  Verdict v;
  v.suite = "round_trip";
  v.kernel = kernel.name;
  v.device = kernels::device_name(kernel.device);
  v.from = format;
  v.to = formats::fp64;
  v.expected_failure = kernel.planted_bug;
  if (skip_or_fail(v, kernel, kernels::KernelStatus::ok, "")) return v;
  const auto start = std::chrono::steady_clock::now();
  std::vector<uint64_t> codes(size_t{1} << format.bits()), wide, back;
  for (size_t i = 0; i < codes.size(); ++i) codes[i] = i;
  const RoundingSpec spec{Rounding::nearest_even, Overflow::infinity, 0};
  std::string msg;
  auto st = run(kernel, format, formats::fp64, spec, codes, {}, wide, msg);
  if (st == kernels::KernelStatus::ok) st = run(kernel, formats::fp64, format, spec, wide, {}, back, msg);
  if (skip_or_fail(v, kernel, st, msg)) return v;
  v.cases = codes.size();
  for (size_t i = 0; i < codes.size(); ++i) {
    const bool is_nan = classify(format, codes[i]) == ValueClass::nan;
    const uint64_t want = is_nan ? format.nan_code((codes[i] & format.sign_bit()) != 0) : codes[i];
    // -0 in a format without -0 cannot occur; +-0 must come back with its sign.
    if (back[i] == want) continue;
    ++v.mismatches;
    if (v.counterexamples.size() < 4) v.counterexamples.push_back({codes[i], 0, back[i], 0, want, 0});
  }
  v.disposition = v.mismatches ? Disposition::incorrect : Disposition::passed;
  v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return v;
}

Verdict check_stochastic_statistics(const kernels::ConvertKernel& kernel, const FormatDesc& to,
                                    int sr_bits, size_t draws, uint64_t seed) {
  Verdict v;
  v.suite = "stochastic_statistics";
  v.kernel = kernel.name;
  v.device = kernels::device_name(kernel.device);
  v.from = formats::fp64;
  v.to = to;
  v.spec = {Rounding::stochastic, Overflow::saturate, static_cast<uint8_t>(sr_bits)};
  v.expected_failure = kernel.planted_bug;
  if (skip_or_fail(v, kernel, kernels::KernelStatus::ok, "")) return v;
  const auto start = std::chrono::steady_clock::now();
  // Inputs: for a spread of adjacent code pairs (a, b), points a + f (b - a)
  // with fractions that include ones below 2^-k (never rounded up with k bits).
  const double fractions[] = {0.5, 0.1, 0.9, 0.3337, 1.0 / 1024, 0.75 + 1.0 / 4096, 1e-4};
  std::vector<uint64_t> pairs;
  const uint64_t top = to.max_finite_code();
  for (uint64_t c : {uint64_t{0}, uint64_t{1}, top / 3, top / 2, top - 1}) pairs.push_back(c);
  const double kScale = std::ldexp(1.0, sr_bits);
  for (uint64_t a : pairs) {
    uint64_t b = a;
    if (!next_up(to, b) || classify(to, b) == ValueClass::infinite) continue;
    const double va = decode(to, a), vb = decode(to, b);
    for (double f : fractions) {
      const double x = va + f * (vb - va);
      std::vector<uint64_t> codes(draws, std::bit_cast<uint64_t>(x)), out;
      std::vector<uint32_t> rbits(draws);
      for (size_t i = 0; i < draws; ++i) rbits[i] = static_cast<uint32_t>(random_word(seed, i) >> 32);
      std::string msg;
      const auto st = run(kernel, formats::fp64, to, v.spec, codes, rbits, out, msg);
      if (skip_or_fail(v, kernel, st, msg)) return v;
      // Error in quanta, its exact expectation, and the bound.
      const double f_exact = (x - va) / (vb - va);
      double sum = 0;
      for (uint64_t c : out) sum += (decode(to, c) - x) / (vb - va);
      const double mean = sum / static_cast<double>(draws);
      const double p = std::floor(f_exact * kScale) / kScale;  // P(round up)
      const double expected_mean = p - f_exact;
      const double stderr_ = std::sqrt(std::max(p * (1 - p), 1e-12) / static_cast<double>(draws));
      v.cases += draws;
      const bool ok = std::fabs(mean - expected_mean) <= 5 * stderr_ + 1e-12 &&
                      std::fabs(mean) <= 1 / kScale + 5 * stderr_ + 1e-12;
      if (!ok) {
        ++v.mismatches;
        if (v.counterexamples.size() < 4)
          v.counterexamples.push_back({std::bit_cast<uint64_t>(x), 0,
                                       std::bit_cast<uint64_t>(mean), 0,
                                       std::bit_cast<uint64_t>(expected_mean), 0});
      }
    }
  }
  v.message = "mean SR error within 5 standard errors of floor(f*2^k)/2^k - f and of 0 (+2^-k)";
  v.disposition = v.mismatches ? Disposition::incorrect : Disposition::passed;
  v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return v;
}

}  // namespace plumb::checks
