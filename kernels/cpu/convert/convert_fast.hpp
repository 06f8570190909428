// cpu_fast internals: the per-call plan shared by the baseline and AVX2
// translation units. Private to kernels/cpu/convert (and throwaway checks).
//
// Every element is an fp32 bit pattern u (fp16 and bf16 sources are widened to
// fp32 first, which is exact). With a = |u|, E = a >> 23 (the biased fp32
// exponent), Eeff = max(E, 1) and sig the 24-bit significand (no hidden bit for
// fp32 subnormals), the value is sig * 2^(Eeff - 150). formats/ round_to_format
// rounds it with the quantum 2^Q, Q = max(e, min_exponent) - mbits; expressed
// on E that is a right shift of sig by
//
//   s = max(A - Eeff, B)     floats: B = 23 - mbits, A = B + Emin; ints: A = 150, B = 0
//
// where Emin = min_exponent + 127. Then n = sig >> s, the fraction is the
// dropped bits (kept as a 32-bit fixed-point word frac32 = floor(f * 2^32), plus
// "s > 32" as a sticky bit: for s > 32 the fraction is below 2^-8, never a tie),
// and the magnitude code is
//
//   code = (max(Eeff - Emin, 0) << mbits) + n - off        (off = 1 for e8m0)
//
// exactly formats/'s ((q - q_min) << mbits) + n. Rounding adds 0 or 1 to it.
// (The AVX2 code computes the same with Eeff - 1 = max(E - 1, 0), which gives
// sig = a - ((Eeff - 1) << 23) without masks.)
// A code above the per-sign limit is an overflow (or a negative value into an
// unsigned format); E = 255 is infinity or NaN. Those results do not depend on
// the value, so the plan holds them, computed by formats/ convert_code itself.
//
// Not covered (the caller falls back to the scalar kernel for the whole call):
// sources other than fp32 / fp16 / bf16; integer targets wider than 16 bits;
// float targets whose codes need more than 30 bits of int32 headroom (fp32,
// fp64, e8m22...); formats whose range reaches below 2^-126 (Emin < 1: biases
// above 127), except ue8m0; stochastic rounding without rbits or with k
// outside 1..32. Per element: fp32 subnormal inputs into ue8m0 (Emin = 0) are
// redone by convert_code. Infinity and NaN inputs take a rarely taken branch
// per vector of eight in the AVX2 code (a blend of per-call constants).
#pragma once

#include <cstddef>
#include <cstdint>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/rounding.hpp"

namespace plumb::kernels::cpu::fast {

enum class Source : uint8_t { fp32, fp16, bf16 };

struct Plan {
  FormatDesc from, to;
  RoundingSpec spec;
  Source source = Source::fp32;
  int out_bytes = 1;
  // Shift and code constants (see the header comment). All fit in int32.
  int32_t a = 0, b = 0, emin = 0, mshift = 0, off = 0, etiny = 0;
  uint32_t code_mask = 0;
  int32_t lim[2] = {0, 0};      // largest magnitude code per sign (0: positive)
  uint32_t xneg = 0, yneg = 0;  // negative result: ((rounded ^ xneg) + yneg) & code_mask
  uint32_t zero_clear = 0;      // bits cleared from a zero result (fnuz: the sign)
  uint32_t over_code[2] = {0, 0}, inf_code[2] = {0, 0}, nan_code[2] = {0, 0};
  uint8_t over_flags[2] = {0, 0}, inf_flags[2] = {0, 0};
  uint8_t qnan_flags = 0, snan_flags = 0, zero_in_flags = 0;
  int32_t sr_shift = 0;       // 32 - k
  uint32_t sr_topmask = 0;    // the top k bits of a word
  bool sub_fallback = false;  // fp32 subnormal inputs go to convert_code
  // When every overflow result is the code of a clamped magnitude (saturation;
  // infinity or NaN one code above the largest finite value), the result is
  // map(min(rounded, clamp[sign])) and needs no select: float_clamp (sign by
  // or; fnuz_clamp: no sign on a zero result) or int_clamp (two's complement).
  // Otherwise generic (selects).
  enum class Map : uint8_t { generic, float_clamp, fnuz_clamp, int_clamp } map = Map::generic;
  int32_t clamp[2] = {0, 0};
};

// Fills *plan; false when the conversion is not covered (use the scalar kernel).
bool make_plan(const FormatDesc& from, const FormatDesc& to, const RoundingSpec& spec,
               bool have_rbits, Plan* plan);

// Redoes element i with formats/ convert_code (slow path for rare elements).
void fix_element(const Plan& p, const void* in, void* out, uint8_t* flags, size_t i,
                 const uint32_t* rbits);

// The two implementations; both cover any plan and any n.
void run_baseline(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
                  const uint32_t* rbits);
void run_avx2(const Plan& p, const void* in, void* out, uint8_t* flags, size_t n,
              const uint32_t* rbits);

enum class Isa : uint8_t { automatic, baseline, avx2 };
// Runs a covered plan on the chosen ISA (automatic: AVX2 when the CPU has it).
void run(const Plan& p, Isa isa, const void* in, void* out, uint8_t* flags, size_t n,
         const uint32_t* rbits);
bool cpu_has_avx2();

}  // namespace plumb::kernels::cpu::fast
