// plumb reference: the oracles for format conversion. Host only; never
// included by kernels. They share nothing with formats/ but the description
// fields of FormatDesc (ebits, mbits, bias, is_signed, encoding) and the
// enums of rounding.hpp; docs/SEMANTICS.md is the specification they follow.
#pragma once

#include <cstdint>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/rounding.hpp"

namespace plumb::reference {

struct ReferenceResult {
  uint64_t code = 0;
  uint8_t flags = 0;  // plumb::Flag bits
};

// Primary oracle: MPFR arithmetic (precision mbits+1, exponent range and
// subnormalisation; ties and odd/stochastic rounding decided by exact MPFR
// comparisons).
ReferenceResult mpfr_convert(const FormatDesc& from, const FormatDesc& to, uint64_t code,
                             const RoundingSpec& spec, uint32_t rbits = 0);

// Second, independent oracle: exact rational arithmetic with
// Boost.Multiprecision (cpp_int / cpp_rational).
ReferenceResult boost_convert(const FormatDesc& from, const FormatDesc& to, uint64_t code,
                              const RoundingSpec& spec, uint32_t rbits = 0);

}  // namespace plumb::reference
