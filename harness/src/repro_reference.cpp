// plumb repro: the reference outputs (repro_reference.hpp).
#include "repro_reference.hpp"

#include <bit>
#include <cmath>
#include <cstdint>

#include "plumb/formats/format_desc.hpp"
#include "plumb/reference/exact_gemm.hpp"
#include "plumb/reference/row_op_reference.hpp"
#include "plumb/reference/softmax_reference.hpp"
#include "repro_metrics.hpp"
#include "repro_ops.hpp"

namespace plumb::harness::repro {

namespace {

Outputs linear_reference(const Inputs& in) {
  const size_t k = in.shape.cols;
  std::vector<float> ones(k, 1.0f);
  reference::GemmOperand a, b;
  a.rows = in.shape.rows;
  a.k = b.k = k;
  a.f32 = in.x.data();
  b.rows = in.op == Op::gemm ? in.shape.n : 1;
  b.f32 = in.op == Op::sum ? ones.data() : in.w.data();
  Outputs out;
  for (const auto& e : reference::exact_gemm(a, b)) out.push_back(e.nan ? NAN : e.fp32);
  return out;
}

Outputs softmax_reference(const Inputs& in) {
  const bool bf16 = in.dtype == Dtype::bf16;
  const FormatDesc f = bf16 ? formats::bf16 : formats::fp32;
  std::vector<uint64_t> codes;
  for (float x : in.x) codes.push_back(std::bit_cast<uint32_t>(x) >> (bf16 ? 16 : 0));
  const auto r = reference::mpfr_softmax(f, f, codes, in.shape.rows, in.shape.cols, false);
  Outputs out;
  for (uint64_t c : r.codes) out.push_back(std::bit_cast<float>(static_cast<uint32_t>(c << (bf16 ? 16 : 0))));
  return out;
}

}  // namespace

Outputs reference_outputs(const Inputs& in) {
  const auto fmt = bf16_outputs(in.op, in.dtype) ? reference::RowOutFormat::bf16 : reference::RowOutFormat::fp32;
  switch (in.op) {
    case Op::sum:
    case Op::dot:
    case Op::gemm: return linear_reference(in);
    case Op::softmax: return softmax_reference(in);
    case Op::rmsnorm: return reference::mpfr_rmsnorm(in.x, in.shape.rows, in.shape.cols, kRmsEps, fmt);
    case Op::attention:
      return reference::mpfr_attention(in.x, in.w, in.v, in.shape.rows, in.shape.kv, in.shape.cols,
                                       1.0f / std::sqrt(static_cast<float>(in.shape.cols)), fmt);
  }
  return {};
}

}  // namespace plumb::harness::repro
