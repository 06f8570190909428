// plumb repro --op decode: the decode experiment (docs/REPRO_SEMANTICS.md
// "Decode experiment"). Seeded prompts are decoded greedily for `steps`
// tokens under each configuration (kernel variant x batch size x simulated
// TP degree and collective) and precision (bf16 compute, LayerCast); every
// configuration is compared with the reference configuration (batch 1, TP 1,
// invariant kernels) of the same precision: the first step whose argmax
// token differs, and, as the non-vacuity witness, the first step whose
// logits differ bitwise. Default-kernel configurations are also compared
// with the default kernels at batch 1, TP 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "repro_decode_model.hpp"

namespace plumb::harness::repro {

struct DecodeOptions {
  DecodeModelSpec model;
  size_t steps = 200, prompts = 4, prompt_len = 8;
  std::vector<size_t> batches = {1, 2, 8};
  std::vector<size_t> tps = {1, 2, 4, 8};
  uint64_t seed = 1;  // prompts; the model's seed is model.seed
};

struct DecodeConfig {
  Variant variant = Variant::invariant;
  size_t batch = 1, tp = 1;
  Collective collective = Collective::ring;
  std::string label() const;  // "default batch=8", "invariant tp=4 tree"
};
// The reference first, then for each variant (invariant, default): every
// batch at TP 1, every TP degree > 1 with ring and tree at batch 1 (the
// default variant also at batch 1, TP 1).
std::vector<DecodeConfig> decode_configs(const DecodeOptions& o);

// One configuration's tokens and logits: per prompt, `steps` generated
// tokens and steps x vocab logits (the logits that chose each token).
struct DecodeTrace {
  std::vector<std::vector<int>> tokens;
  std::vector<std::vector<float>> logits;
};
// Prompts are placed in calls of `batch` sequences by batch_layout (every
// position used; filler sequences are copies of other prompts).
DecodeTrace run_decode(const DecodeWeights& w, const std::vector<std::vector<int>>& prompts, const DecodeConfig& c,
                       Precision p, size_t steps);
std::vector<std::vector<int>> decode_prompts(const DecodeOptions& o);

inline constexpr long kNever = -1;
// A configuration against the reference, per prompt and summarised. Steps
// are 1-based generated tokens.
struct DecodeComparison {
  std::vector<long> first_token_diff;   // per prompt, kNever: identical for all steps
  std::vector<long> first_logits_diff;  // per prompt, first step whose logits differ bitwise
  double max_logit_diff = 0;            // max |difference| of a logit, over steps up to the first token difference
  size_t prompts_diverged = 0, prompts_logits_differ = 0;
  long first_divergence = kNever;  // min over prompts
  double mean_divergence = 0;      // over diverged prompts (0 when none)
  bool identical = true;           // tokens and logits bitwise identical at every step
};
DecodeComparison compare_decode(const DecodeTrace& ref, const DecodeTrace& run);

struct DecodeRow {
  DecodeConfig config;
  DecodeComparison by_precision[2];  // [bf16, layercast], against the reference
  // Default-kernel rows only: against the default kernels at batch 1, TP 1,
  // so that a batch or TP effect is told apart from the kernels' own order.
  DecodeComparison vs_default_batch1[2];
};
struct DecodeResult {
  DecodeOptions options;
  std::vector<DecodeRow> rows;                        // rows[0] is the reference (compared with itself)
  std::vector<std::vector<int>> reference_tokens[2];  // per precision, per prompt
  double seconds = 0;
};
// Progress on stderr.
DecodeResult run_decode_experiment(const DecodeOptions& o);

}  // namespace plumb::harness::repro
