// plumb checks: L-Mul kernels against the exact reference (reference/
// lmul_reference.hpp). Elementwise results must equal the reference code bit
// for bit; dot and GEMM results must lie within the accumulation bound of
// kernels/include/plumb/kernels/lmul_kernel.hpp around the exact sum of the
// reference products. Cases are seeded; the seed is in every verdict's label.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plumb/checks/verdict.hpp"
#include "plumb/kernels/lmul_kernel.hpp"

namespace plumb::checks {

struct LmulPairs {
  std::vector<uint64_t> a, b;
  std::string description;  // "exhaustive" or "edge x edge + N random, seed S"
};
// Every pair of codes for formats of <= 8 bits; otherwise every pair of edge
// codes (zeros, subnormals, normals at the range ends, inf/NaN) plus `random`
// pairs of uniformly random bit patterns from seed.
LmulPairs lmul_pairs(const FormatDesc& f, uint64_t seed, size_t random);

// "e4m3fn paper/flush/saturate"
std::string lmul_label(const FormatDesc& f, const LmulSpec& spec);

Verdict check_lmul_elementwise(const kernels::LmulKernel& kernel, const FormatDesc& f,
                               const LmulSpec& spec, const LmulPairs& pairs);

// Random finite operands (codes of f): exponents within +-8 binades of 1 (so
// no fp32 sum overflows), uniform mantissas and signs, one in 16 a zero.
std::vector<uint64_t> lmul_operands(const FormatDesc& f, size_t count, uint64_t seed);

// `count` dots of length k, then one m x n x k GEMM, against the bound.
Verdict check_lmul_dot(const kernels::LmulKernel& kernel, const FormatDesc& f,
                       const LmulSpec& spec, size_t k, size_t count, uint64_t seed);
Verdict check_lmul_gemm(const kernels::LmulKernel& kernel, const FormatDesc& f,
                        const LmulSpec& spec, size_t m, size_t n, size_t k, uint64_t seed);

}  // namespace plumb::checks
