// plumb repro --op decode: the tiny model's weights and one decode step
// (repro_decode_model.hpp). Every sum goes through the repro reduction
// engine: linear layers through plan_reduction / reduce_all, RMSNorm through
// the rmsnorm op, attention through attention_queries.
#include "repro_decode_model.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "quant_inputs.hpp"
#include "repro_ops.hpp"
#include "repro_reduce.hpp"

namespace plumb::harness::repro {

const char* precision_name(Precision p) { return p == Precision::bf16 ? "bf16" : "layercast"; }

namespace {

void fill_bf16(PortableRng& rng, std::vector<float>& out, size_t n, double scale) {
  out.resize(n);
  for (float& v : out) v = round_to_bf16(static_cast<float>(rng.gaussian() * scale));
}

}  // namespace

DecodeWeights make_decode_weights(const DecodeModelSpec& s) {
  if (s.vocab == 0 || s.d_model == 0 || s.layers == 0 || s.heads == 0 || s.mlp == 0)
    throw std::invalid_argument("decode model: vocab, d_model, layers, heads and mlp must be >= 1");
  if (s.d_model % s.heads != 0) throw std::invalid_argument("decode model: heads must divide d_model");
  DecodeWeights w;
  w.spec = s;
  PortableRng rng(s.seed * 0x9E3779B97F4A7C15ull + 0xDEC0DEull);
  const double d = static_cast<double>(s.d_model);
  fill_bf16(rng, w.embed, s.vocab * s.d_model, 1.0);
  fill_bf16(rng, w.unembed, s.vocab * s.d_model, 1.0 / std::sqrt(d));
  w.layers.resize(s.layers);
  for (DecodeLayer& l : w.layers) {
    fill_bf16(rng, l.wqkv, 3 * s.d_model * s.d_model, 1.0 / std::sqrt(d));
    fill_bf16(rng, l.wo, s.d_model * s.d_model, 1.0 / std::sqrt(d));
    fill_bf16(rng, l.wup, s.mlp * s.d_model, 1.0 / std::sqrt(d));
    fill_bf16(rng, l.wdown, s.d_model * s.mlp, 1.0 / std::sqrt(static_cast<double>(s.mlp)));
  }
  return w;
}

std::vector<float> decode_position_embedding(const DecodeModelSpec& s, size_t pos) {
  PortableRng rng(s.seed * 0x9E3779B97F4A7C15ull + 0x905171000ull + pos * 0xBF58476D1CE4E5B9ull);
  std::vector<float> e;
  fill_bf16(rng, e, s.d_model, 1.0);
  return e;
}

DecodeBatch::DecodeBatch(const DecodeWeights& w, const DecodeExec& exec, size_t batch, size_t max_len)
    : w_(w), exec_(exec), batch_(batch), max_len_(max_len) {
  if (batch == 0 || max_len == 0) throw std::invalid_argument("decode batch: batch and length must be >= 1");
  const size_t cache = batch * w.spec.d_model * max_len;  // heads x head_dim = d_model
  k_cache_.assign(w.spec.layers, std::vector<float>(cache));
  v_cache_.assign(w.spec.layers, std::vector<float>(cache));
}

float DecodeBatch::round(float x) const { return exec_.precision == Precision::bf16 ? round_to_bf16(x) : x; }

// out (batch x n) = x (batch x k) W^T, W n x k. Row-parallel layers reduce k
// in exec.shards shards; the split heuristic sees batch x ceil(n / 16) tiles.
void DecodeBatch::linear(const std::vector<float>& x, const std::vector<float>& w, size_t n, size_t k,
                         bool row_parallel, std::vector<float>& out) const {
  ExecConfig cfg;
  cfg.shards = row_parallel ? exec_.shards : 1;
  cfg.collective = exec_.collective;
  const size_t tiles = batch_ * ((n + kDecodeTileOutputs - 1) / kDecodeTileOutputs);
  const ReducePlan plan = plan_reduction(exec_.variant, cfg, tiles, k);
  out.resize(batch_ * n);
  reduce_all(
      plan, batch_ * n, k, 1, [&](size_t e, size_t i) { return x[(e / n) * k + i] * w[(e % n) * k + i]; }, out.data());
  for (float& v : out) v = round(v);
}

void DecodeBatch::rmsnorm(const std::vector<float>& x, std::vector<float>& out) const {
  Inputs in;
  in.op = Op::rmsnorm;
  in.dtype = exec_.precision == Precision::bf16 ? Dtype::bf16 : Dtype::fp32;
  in.shape.rows = batch_;
  in.shape.cols = w_.spec.d_model;
  in.x = x;
  std::vector<size_t> rows(batch_);
  for (size_t b = 0; b < batch_; ++b) rows[b] = b;
  out.resize(x.size());
  run_call(in, rows, exec_.variant, ExecConfig{}, out.data());  // replicated on every rank: unsharded
}

// qkv: batch x 3d ([q | k | v], heads contiguous inside each); out: batch x d.
void DecodeBatch::attention(size_t layer, const std::vector<float>& qkv, std::vector<float>& out) {
  const size_t d = w_.spec.d_model, h = w_.spec.heads, hd = d / h;
  float* kc = k_cache_[layer].data();
  float* vc = v_cache_[layer].data();
  std::vector<AttentionQuery> queries;
  for (size_t b = 0; b < batch_; ++b)
    for (size_t head = 0; head < h; ++head) {
      const size_t base = ((b * h + head) * max_len_) * hd;
      for (size_t c = 0; c < hd; ++c) {
        kc[base + pos_ * hd + c] = qkv[b * 3 * d + d + head * hd + c];
        vc[base + pos_ * hd + c] = qkv[b * 3 * d + 2 * d + head * hd + c];
      }
      queries.push_back({qkv.data() + b * 3 * d + head * hd, kc + base, vc + base});
    }
  out.resize(batch_ * d);  // query (b, head) writes b * d + head * hd: the heads side by side
  attention_queries(queries, hd, pos_ + 1, exec_.variant, ExecConfig{},
                    exec_.precision == Precision::bf16 ? Dtype::bf16 : Dtype::fp32, out.data());
}

void DecodeBatch::step(const std::vector<int>& tokens, std::vector<float>& logits) {
  if (tokens.size() != batch_) throw std::invalid_argument("decode step: one token per sequence");
  if (pos_ >= max_len_) throw std::out_of_range("decode step: KV cache full");
  const size_t d = w_.spec.d_model, m = w_.spec.mlp, vocab = w_.spec.vocab;
  std::vector<float> hidden(batch_ * d), a, qkv, att, o, up;
  for (size_t b = 0; b < batch_; ++b) {
    if (tokens[b] < 0 || static_cast<size_t>(tokens[b]) >= vocab) throw std::out_of_range("decode step: token");
    std::copy_n(w_.embed.data() + static_cast<size_t>(tokens[b]) * d, d, hidden.data() + b * d);
  }
  const std::vector<float> pe = decode_position_embedding(w_.spec, pos_);
  for (size_t i = 0; i < hidden.size(); ++i) hidden[i] = round(hidden[i] + pe[i % d]);
  for (size_t l = 0; l < w_.layers.size(); ++l) {
    const DecodeLayer& L = w_.layers[l];
    rmsnorm(hidden, a);
    linear(a, L.wqkv, 3 * d, d, false, qkv);
    attention(l, qkv, att);
    linear(att, L.wo, d, d, true, o);
    for (size_t i = 0; i < hidden.size(); ++i) hidden[i] = round(hidden[i] + o[i]);
    rmsnorm(hidden, a);
    linear(a, L.wup, m, d, false, up);
    for (float& u : up) u = round(u / (1.0f + std::exp(-u)));  // SiLU
    linear(up, L.wdown, d, m, true, o);
    for (size_t i = 0; i < hidden.size(); ++i) hidden[i] = round(hidden[i] + o[i]);
  }
  rmsnorm(hidden, a);
  linear(a, w_.unembed, vocab, d, false, logits);
  ++pos_;
}

}  // namespace plumb::harness::repro
