// plumb repro --op decode: a tiny transformer defined by a seed (no
// downloads), decoded greedily on the repro ops' reduction engine
// (docs/REPRO_SEMANTICS.md "Decode experiment"). Pre-norm layers of RMSNorm,
// multi-head attention over a KV cache, RMSNorm, SiLU MLP, each with a
// residual add; a final RMSNorm and a separate (untied) unembedding; the
// input is the token embedding plus a position embedding. Weights
// are bf16 values. Precision bf16: every op's output is rounded to bf16 (fp32
// accumulation inside, as bf16 GEMMs do); LayerCast: the same bf16 weights,
// every op in fp32, nothing rounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "repro_types.hpp"

namespace plumb::harness::repro {

enum class Precision { bf16, layercast };
const char* precision_name(Precision p);  // "bf16", "layercast"

struct DecodeModelSpec {
  size_t vocab = 512, d_model = 128, layers = 2, heads = 4, mlp = 256;
  uint64_t seed = 1;
};

struct DecodeLayer {
  std::vector<float> wqkv, wo, wup, wdown;  // (3d x d), (d x d), (mlp x d), (d x mlp), row-major
};

// Every weight N(0, 1/fan_in) rounded to bf16, the embedding N(0, 1), from
// the portable generator (quant_inputs.hpp): the same model on any machine.
struct DecodeWeights {
  DecodeModelSpec spec;
  std::vector<float> embed, unembed;  // vocab x d each
  std::vector<DecodeLayer> layers;
};
// Throws std::invalid_argument when heads does not divide d_model or a size is 0.
DecodeWeights make_decode_weights(const DecodeModelSpec& spec);
// The absolute position embedding added to the token embedding at position
// pos: N(0, 1) bf16 values from a stream seeded by (model seed, pos). Without
// it a random model soon repeats one token with a wide margin.
std::vector<float> decode_position_embedding(const DecodeModelSpec& spec, size_t pos);

// How a batch is executed: kernel variant, simulated tensor-parallel degree
// (the reduced dimension of the row-parallel projections, attention output
// and MLP down, in `shards` parts all-reduced in `collective` order; the
// column-parallel ones and attention are split by outputs and heads, which
// changes no sum), and precision.
struct DecodeExec {
  Variant variant = Variant::invariant;
  size_t shards = 1;
  Collective collective = Collective::ring;
  Precision precision = Precision::bf16;
};

// The default kernels' split heuristic (plan_reduction) counts a linear
// layer's work items in tiles of this many outputs of one row.
inline constexpr size_t kDecodeTileOutputs = 16;

// `batch` sequences decoded in lockstep, each with its own KV cache of up to
// max_len positions.
class DecodeBatch {
 public:
  DecodeBatch(const DecodeWeights& w, const DecodeExec& exec, size_t batch, size_t max_len);
  // Feeds tokens[b] to sequence b at the next position; logits: batch x vocab.
  void step(const std::vector<int>& tokens, std::vector<float>& logits);
  size_t position() const { return pos_; }

 private:
  void linear(const std::vector<float>& x, const std::vector<float>& w, size_t n, size_t k, bool row_parallel,
              std::vector<float>& out) const;
  void rmsnorm(const std::vector<float>& x, std::vector<float>& out) const;
  void attention(size_t layer, const std::vector<float>& qkv, std::vector<float>& out);
  float round(float x) const;

  const DecodeWeights& w_;
  DecodeExec exec_;
  size_t batch_, max_len_, pos_ = 0;
  std::vector<std::vector<float>> k_cache_, v_cache_;  // per layer: [batch][head][max_len][head_dim]
};

}  // namespace plumb::harness::repro
