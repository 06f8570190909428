// plumb kernels: the classes into which the exhaustive fp32 sweep of NVIDIA's
// intrinsics (cuda_nv_sweep.hpp) puts each difference from the oracle, on the
// device. Host and device (PLUMB_HD), so the CPU tests check it against the
// shared classifier (suites/support vendor_differences.hpp).
//
// A class is decided by the input's kind (NaN, +-inf, negative into an
// unsigned target, other finite) and bit tests of the two results. Sound by
// construction: a class named after one of the shared classifier's classes
// (nan_to_maxnorm, nan_sign, nan_payload, inf_to_maxnorm,
// negative_into_unsigned) tests exactly that class's condition, so every
// difference counted there is of that class; everything else lands in a
// coarse class (nan_other, inf_other, negative_other, finite) that is never
// documented. The host re-classifies the examples kept of every class with
// the shared classifier and fails the cell if the two ever disagree.
#pragma once

#include <cmath>
#include <cstdint>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/rounding.hpp"
#include "plumb/formats/value.hpp"

namespace plumb::kernels {

enum class NvSweepClass : uint8_t {
  nan_to_maxnorm,          // NaN input, the oracle has no encoding, the vendor gives +MAXNORM
  nan_sign,                // NaN input, both results NaN, signs differ
  nan_payload,             // NaN input, both results NaN, same sign
  nan_other,               // any other NaN-input difference
  inf_to_maxnorm,          // +-inf input, the oracle +-inf, the vendor +-MAXNORM of the input's sign
  inf_other,               // any other +-inf difference
  negative_into_unsigned,  // x < 0 into an unsigned target: the vendor's code is the oracle's for |x|
  negative_other,          // any other x < 0 into an unsigned target
  finite,                  // any other difference (a finite input): never documented
};
inline constexpr int kNvSweepClasses = 9;

inline constexpr const char* kNvSweepClassNames[kNvSweepClasses] = {
    "nan_to_maxnorm", "nan_sign",       "nan_payload",    "nan_other", "inf_to_maxnorm",
    "inf_other",      "negative_into_unsigned", "negative_other", "finite"};

// The class of a difference (the caller has found want no_encoding or
// got != want.code) for the fp32 input `code`. magnitude_oracle(|x| code) is
// the oracle's result for |x| under the same spec; it is called only for a
// negative input into an unsigned target. Mirrors classify_vendor_difference's
// order: NaN first, then negative into unsigned (-inf included), then +-inf.
template <typename MagnitudeOracle>
PLUMB_HD inline NvSweepClass nv_sweep_class(const FormatDesc& to, uint32_t code, uint64_t got, uint64_t want_code,
                                            uint8_t want_flags, MagnitudeOracle magnitude_oracle) {
  const uint32_t mag = code & 0x7fffffffu;
  const bool negative = (code >> 31) != 0;
  const bool no_encoding = (want_flags & kNoEncoding) != 0;
  const double g = decode(to, got);
  if (mag > 0x7f800000u) {  // NaN input
    if (no_encoding) return got == to.max_finite_code() ? NvSweepClass::nan_to_maxnorm : NvSweepClass::nan_other;
    if (!std::isnan(g) || !std::isnan(decode(to, want_code))) return NvSweepClass::nan_other;
    return ((got ^ want_code) & to.sign_bit()) ? NvSweepClass::nan_sign : NvSweepClass::nan_payload;
  }
  if (!to.is_signed && negative && mag != 0) {
    uint64_t m_code = 0;
    uint8_t m_flags = 0;
    magnitude_oracle(mag, m_code, m_flags);
    return !(m_flags & kNoEncoding) && got == m_code ? NvSweepClass::negative_into_unsigned
                                                      : NvSweepClass::negative_other;
  }
  if (mag == 0x7f800000u) {  // +-inf input
    const bool inf_expected = !no_encoding && std::isinf(decode(to, want_code));
    const bool max_same_sign = (got & to.magnitude_mask()) == to.max_finite_code() && std::signbit(g) == negative;
    return inf_expected && max_same_sign ? NvSweepClass::inf_to_maxnorm : NvSweepClass::inf_other;
  }
  return NvSweepClass::finite;
}

}  // namespace plumb::kernels
