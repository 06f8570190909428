// plumb harness: portable seeded samples for the quantisation-error inputs.
#include "quant_inputs.hpp"

#include <cmath>
#include <stdexcept>

namespace plumb::harness {

namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;

uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

struct DistributionInfo {
  InputDistribution d;
  const char* name;
  const char* description;
};
constexpr DistributionInfo kDistributions[kInputDistributionCount] = {
    {InputDistribution::gaussian, "gaussian", "N(0,1)"},
    {InputDistribution::laplace, "laplace", "Laplace(0,1)"},
    {InputDistribution::student_t3, "student_t3", "Student-t, 3 degrees of freedom"},
};

}  // namespace

const char* distribution_name(InputDistribution d) { return kDistributions[static_cast<int>(d)].name; }
const char* distribution_description(InputDistribution d) {
  return kDistributions[static_cast<int>(d)].description;
}

InputDistribution parse_distribution(const std::string& name) {
  std::string valid;
  for (const auto& info : kDistributions) {
    if (name == info.name) return info.d;
    valid += std::string(valid.empty() ? "" : ", ") + info.name;
  }
  throw std::runtime_error("--distribution: unknown distribution '" + name + "'; valid: " + valid);
}

// log x = k ln 2 + log m with x = m 2^k, m in [sqrt(1/2), sqrt(2)), and
// log m = 2 atanh(f) = 2 (f + f^3/3 + f^5/5 + ...), f = (m - 1) / (m + 1),
// |f| <= 0.1716: twelve terms leave a truncation error below 1e-19. The
// leading 2f is kept apart so that the sum's rounding errors stay small.
// ln 2 is split so that k * kLn2Hi is exact (kLn2Hi has 21 trailing zero bits).
double portable_log(double x) {
  if (!(x > 0.0) || !std::isfinite(x)) throw std::domain_error("portable_log: argument must be positive and finite");
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 0x3FE62E42FEE00000
  constexpr double kLn2Lo = 1.90821492927058770002e-10;  // ln 2 - kLn2Hi
  constexpr double kSqrtHalf = 0.70710678118654752440;
  int k = 0;
  double m = std::frexp(x, &k);  // exact: m in [0.5, 1)
  if (m < kSqrtHalf) {
    m *= 2.0;
    --k;
  }
  const double f = (m - 1.0) / (m + 1.0);
  const double f2 = f * f;
  double s = 1.0 / 23.0;  // s = 1/3 + f^2/5 + ... + f^20/23; log m = 2f + 2f f^2 s
  for (int n = 21; n >= 3; n -= 2) s = s * f2 + 1.0 / n;
  const double kd = static_cast<double>(k);
  return kd * kLn2Hi + (2.0 * f + (2.0 * f * f2 * s + kd * kLn2Lo));
}

PortableRng::PortableRng(uint64_t seed) {
  uint64_t z = seed;
  for (auto& word : s_) {
    z += kGolden;
    word = splitmix64_mix(z);
  }
}

uint64_t PortableRng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double PortableRng::uniform_open() {
  return (static_cast<double>(next() >> 11) + 0.5) * 0x1p-53;
}

double PortableRng::gaussian() {
  if (have_spare_) {
    have_spare_ = false;
    return spare_;
  }
  for (;;) {
    const double u = 2.0 * uniform_open() - 1.0;
    const double v = 2.0 * uniform_open() - 1.0;
    const double s = u * u + v * v;
    if (s >= 1.0 || s == 0.0) continue;
    const double t = std::sqrt(-2.0 * portable_log(s) / s);
    spare_ = v * t;
    have_spare_ = true;
    return u * t;
  }
}

std::vector<float> make_input(InputDistribution d, uint64_t seed, size_t rows, size_t cols) {
  PortableRng rng(splitmix64_mix(seed + (static_cast<uint64_t>(d) + 1) * kGolden));
  std::vector<float> x(rows * cols);
  for (auto& v : x) {
    double sample = 0.0;
    switch (d) {
      case InputDistribution::gaussian: sample = rng.gaussian(); break;
      case InputDistribution::laplace: {
        // Inverse CDF: u in (-1/2, 1/2), never 0 (uniform_open is never 1/2).
        const double u = rng.uniform_open() - 0.5;
        const double tail = -portable_log(1.0 - 2.0 * std::fabs(u));
        sample = u < 0 ? -tail : tail;
        break;
      }
      case InputDistribution::student_t3: {
        // t = Z / sqrt(V / 3), V = chi-square with 3 degrees of freedom.
        const double z = rng.gaussian();
        const double a = rng.gaussian(), b = rng.gaussian(), c = rng.gaussian();
        sample = z / std::sqrt((a * a + b * b + c * c) / 3.0);
        break;
      }
    }
    v = static_cast<float>(sample);
  }
  return x;
}

}  // namespace plumb::harness
