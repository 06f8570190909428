// plumb reference, block oracle: the scale rules of docs/BLOCK_SEMANTICS.md
// (MX: floor, ceil, even, rceil; NV: the tensor scale S_enc and the nv_te and
// nv_exact block scales), in MPFR arithmetic. Private to the block oracle.
//
// Every log2 is decided by exact comparisons with powers of two (an MPFR
// exponent is exactly floor(log2 |x|) + 1), never by a floating log2.
#pragma once

#include <cstdint>

#include "mpfr_block_round.hpp"
#include "plumb/formats/block_format.hpp"

namespace plumb::reference::block_oracle {

// What the rules know about a block format's element, from its description:
// max_elem, emax_elem and the significand width of the `even` rule.
struct ElementFacts {
  explicit ElementFacts(const BlockFormat& f);
  Real max_elem;          // largest finite value (integers: 2^m - 1), times 2^element_shift
  long emax_elem = 0;     // floor(log2 max_elem)
  int significand_bits;   // floats: mbits + 1; integers: their value bits
  long shift = 0;         // element_shift
};

// The ue8m0 exponent e of an MX rule for a block with 0 < amax < infinity,
// clamped to the scale's range [-bias, 254 - bias] = [-127, 127].
long mx_scale_exponent(ScaleRule rule, mpfr_srcptr amax, const ElementFacts& e, const FormatDesc& scale);

// The NV rules' per-tensor quantities, fixed by the tensor amax.
class NvScales {
 public:
  // gamax: the tensor's largest finite magnitude (>= 0). with_tensor_scale:
  // the format has a tensor scale (else S_enc = 1).
  NvScales(mpfr_srcptr gamax, bool with_tensor_scale, const ElementFacts& e, const RoundTarget& scale);

  mpfr_srcptr s_enc() const { return s_enc_; }  // an fp32 value
  float s_enc_float() const { return fp32_to_float(s_enc_); }

  // nv_te (steps 2-4): the scale code for a block amax, and the element
  // multiplier c (an fp32 value) into `c`.
  uint64_t te_scale(mpfr_srcptr bamax, mpfr_ptr c) const;
  // nv_exact: the scale code, one rounding of bamax S_enc / M.
  uint64_t exact_scale(mpfr_srcptr bamax) const;
  // The value of a scale code (NaN codes are never passed).
  void scale_value(uint64_t code, mpfr_ptr out) const;

 private:
  const ElementFacts& e_;
  const RoundTarget& scale_;
  Real s_enc_{kFp32Precision};
  Real t_{kFp32Precision};  // fp32(S_enc fp32(1 / M))
  Real g_{kFp32Precision};  // fp32(1 / S_enc)
  mutable Real d_, w_;      // scratch
};

}  // namespace plumb::reference::block_oracle
