// plumb checks: checks of properties rather than of single results.
#pragma once

#include "plumb/checks/verdict.hpp"
#include "plumb/kernels/convert_kernel.hpp"

namespace plumb::checks {

// Every code of `format` (at most 16 bits) decoded to fp64 and encoded back
// gives the same code (NaN codes give the format's canonical NaN).
Verdict check_round_trip(const kernels::ConvertKernel& kernel, const FormatDesc& format);

// Stochastic rounding, statistically: for inputs between two codes of `to`,
// draws `draws` random k-bit words per input and checks that the mean rounding
// error (in quanta) is within z = 5 standard errors of its exact expectation
// floor(f 2^k)/2^k - f (which is within 2^-k of zero: SR is unbiased up to the
// truncation of the fraction to k bits), and that the mean error is within
// 2^-k + 5 standard errors of zero.
Verdict check_stochastic_statistics(const kernels::ConvertKernel& kernel, const FormatDesc& to,
                                    int sr_bits, size_t draws, uint64_t seed);

}  // namespace plumb::checks
