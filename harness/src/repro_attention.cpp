// plumb repro: a single-head attention block on the CPU: S = scale Q K^T,
// softmax over the keys, O = P V, with split-KV as flash-decoding does it:
// the keys are cut into parts, each part keeps its own maximum m_s, sum l_s
// and unnormalised output o_s, and the parts are merged left to right with
// exp(m_s - m) rescaling. default: the number of parts follows the batch
// (ceil(64 threads / batch), at least 32 keys a part) or --split; invariant:
// parts of a fixed 64 keys. Tensor parallelism splits attention by heads, so
// the simulated GPU count does not change this op (docs/REPRO_SEMANTICS.md).
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "repro_ops.hpp"
#include "repro_reduce.hpp"

namespace plumb::harness::repro {

inline constexpr size_t kInvariantKvSplit = 64;

namespace {

size_t kv_parts(Variant v, const ExecConfig& cfg, size_t batch, size_t kv) {
  if (v == Variant::invariant) return (kv + kInvariantKvSplit - 1) / kInvariantKvSplit;
  if (cfg.split) return std::min(cfg.split, kv);
  const size_t want = kWorkItemsPerThread * cfg.threads;
  const size_t parts = (want + batch - 1) / batch;
  return std::clamp<size_t>(parts, 1, std::max<size_t>(kv / kMinSplitLength, 1));
}

}  // namespace

void attention_queries(const std::vector<AttentionQuery>& queries, size_t d, size_t kv, Variant v,
                       const ExecConfig& cfg, Dtype out_dtype, float* out) {
  const size_t b = queries.size();
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  // Scores: b x kv dots of length d (the tile sets the dot's accumulator lanes).
  if (cfg.tile == 0 || cfg.tile > kMaxLanes) throw std::invalid_argument("tile must be in 1..64");
  ReducePlan dot_plan;
  dot_plan.lanes = v == Variant::invariant ? kInvariantLanes : cfg.tile;
  dot_plan.splits = 1;
  std::vector<float> s(b * kv);
  reduce_all(dot_plan, b * kv, d, cfg.threads,
             [&](size_t e, size_t i) { return queries[e / kv].q[i] * queries[e / kv].k[(e % kv) * d + i]; }, s.data());
  for (float& x : s) x *= scale;

  const size_t parts = kv_parts(v, cfg, b, kv);
  std::vector<float> m(b * parts), l(b * parts), o(b * parts * d);
  parallel_for(cfg.threads, b * parts, [&](size_t item) {
    const size_t e = item / parts, part = item % parts;
    const size_t j0 = kv * part / parts, j1 = kv * (part + 1) / parts;
    const float* se = s.data() + e * kv;
    const float* ve = queries[e].v;
    float mx = -INFINITY;
    for (size_t j = j0; j < j1; ++j) mx = std::max(mx, se[j]);
    float sum = 0.0f;
    float* oe = o.data() + item * d;
    std::fill(oe, oe + d, 0.0f);
    for (size_t j = j0; j < j1; ++j) {
      const float p = std::exp(se[j] - mx);
      sum += p;
      for (size_t c = 0; c < d; ++c) oe[c] += p * ve[j * d + c];
    }
    m[item] = mx;
    l[item] = sum;
  });
  parallel_for(cfg.threads, b, [&](size_t e) {
    float mx = -INFINITY;
    for (size_t p = 0; p < parts; ++p) mx = std::max(mx, m[e * parts + p]);
    float sum = 0.0f;
    std::vector<float> acc(d, 0.0f);
    for (size_t p = 0; p < parts; ++p) {
      const float f = std::exp(m[e * parts + p] - mx);
      sum += l[e * parts + p] * f;
      for (size_t c = 0; c < d; ++c) acc[c] += o[(e * parts + p) * d + c] * f;
    }
    for (size_t c = 0; c < d; ++c)
      out[e * d + c] = out_dtype == Dtype::bf16 ? round_to_bf16(acc[c] / sum) : acc[c] / sum;
  });
}

void run_attention_call(const Inputs& in, const std::vector<size_t>& rows, Variant v, const ExecConfig& cfg,
                        float* out) {
  const size_t d = in.shape.cols;
  std::vector<AttentionQuery> queries;
  for (size_t r : rows) queries.push_back({in.x.data() + r * d, in.w.data(), in.v.data()});
  attention_queries(queries, d, in.shape.kv, v, cfg, in.dtype, out);
}

}  // namespace plumb::harness::repro
