// plumb harness: the input tensors of the quantisation-error measurement
// (`plumb quant-error`): Gaussian, Laplace and Student-t samples drawn from a
// seed with portable transforms, so that a rerun on any machine gives the
// same fp32 tensor bit for bit.
//
// Portability: the random words come from xoshiro256** seeded by splitmix64;
// the transforms use only IEEE-754 double +, -, *, / and sqrt (correctly
// rounded everywhere) and portable_log below, which is built from those
// operations alone. No std::*_distribution (their output is
// implementation-defined) and no libm transcendental (not correctly rounded,
// so libraries differ in the last bit). Needs FP contraction off, which is
// GCC's and Clang's default in ISO C++ mode (-std=c++20, no -ffast-math).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace plumb::harness {

enum class InputDistribution : uint8_t {
  gaussian,    // N(0, 1)
  laplace,     // Laplace(0, 1): density exp(-|x|) / 2, variance 2
  student_t3,  // Student's t with 3 degrees of freedom: variance 3, outlier-heavy
};
inline constexpr int kInputDistributionCount = 3;

const char* distribution_name(InputDistribution d);         // "gaussian", ...
const char* distribution_description(InputDistribution d);  // "N(0,1)", ...
// Throws std::runtime_error listing the valid names.
InputDistribution parse_distribution(const std::string& name);

// The natural logarithm of a positive finite double, from IEEE basic
// operations only (within 2 ulp of the true value over 10^7 samples; the
// same bits on every machine).
double portable_log(double x);

// xoshiro256** (Blackman & Vigna), its state filled by splitmix64 from seed.
class PortableRng {
 public:
  explicit PortableRng(uint64_t seed);
  uint64_t next();
  // Uniform on the open interval (0, 1): (k + 0.5) * 2^-53, k the top 53 bits.
  double uniform_open();
  // N(0, 1) by Marsaglia's polar method (two samples per accepted pair).
  double gaussian();

 private:
  uint64_t s_[4];
  bool have_spare_ = false;
  double spare_ = 0.0;
};

// rows * cols samples of d, row-major, each rounded to fp32 (nearest even).
// The stream of distribution d is seeded by splitmix64_mix(seed + (d + 1) *
// 0x9E3779B97F4A7C15), so each distribution's tensor depends only on (seed,
// d, rows * cols).
std::vector<float> make_input(InputDistribution d, uint64_t seed, size_t rows, size_t cols);

}  // namespace plumb::harness
