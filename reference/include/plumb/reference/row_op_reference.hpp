// plumb reference: RMSNorm rows and a single-head attention block, computed
// with MPFR and correctly rounded (nearest even) into fp32 or bf16, for
// `plumb repro` (docs/REPRO_SEMANTICS.md "References"). Inputs are fp32 or
// bf16 values held exactly in floats. Shares nothing with kernels/ or the
// harness; Ziv's strategy: the result is computed at precision p with a
// proven error bound, rounded at both ends of the interval, and recomputed
// with p doubled while the two ends round differently.
#pragma once

#include <cstddef>
#include <vector>

namespace plumb::reference {

// The output format: fp32 (23 stored mantissa bits) or bf16 (7). Both have
// fp32's exponent range (normal from 2^-126, gradual underflow).
enum class RowOutFormat { fp32, bf16 };

// y[r][i] = x[r][i] / sqrt(sum_i x[r][i]^2 / cols + eps), x: rows x cols.
// Throws std::invalid_argument for a non-finite input, a negative or
// non-finite eps, or cols == 0.
std::vector<float> mpfr_rmsnorm(const std::vector<float>& x, size_t rows, size_t cols, float eps,
                                RowOutFormat out);

// out[r][d] = sum_j p_rj v[j][d] with p_rj = softmax_j(scale * (q[r] . k[j])),
// q: rows x dim, k and v: kv x dim, all row-major. Throws
// std::invalid_argument for mismatched sizes, kv == 0 or non-finite values.
std::vector<float> mpfr_attention(const std::vector<float>& q, const std::vector<float>& k,
                                  const std::vector<float>& v, size_t rows, size_t kv, size_t dim,
                                  float scale, RowOutFormat out);

}  // namespace plumb::reference
