// plumb reference: the MPFR oracle for block-scaled quantisation, following
// docs/BLOCK_SEMANTICS.md. This file validates the arguments, walks the
// blocks of a layout and applies the special-block rules; the arithmetic is
// in mpfr_block_rules.cpp (scales), mpfr_block_round.cpp (every element and
// scale rounding), mpfr_hadamard.cpp and mpfr_fp32.cpp (binary32 operations).
// It shares nothing with formats/block_quantize.hpp: only the BlockFormat and
// BlockOptions fields and FormatDesc's description fields.
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

#include "mpfr_block_round.hpp"
#include "mpfr_block_rules.hpp"
#include "mpfr_hadamard.hpp"
#include "plumb/reference/block_reference.hpp"

namespace plumb::reference {

namespace {

using namespace block_oracle;
using mpfr_oracle::Kind;
using mpfr_oracle::Layout;

const char* rule_name(ScaleRule r) {
  switch (r) {
    case ScaleRule::floor: return "floor";
    case ScaleRule::ceil: return "ceil";
    case ScaleRule::even: return "even";
    case ScaleRule::rceil: return "rceil";
    case ScaleRule::nv_te: return "nv_te";
    case ScaleRule::nv_exact: return "nv_exact";
  }
  return "?";
}

bool is_nv(ScaleRule r) { return r == ScaleRule::nv_te || r == ScaleRule::nv_exact; }

std::string describe_scale(const FormatDesc& f) {
  if (f == formats::ue8m0) return "ue8m0";
  if (f == formats::ue4m3) return "ue4m3";
  return "e" + std::to_string(f.ebits) + "m" + std::to_string(f.mbits) + (f.is_signed ? "" : " (unsigned)");
}

// Everything the specification refuses, with a message naming the culprit.
void validate(const BlockFormat& f, const BlockOptions& o, size_t rows, size_t cols) {
  if (rows == 0 || cols == 0)
    throw std::invalid_argument("a block-scaled tensor needs rows >= 1 and cols >= 1 (got " + std::to_string(rows) +
                                " x " + std::to_string(cols) + ")");
  if (static_cast<int>(f.rule) >= kScaleRuleCount) throw std::invalid_argument("unknown scale rule");
  const FormatDesc needed = is_nv(f.rule) ? formats::ue4m3 : formats::ue8m0;
  if (!(f.scale == needed))
    throw std::invalid_argument(std::string("scale rule ") + rule_name(f.rule) + " needs a " +
                                (is_nv(f.rule) ? "ue4m3" : "ue8m0") + " scale, not " + describe_scale(f.scale));
  const FormatDesc& e = f.element;
  if (e.bits() > 8 || !e.is_signed || e.encoding == Encoding::e8m0)
    throw std::invalid_argument("block elements must be signed formats of at most 8 bits (not e8m0)");
  if (o.layout != BlockLayout::tile_2d && (f.block_size < 1 || f.block_size > 1024))
    throw std::invalid_argument("block size must be 1..1024 (got " + std::to_string(f.block_size) + ")");
  if (static_cast<int>(o.layout) > static_cast<int>(BlockLayout::tile_2d))
    throw std::invalid_argument("unknown block layout");
  if (o.stochastic && (o.sr_bits < 1 || o.sr_bits > 32))
    throw std::invalid_argument("stochastic rounding takes 1 to 32 random bits (got " + std::to_string(o.sr_bits) +
                                ")");
  if (o.hadamard) check_hadamard_length(rows, cols, o.layout);
}

// The blocks of a layout in the scale grid's row-major order: visit(block,
// element indices), the indices row-major into the tensor.
template <class Visit>
void for_each_block(const BlockFormat& f, BlockLayout layout, size_t rows, size_t cols, Visit visit) {
  const size_t bs = layout == BlockLayout::tile_2d ? 16 : static_cast<size_t>(f.block_size);
  const size_t bh = layout == BlockLayout::rows ? 1 : bs;  // block height and width
  const size_t bw = layout == BlockLayout::cols ? 1 : bs;
  const size_t grid_rows = (rows + bh - 1) / bh, grid_cols = (cols + bw - 1) / bw;
  std::vector<size_t> idx;
  for (size_t gr = 0; gr < grid_rows; ++gr) {
    for (size_t gc = 0; gc < grid_cols; ++gc) {
      idx.clear();
      for (size_t r = gr * bh; r < rows && r < (gr + 1) * bh; ++r)
        for (size_t c = gc * bw; c < cols && c < (gc + 1) * bw; ++c) idx.push_back(r * cols + c);
      visit(gr * grid_cols + gc, idx);
    }
  }
}

size_t grid_size(const BlockFormat& f, BlockLayout layout, size_t rows, size_t cols) {
  size_t n = 0;
  for_each_block(f, layout, rows, cols, [&](size_t, const std::vector<size_t>&) { ++n; });
  return n;
}

// The value of a code, exactly, signed zeros, infinities and NaN included.
void code_value(const Layout& l, uint64_t code, mpfr_ptr out) {
  mpfr_set_prec(out, 256);
  const auto s = mpfr_oracle::decode(l, code, out);
  switch (s.kind) {
    case Kind::zero: mpfr_set_zero(out, s.negative ? -1 : 1); break;
    case Kind::infinite: mpfr_set_inf(out, s.negative ? -1 : 1); break;
    case Kind::nan: mpfr_set_nan(out); break;
    case Kind::finite: break;
  }
}

const float kNaN = std::bit_cast<float>(0x7FC00000u);

}  // namespace

BlockQuantized mpfr_block_quantize(const BlockFormat& format, const BlockOptions& options, const float* x,
                                   size_t rows, size_t cols) {
  validate(format, options, rows, cols);
  if (!x) throw std::invalid_argument("no input tensor");
  std::vector<float> xt(x, x + rows * cols);
  if (options.hadamard) hadamard_tensor(xt, rows, cols, options.layout, options.hadamard_seed, false);

  const ElementFacts facts(format);
  const RoundTarget element(format.element, format.symmetric_int);
  const RoundTarget scale(formats::ue4m3, false);  // the NV rules' scale (validate() checked format.scale)
  const Layout scale_layout = mpfr_oracle::layout_of(format.scale);
  const uint64_t scale_nan = mpfr_oracle::nan_result(scale_layout, false, 0).code;
  const Rounding mode = options.stochastic ? Rounding::stochastic : Rounding::nearest_even;
  const int k = options.stochastic ? options.sr_bits : 0;
  auto rbits = [&](size_t i) { return options.stochastic ? block_rbits(options.sr_seed, i) : 0u; };

  BlockQuantized out;
  out.elements.assign(rows * cols, 0);
  out.scales.assign(grid_size(format, options.layout, rows, cols), 0);
  Real v(kFp32Precision), amax(kFp32Precision), num, one, c, s_value;
  mpfr_set_ui(one, 1, MPFR_RNDN);

  // The NV tensor scale, from the largest finite magnitude of the tensor.
  const bool nv = is_nv(format.rule);
  mpfr_set_zero(amax, 1);
  for (float xi : xt) {
    fp32_set(v, xi);
    if (mpfr_number_p(v) && mpfr_cmpabs(v, amax) > 0) mpfr_abs(amax, v, MPFR_RNDN);
  }
  const NvScales nv_scales(amax, nv && format.tensor_scale, facts, scale);
  if (nv) out.tensor_scale = nv_scales.s_enc_float();

  for_each_block(format, options.layout, rows, cols, [&](size_t b, const std::vector<size_t>& idx) {
    bool special = false;
    mpfr_set_zero(amax, 1);
    for (size_t i : idx) {
      fp32_set(v, xt[i]);
      special |= !mpfr_number_p(v);
      if (mpfr_cmpabs(v, amax) > 0) mpfr_abs(amax, v, MPFR_RNDN);
    }
    if (special) {  // a NaN or an infinity: NaN scale, NaN (or 0) elements
      out.scales[b] = static_cast<uint8_t>(scale_nan);
      for (size_t i : idx) out.elements[i] = static_cast<uint8_t>(element.nan_code());
      return;
    }
    auto store = [&](size_t i, uint64_t code) { out.elements[i] = static_cast<uint8_t>(code); };
    switch (format.rule) {
      case ScaleRule::nv_te: {
        out.scales[b] = static_cast<uint8_t>(nv_scales.te_scale(amax, c));
        for (size_t i : idx) {
          fp32_set(v, xt[i]);
          fp32_mul(num, v, c);  // fp32(x_i c)
          mpfr_mul_2si(num, num, -facts.shift, MPFR_RNDN);  // the element's code domain, exact
          store(i, element.round_quotient(num, one, mode, k, rbits(i)));
        }
        return;
      }
      case ScaleRule::nv_exact: {
        const uint64_t s = nv_scales.exact_scale(amax);
        out.scales[b] = static_cast<uint8_t>(s);
        nv_scales.scale_value(s, s_value);
        for (size_t i : idx) {
          fp32_set(v, xt[i]);
          if (mpfr_zero_p(s_value)) {  // value(s) = 0: +-0 with the input's sign
            store(i, element.zero_code(mpfr_signbit(v) != 0));
            continue;
          }
          mpfr_set_prec(num, 256);
          mpfr_mul(num, v, nv_scales.s_enc(), MPFR_RNDN);  // exact
          mpfr_mul_2si(num, num, -facts.shift, MPFR_RNDN);
          store(i, element.round_quotient(num, s_value, mode, k, rbits(i)));
        }
        return;
      }
      default: break;
    }
    // MX rules. A block of zeros gets the smallest scale, code 0 (2^-bias).
    if (mpfr_zero_p(amax)) {
      out.scales[b] = 0;
      for (size_t i : idx) store(i, element.zero_code(std::signbit(xt[i])));
      return;
    }
    const long e = mx_scale_exponent(format.rule, amax, facts, format.scale);
    out.scales[b] = static_cast<uint8_t>(e + format.scale.bias);
    for (size_t i : idx) {
      mpfr_set_prec(num, 256);
      mpfr_set_flt(num, xt[i], MPFR_RNDN);
      mpfr_mul_2si(num, num, -e - facts.shift, MPFR_RNDN);  // x_i 2^-e 2^-shift, exact
      store(i, element.round_quotient(num, one, mode, k, rbits(i)));
    }
  });
  return out;
}

std::vector<float> mpfr_block_dequantize(const BlockFormat& format, const BlockOptions& options,
                                         const uint8_t* elements, const uint8_t* scales, float tensor_scale,
                                         size_t rows, size_t cols) {
  validate(format, options, rows, cols);
  if (!elements || !scales) throw std::invalid_argument("no element or scale codes");
  const Layout el = mpfr_oracle::layout_of(format.element);
  const Layout sl = mpfr_oracle::layout_of(format.scale);
  const uint64_t scale_nan = mpfr_oracle::nan_result(sl, false, 0).code;
  const bool nv = is_nv(format.rule);
  std::vector<float> y(rows * cols, kNaN);
  Real q, s, r(kFp32Precision), g(kFp32Precision), d(kFp32Precision), one;
  mpfr_set_ui(one, 1, MPFR_RNDN);
  if (nv) {  // g = fp32(1 / S_enc)
    fp32_set(r, format.tensor_scale ? tensor_scale : 1.0f);
    fp32_div(g, one, r);
  }
  for_each_block(format, options.layout, rows, cols, [&](size_t b, const std::vector<size_t>& idx) {
    const uint64_t sc = scales[b] & sl.mask;  // the code is in the low bits
    if (sc == scale_nan) return;              // every element NaN
    if (nv) {
      code_value(sl, sc, s);
      fp32_mul(d, s, g);  // d = fp32(value(s) g)
    }
    for (size_t i : idx) {
      code_value(el, elements[i] & el.mask, q);
      mpfr_mul_2si(q, q, format.element_shift, MPFR_RNDN);  // value(q): code 2^element_shift, exact
      if (nv) {
        fp32_mul(r, q, d);  // y = fp32(value(q) d)
      } else {  // y = fp32(value(q) 2^shift 2^e), one rounding
        mpfr_mul_2si(q, q, static_cast<long>(sc) - format.scale.bias, MPFR_RNDN);
        fp32_round(r, q);
      }
      y[i] = mpfr_nan_p(r) ? kNaN : fp32_to_float(r);
    }
  });
  if (options.hadamard) {
    hadamard_tensor(y, rows, cols, options.layout, options.hadamard_seed, true);
    for (float& yi : y)
      if (yi != yi) yi = kNaN;
  }
  return y;
}

}  // namespace plumb::reference
