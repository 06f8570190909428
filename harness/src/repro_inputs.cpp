// plumb repro: seeded inputs (repro_inputs.hpp).
#include "repro_inputs.hpp"

#include <cmath>
#include <stdexcept>

#include "quant_inputs.hpp"
#include "repro_ops.hpp"

namespace plumb::harness::repro {

namespace {

constexpr int kWideExponent = 20;  // wide values: |x| in [2^-20, 2^21)

struct Generator {
  PortableRng rng;
  InputKind kind;
  Dtype dtype;
  float value(double normal_scale, int exponent_span) {
    double x;
    if (kind == InputKind::normal || exponent_span == 0) {
      x = rng.gaussian() * normal_scale;
    } else {
      const int e = static_cast<int>(rng.next() % (2 * exponent_span + 1)) - exponent_span;
      x = std::ldexp(1.0 + rng.uniform_open(), e) * ((rng.next() >> 63) ? -1.0 : 1.0);
    }
    const float f = static_cast<float>(x);
    return dtype == Dtype::bf16 ? round_to_bf16(f) : f;
  }
  void fill(std::vector<float>& out, size_t n, double normal_scale, int span) {
    out.resize(n);
    for (float& v : out) v = value(normal_scale, span);
  }
};

}  // namespace

const char* input_kind_name(InputKind k) { return k == InputKind::normal ? "normal" : "wide"; }

InputKind parse_input_kind(const std::string& name) {
  if (name == "normal") return InputKind::normal;
  if (name == "wide") return InputKind::wide;
  throw std::runtime_error("unknown --input '" + name + "' (normal, wide)");
}

std::string input_description(Op op, InputKind k) {
  if (k == InputKind::normal) return "N(0,1) values";
  if (op == Op::softmax) return "logits N(0,1) x 8 (exponentials spanning ~e^-30..1)";
  if (op == Op::attention) return "q, k N(0,1) x 4; v +-[1,2) x 2^e, e uniform in [-20, 20]";
  return "+-[1,2) x 2^e, e uniform in [-20, 20]";
}

Inputs make_inputs(Op op, Dtype dtype, const Shape& shape, InputKind kind, uint64_t seed) {
  if (shape.rows == 0 || shape.cols == 0 || (op == Op::gemm && shape.n == 0) || (op == Op::attention && shape.kv == 0))
    throw std::invalid_argument("repro inputs: rows, cols (and n for gemm, kv for attention) must be >= 1");
  Inputs in;
  in.op = op;
  in.dtype = dtype;
  in.shape = shape;
  Generator g{PortableRng(seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(op) * 7919 + static_cast<uint64_t>(kind)),
              kind, dtype};
  const size_t rc = shape.rows * shape.cols;
  switch (op) {
    case Op::sum:
    case Op::rmsnorm: g.fill(in.x, rc, 1.0, kWideExponent); break;
    case Op::dot: g.fill(in.x, rc, 1.0, kWideExponent); g.fill(in.w, shape.cols, 1.0, kWideExponent); break;
    case Op::gemm: g.fill(in.x, rc, 1.0, kWideExponent); g.fill(in.w, shape.n * shape.cols, 1.0, kWideExponent); break;
    case Op::softmax: g.fill(in.x, rc, kind == InputKind::wide ? 8.0 : 1.0, 0); break;
    case Op::attention:
      g.fill(in.x, rc, kind == InputKind::wide ? 4.0 : 1.0, 0);
      g.fill(in.w, shape.kv * shape.cols, kind == InputKind::wide ? 4.0 : 1.0, 0);
      g.fill(in.v, shape.kv * shape.cols, 1.0, kWideExponent);
      break;
  }
  return in;
}

}  // namespace plumb::harness::repro
