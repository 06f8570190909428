// plumb reference: L-Mul as docs/LMUL_SEMANTICS.md defines it, computed in
// exact rational arithmetic (Boost cpp_rational) from the paper's formula.
// Host only. Shares nothing with formats/lmul.hpp (the bit-pattern
// implementation the kernels use) but the description fields of FormatDesc
// and the LmulSpec parameters; the final rounding into the operand format is
// the Boost conversion oracle's (boost_convert, docs/SEMANTICS.md).
#pragma once

#include <cstddef>
#include <cstdint>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/lmul.hpp"  // LmulSpec and its enums only

namespace plumb::reference {

// The exact value of L-Mul(a, b) before it is stored in the operand format:
// the paper's (1 + x_m + y_m + 2^-l(m)) * 2^(x_e + y_e) for LmulCarry::paper,
// (1 + f - c) * 2^(x_e + y_e + c) for int_add; +-0 for a zero operand (and a
// subnormal one under flush); +-inf / NaN as the special-value rules say.
// Never flushed, never overflows: every such value is a double exactly.
double lmul_exact_value(const FormatDesc& f, const LmulSpec& spec, uint64_t a, uint64_t b);

// L-Mul(a, b) as a code of f: lmul_exact_value stored into f (flush or
// nearest-even with gradual underflow; overflow by spec.overflow).
uint64_t lmul_reference(const FormatDesc& f, const LmulSpec& spec, uint64_t a, uint64_t b);

// The exact sum of k reference L-Mul products a[i] * b[i] (codes of f),
// rounded once to double, and the exact sum of their magnitudes (also rounded
// once). Both infinite/NaN when a product is.
struct LmulDotExact {
  double sum = 0;
  double abs_sum = 0;
};
LmulDotExact lmul_dot_reference(const FormatDesc& f, const LmulSpec& spec, const uint64_t* a,
                                const uint64_t* b, size_t k);

}  // namespace plumb::reference
