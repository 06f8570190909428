/* examples/plugins: fp32 -> e4m3fn in plain C (fp32_to_e4m3fn.h). */
#include "fp32_to_e4m3fn.h"

#include <stdio.h>
#include <string.h>

enum {
  E4M3FN_MAX_FINITE = 0x7e, /* 448 */
  E4M3FN_NAN = 0x7f,
  E4M3FN_MIN_EXPONENT = -6,
  E4M3FN_MBITS = 3
};

uint8_t example_fp32_to_e4m3fn(uint32_t bits, example_ties ties, uint8_t overflow, uint8_t* flags) {
  const uint8_t sign = (uint8_t)((bits >> 31) << 7);
  const uint32_t magnitude = bits & 0x7fffffffu;
  const uint32_t biased = magnitude >> 23;
  *flags = 0;
  if (magnitude > 0x7f800000u) { /* NaN: invalid only for a signaling NaN */
    if (!(magnitude & 0x00400000u)) *flags = PLUMB_FLAG_INVALID;
    return sign | E4M3FN_NAN;
  }
  if (magnitude == 0x7f800000u) { /* infinity: e4m3fn has none */
    if (overflow == PLUMB_OVERFLOW_SATURATE) {
      *flags = PLUMB_FLAG_INEXACT;
      return sign | E4M3FN_MAX_FINITE;
    }
    *flags = PLUMB_FLAG_INVALID;
    return sign | E4M3FN_NAN;
  }
  if (magnitude == 0) return sign;

  /* |x| = significand * 2^(scale); e = floor(log2 |x|). */
  uint64_t significand = biased ? (magnitude & 0x7fffffu) | 0x800000u : magnitude;
  const int scale = (biased ? (int)biased : 1) - 150;
  int e = scale;
  for (uint64_t s = significand; s > 1; s >>= 1) ++e;
  /* Quantum 2^q, q = max(e, min_exponent) - mbits; n whole quanta, remainder r of 2^shift. */
  const int q = (e > E4M3FN_MIN_EXPONENT ? e : E4M3FN_MIN_EXPONENT) - E4M3FN_MBITS;
  const int shift = q - scale; /* > 0 for every fp32 input */
  uint64_t n, remainder, half;
  if (shift >= 40) {
    n = 0, remainder = 1, half = 2; /* below half a quantum, never a tie */
  } else {
    n = significand >> shift;
    remainder = significand & ((1ull << shift) - 1);
    half = 1ull << (shift - 1);
  }
  const int up = ties == TIES_AWAY ? remainder >= half : remainder > half || (remainder == half && (n & 1));
  n += (uint64_t)up;
  if (remainder) *flags |= PLUMB_FLAG_INEXACT;
  if (remainder && e < E4M3FN_MIN_EXPONENT) *flags |= PLUMB_FLAG_UNDERFLOW; /* tiny before rounding */
  /* Codes grow with magnitude: exponent field steps every 8 quanta above the subnormals. */
  const int64_t code = (int64_t)(q - (E4M3FN_MIN_EXPONENT - E4M3FN_MBITS)) * 8 + (int64_t)n;
  if (code > E4M3FN_MAX_FINITE) {
    *flags = PLUMB_FLAG_OVERFLOW | PLUMB_FLAG_INEXACT;
    if (overflow == PLUMB_OVERFLOW_SATURATE) return sign | E4M3FN_MAX_FINITE;
    *flags |= PLUMB_FLAG_INVALID; /* infinity chosen, but e4m3fn has none: NaN */
    return sign | E4M3FN_NAN;
  }
  return sign | (uint8_t)code;
}

plumb_plugin_status example_convert(const plumb_plugin_convert_args* args, const void* in, void* out, uint8_t* flags,
                                    size_t n, example_ties ties, plumb_plugin_message message) {
  if (strcmp(args->from.name, "fp32") != 0 || strcmp(args->to.name, "e4m3fn") != 0 ||
      args->rounding != PLUMB_ROUND_NEAREST_EVEN) {
    snprintf(message.text, message.capacity, "only fp32 -> e4m3fn, nearest_even");
    return PLUMB_STATUS_NOT_SUPPORTED;
  }
  const uint32_t* x = (const uint32_t*)in;
  uint8_t* y = (uint8_t*)out;
  for (size_t i = 0; i < n; ++i) y[i] = example_fp32_to_e4m3fn(x[i], ties, args->overflow, &flags[i]);
  return PLUMB_STATUS_OK;
}
