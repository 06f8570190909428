// plumb reference: the exact GEMM (docs/GEMM_SEMANTICS.md). Codes are decoded
// from the FormatDesc description fields alone into integer x 2^exponent; a
// dot is an exact cpp_int over the smallest exponent of its products, divided
// once by the tensor scales and rounded once (round_quotient).
#include "plumb/reference/exact_gemm.hpp"

#include <boost/multiprecision/cpp_int.hpp>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace plumb::reference {
namespace {

using boost::multiprecision::cpp_int;

struct Dyadic {  // m x 2^e, or NaN
  int64_t m = 0;
  long e = 0;
  bool nan = false;
};

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument("exact_gemm: " + what); }

// One code of f (docs/SEMANTICS.md's table), exactly.
Dyadic decode_code(const FormatDesc& f, uint64_t code, const char* what) {
  const int bits = f.bits();
  const uint64_t mask = (uint64_t{1} << bits) - 1;
  code &= mask;
  if (f.encoding == Encoding::integer) {
    const bool neg = f.is_signed && (code >> (bits - 1)) != 0;
    return {neg ? static_cast<int64_t>(code) - static_cast<int64_t>(uint64_t{1} << bits) : static_cast<int64_t>(code), 0, false};
  }
  if (f.encoding == Encoding::e8m0) {
    if (code == mask) return {0, 0, true};
    return {1, static_cast<long>(code) - f.bias, false};
  }
  const uint64_t sign = f.is_signed ? uint64_t{1} << (bits - 1) : 0;
  const uint64_t mag = code & ~sign;
  const uint64_t field = mag >> f.mbits, mant = mag & ((uint64_t{1} << f.mbits) - 1);
  const uint64_t ones = (uint64_t{1} << f.ebits) - 1;
  switch (f.encoding) {
    case Encoding::ieee:
      if (field == ones) {
        if (mant != 0) return {0, 0, true};
        bad(std::string("infinite ") + what + " code " + std::to_string(code) + " (outside this specification)");
      }
      break;
    case Encoding::fn:
      if (mag == (mask & ~sign)) return {0, 0, true};
      break;
    case Encoding::fnuz:
      if (sign && code == sign) return {0, 0, true};
      break;
    default: break;
  }
  Dyadic d;
  if (field == 0) d = {static_cast<int64_t>(mant), 1L - f.bias - f.mbits, false};
  else d = {static_cast<int64_t>(mant | (uint64_t{1} << f.mbits)), static_cast<long>(field) - f.bias - f.mbits, false};
  if (code & sign) d.m = -d.m;
  return d;
}

Dyadic decode_float(float x, const char* what) {
  if (!std::isfinite(x)) bad(std::string("non-finite fp32 ") + what + " operand (outside this specification)");
  int e = 0;
  const double fr = std::frexp(static_cast<double>(x), &e);
  return {static_cast<int64_t>(std::ldexp(fr, 24)), static_cast<long>(e) - 24, false};
}

void check_operand(const GemmOperand& o, const char* what) {
  const std::string w(what);
  if (o.rows == 0 || o.k == 0) bad(w + ": rows and k must be >= 1");
  switch (o.kind) {
    case GemmOperandKind::fp32:
      if (!o.f32) bad(w + ": no fp32 array");
      break;
    case GemmOperandKind::int8:
      if (!o.i8) bad(w + ": no int8 array");
      break;
    case GemmOperandKind::bf16:
    case GemmOperandKind::fp16:
      if (!o.u16) bad(w + ": no 16-bit code array");
      break;
    case GemmOperandKind::fp8:
    case GemmOperandKind::fp8_blockwise:
      if (!o.elements) bad(w + ": no fp8 code array");
      if (o.code_format.bits() != 8 || o.code_format.encoding == Encoding::integer)
        bad(w + ": fp8 codes need an 8-bit float code format");
      if (o.kind == GemmOperandKind::fp8 && !std::isfinite(o.multiplier))
        bad(w + ": the fp8 multiplier is not finite");
      if (o.kind == GemmOperandKind::fp8_blockwise && (!o.block_scales || (o.scale_block_rows != 1 && o.scale_block_rows != 128)))
        bad(w + ": fp8_blockwise needs block scales over blocks of 1 or 128 rows");
      break;
    case GemmOperandKind::block:
      if (!o.elements || !o.scales) bad(w + ": no element or scale array");
      if (o.format.block_size < 1) bad(w + ": block size " + std::to_string(o.format.block_size));
      if (o.format.tensor_scale && !(std::isfinite(o.tensor_scale) && o.tensor_scale > 0))
        bad(w + ": tensor scale " + std::to_string(o.tensor_scale) + " is not a positive finite number");
      break;
  }
}

// Operand value (before the tensor scale) of row r, column c.
Dyadic operand_value(const GemmOperand& o, size_t r, size_t c, const char* what) {
  switch (o.kind) {
    case GemmOperandKind::fp32: return decode_float(o.f32[r * o.k + c], what);
    case GemmOperandKind::int8: return {o.i8[r * o.k + c], 0, false};
    case GemmOperandKind::bf16: return decode_code(formats::bf16, o.u16[r * o.k + c], what);
    case GemmOperandKind::fp16: return decode_code(formats::fp16, o.u16[r * o.k + c], what);
    case GemmOperandKind::fp8:
    case GemmOperandKind::fp8_blockwise: {
      const Dyadic q = decode_code(o.code_format, o.elements[r * o.k + c], what);
      const float mult = o.kind == GemmOperandKind::fp8
                             ? o.multiplier
                             : o.block_scales[(r / o.scale_block_rows) * ((o.k + 127) / 128) + c / 128];
      const Dyadic s = decode_float(mult, what);
      if (q.nan) return {0, 0, true};
      return {q.m * s.m, q.e + s.e, false};  // |m| < 2^28
    }
    case GemmOperandKind::block: break;
  }
  const size_t bs = static_cast<size_t>(o.format.block_size), nb = (o.k + bs - 1) / bs;
  const Dyadic s = decode_code(o.format.scale, o.scales[r * nb + c / bs], what);
  Dyadic q = decode_code(o.format.element, o.elements[r * o.k + c], what);
  if (s.nan || q.nan) return {0, 0, true};
  return {q.m * s.m, q.e + s.e + o.format.element_shift, false};
}

float tensor_divisor(const GemmOperand& o) {
  return o.kind == GemmOperandKind::block && o.format.tensor_scale ? o.tensor_scale : 1.0f;
}

struct ExactDot {  // value = num 2^e / den, den > 0; abs = sum |products| 2^e / den
  bool nan = false;
  cpp_int num, abs, den;
  long e = 0;
};

ExactDot exact_dot(const GemmOperand& a, const GemmOperand& b, size_t i, size_t j) {
  ExactDot d;
  std::vector<Dyadic> p(a.k);
  long emin = 0;
  bool any = false;
  for (size_t k = 0; k < a.k; ++k) {
    const Dyadic x = operand_value(a, i, k, "A"), y = operand_value(b, j, k, "B");
    d.nan |= x.nan || y.nan;
    p[k] = {x.m * y.m, x.e + y.e, false};  // |m| < 2^56 for every kind
    if (p[k].m != 0) emin = any ? std::min(emin, p[k].e) : p[k].e, any = true;
  }
  const Dyadic sa = decode_float(tensor_divisor(a), "A tensor scale");
  const Dyadic sb = decode_float(tensor_divisor(b), "B tensor scale");
  d.den = cpp_int(sa.m) * sb.m;
  d.e = emin - sa.e - sb.e;
  if (d.nan) return d;
  for (const Dyadic& q : p) {
    if (q.m == 0) continue;
    const cpp_int t = cpp_int(q.m) << static_cast<unsigned>(q.e - emin);
    d.num += t;
    d.abs += q.m < 0 ? cpp_int(-t) : t;
  }
  return d;
}

// num 2^e / den rounded to nearest even with `prec` significant bits, the
// smallest normal exponent emin and the largest exponent emax (overflow: inf).
long double round_quotient(const cpp_int& num, const cpp_int& den, long e, int prec, long emin, long emax) {
  if (num == 0) return 0.0L;
  const bool neg = num < 0;
  const cpp_int a = neg ? cpp_int(-num) : num;
  const long l = static_cast<long>(msb(a)) - static_cast<long>(msb(den));
  const bool ge = l >= 0 ? a >= (den << static_cast<unsigned>(l)) : (a << static_cast<unsigned>(-l)) >= den;
  const long x = (ge ? l : l - 1) + e;  // floor(log2 |value|)
  const long qexp = std::max(x, emin) - (prec - 1);
  const long s = e - qexp;
  const cpp_int n = s >= 0 ? cpp_int(a << static_cast<unsigned>(s)) : a;
  const cpp_int dd = s >= 0 ? den : cpp_int(den << static_cast<unsigned>(-s));
  cpp_int q = n / dd;
  const cpp_int r2 = (n - q * dd) << 1;
  if (r2 > dd || (r2 == dd && (q & 1) != 0)) ++q;
  long double v = std::ldexp(q.convert_to<long double>(), static_cast<int>(qexp));
  const long double max_finite = std::ldexp(2.0L - std::ldexp(1.0L, 1 - prec), static_cast<int>(emax));
  if (v > max_finite) v = INFINITY;
  return neg ? -v : v;
}

void validate(const GemmOperand& a, const GemmOperand& b, size_t i, size_t j) {
  check_operand(a, "A");
  check_operand(b, "B");
  if (a.k != b.k) bad("A has k = " + std::to_string(a.k) + ", B has k = " + std::to_string(b.k));
  if (a.kind != b.kind) bad("A and B are of different operand kinds");
  if (i >= a.rows || j >= b.rows) bad("entry (" + std::to_string(i) + ", " + std::to_string(j) + ") outside C");
}

}  // namespace

GemmExactEntry exact_gemm_entry(const GemmOperand& a, const GemmOperand& b, size_t i, size_t j) {
  validate(a, b, i, j);
  const ExactDot d = exact_dot(a, b, i, j);
  GemmExactEntry r;
  if (d.nan) {
    r.nan = true;
    r.value = r.fp32 = r.bf16 = r.fp16 = NAN;
    return r;
  }
  r.value = round_quotient(d.num, d.den, d.e, 64, -16382, 16383);
  r.abs_sum = round_quotient(d.abs, d.den, d.e, 64, -16382, 16383);
  r.fp32 = static_cast<float>(round_quotient(d.num, d.den, d.e, 24, -126, 127));
  r.bf16 = static_cast<float>(round_quotient(d.num, d.den, d.e, 8, -126, 127));
  r.fp16 = static_cast<float>(round_quotient(d.num, d.den, d.e, 11, -14, 15));
  return r;
}

std::vector<GemmExactEntry> exact_gemm(const GemmOperand& a, const GemmOperand& b) {
  std::vector<GemmExactEntry> c;
  c.reserve(a.rows * b.rows);
  for (size_t i = 0; i < a.rows; ++i)
    for (size_t j = 0; j < b.rows; ++j) c.push_back(exact_gemm_entry(a, b, i, j));
  return c;
}

int exact_gemm_compare(const GemmOperand& a, const GemmOperand& b, size_t i, size_t j, double x) {
  validate(a, b, i, j);
  if (!std::isfinite(x)) bad("exact_gemm_compare: x is not finite");
  const ExactDot d = exact_dot(a, b, i, j);
  if (d.nan) bad("exact_gemm_compare: the entry is NaN");
  int ex = 0;
  const double fr = std::frexp(x, &ex);
  const cpp_int mx = cpp_int(static_cast<int64_t>(std::ldexp(fr, 53))) * d.den;  // x den = mx 2^(ex-53)
  const long xe = static_cast<long>(ex) - 53, lo = std::min(xe, d.e);
  const cpp_int lhs = mx << static_cast<unsigned>(xe - lo);
  const cpp_int rhs = d.num << static_cast<unsigned>(d.e - lo);
  return lhs < rhs ? -1 : lhs > rhs ? 1 : 0;
}

long double gemm_gamma_bound(size_t k, int r, long double abs_sum, int accumulator_bits) {
  const long double nu = static_cast<long double>(k + static_cast<size_t>(r)) * std::ldexp(1.0L, -accumulator_bits);
  return nu / (1 - nu) * abs_sum + static_cast<long double>(k) * 0x1p-149L;
}

long double gemm_probabilistic_bound(size_t k, int r, long double abs_sum, int accumulator_bits) {
  const long double u = std::ldexp(1.0L, -accumulator_bits), n = static_cast<long double>(k + static_cast<size_t>(r)), lambda = 6;
  return std::expm1(lambda * std::sqrt(n) * u + n * u * u / (1 - u)) * abs_sum;
}

int gemm_pre_roundings(const GemmOperand& a) {
  if (a.kind == GemmOperandKind::fp8 || a.kind == GemmOperandKind::fp8_blockwise) return 3;
  return a.kind == GemmOperandKind::block && a.format.tensor_scale ? 6 : 0;
}

}  // namespace plumb::reference
