// plumb repro: sum, dot, GEMM, softmax and RMSNorm on the CPU, and the batch
// layout that places rows in calls (repro_ops.hpp). Built with
// -ffp-contract=off: every product and sum is one fp32 rounding.
#include "repro_ops.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "repro_cuda.hpp"
#include "repro_reduce.hpp"

namespace plumb::harness::repro {

float round_to_bf16(float x) {
  const Converted c = convert_code(formats::fp32, formats::bf16, std::bit_cast<uint32_t>(x),
                                   RoundingSpec{Rounding::nearest_even, Overflow::infinity});
  return std::bit_cast<float>(static_cast<uint32_t>(c.code << 16));
}

namespace {

float out_round(Dtype d, float x) { return d == Dtype::bf16 ? round_to_bf16(x) : x; }

void linear_call(const Inputs& in, const std::vector<size_t>& rows, Variant v, const ExecConfig& cfg, float* out) {
  const size_t k = in.shape.cols, m = outputs_per_row(in.op, in.shape), elements = rows.size() * m;
  const ReducePlan plan = plan_reduction(v, cfg, elements, k);
  const float* x = in.x.data();
  const float* w = in.w.data();
  if (in.op == Op::sum)
    reduce_all(plan, elements, k, cfg.threads, [&](size_t e, size_t i) { return x[rows[e] * k + i]; }, out);
  else if (in.op == Op::dot)
    reduce_all(plan, elements, k, cfg.threads, [&](size_t e, size_t i) { return x[rows[e] * k + i] * w[i]; }, out);
  else
    reduce_all(plan, elements, k, cfg.threads,
               [&](size_t e, size_t i) { return x[rows[e / m] * k + i] * w[(e % m) * k + i]; }, out);
}

// softmax: the row maximum (exact in any order), S = sum exp(x - max) through
// the reduction engine, y = exp(x - max) / S.
void softmax_call(const Inputs& in, const std::vector<size_t>& rows, Variant v, const ExecConfig& cfg, float* out) {
  const size_t k = in.shape.cols, b = rows.size();
  std::vector<float> max(b), sum(b);
  for (size_t e = 0; e < b; ++e) {
    const float* x = in.x.data() + rows[e] * k;
    max[e] = *std::max_element(x, x + k);
  }
  const ReducePlan plan = plan_reduction(v, cfg, b, k);
  reduce_all(plan, b, k, cfg.threads,
             [&](size_t e, size_t i) { return std::exp(in.x[rows[e] * k + i] - max[e]); }, sum.data());
  parallel_for(cfg.threads, b, [&](size_t e) {
    for (size_t i = 0; i < k; ++i)
      out[e * k + i] = out_round(in.dtype, std::exp(in.x[rows[e] * k + i] - max[e]) / sum[e]);
  });
}

// RMSNorm: S = sum x^2 through the reduction engine, y = x / sqrt(S / n + eps).
void rmsnorm_call(const Inputs& in, const std::vector<size_t>& rows, Variant v, const ExecConfig& cfg, float* out) {
  const size_t k = in.shape.cols, b = rows.size();
  std::vector<float> ss(b);
  const ReducePlan plan = plan_reduction(v, cfg, b, k);
  reduce_all(plan, b, k, cfg.threads,
             [&](size_t e, size_t i) {
               const float x = in.x[rows[e] * k + i];
               return x * x;
             },
             ss.data());
  parallel_for(cfg.threads, b, [&](size_t e) {
    const float rms = std::sqrt(ss[e] / static_cast<float>(k) + kRmsEps);
    for (size_t i = 0; i < k; ++i) out[e * k + i] = out_round(in.dtype, in.x[rows[e] * k + i] / rms);
  });
}

DefaultKernel g_default_kernel;
bool g_builtin_only = false;

}  // namespace

void set_default_kernel(DefaultKernel k) { g_default_kernel = std::move(k); }
bool default_kernel_replaced() { return static_cast<bool>(g_default_kernel); }
BuiltinDefaultScope::BuiltinDefaultScope() : saved_(g_builtin_only) { g_builtin_only = true; }
BuiltinDefaultScope::~BuiltinDefaultScope() { g_builtin_only = saved_; }

void run_call(const Inputs& in, const std::vector<size_t>& rows, Variant v, const ExecConfig& cfg, float* out) {
  if (v == Variant::standard && g_default_kernel && !g_builtin_only) return g_default_kernel(in, rows, cfg, out);
  if (cfg.device == Device::cuda) return cuda_run_call(in, rows, v, cfg, out);
  switch (in.op) {
    case Op::sum:
    case Op::dot:
    case Op::gemm: return linear_call(in, rows, v, cfg, out);
    case Op::softmax: return softmax_call(in, rows, v, cfg, out);
    case Op::rmsnorm: return rmsnorm_call(in, rows, v, cfg, out);
    case Op::attention: return run_attention_call(in, rows, v, cfg, out);
  }
}

std::vector<BatchCall> batch_layout(size_t rows, size_t batch) {
  if (batch == 0) batch = rows;
  std::vector<BatchCall> calls;
  if (batch <= rows) {
    for (size_t start = 0; start < rows; start += batch) {
      BatchCall c;
      for (size_t p = 0; p < batch; ++p) {
        const size_t r = start + p;
        c.rows.push_back(r % rows);
        if (r < rows) c.kept.emplace_back(p, r);
      }
      calls.push_back(std::move(c));
    }
    return calls;
  }
  BatchCall c;
  for (size_t p = 0; p < batch; ++p) c.rows.push_back(p % rows);
  for (size_t r = 0; r < rows; ++r) {
    const size_t p = r * batch / rows;
    c.rows[p] = r;
    c.kept.emplace_back(p, r);
  }
  calls.push_back(std::move(c));
  return calls;
}

Outputs run_config(const Inputs& in, Variant v, const ExecConfig& cfg) {
  const size_t m = outputs_per_row(in.op, in.shape);
  Outputs all(in.shape.rows * m);
  std::vector<float> call_out;
  for (const BatchCall& c : batch_layout(in.shape.rows, cfg.batch)) {
    call_out.assign(c.rows.size() * m, 0.0f);
    run_call(in, c.rows, v, cfg, call_out.data());
    for (auto [p, r] : c.kept) std::copy_n(call_out.data() + p * m, m, all.data() + r * m);
  }
  return all;
}

}  // namespace plumb::harness::repro
