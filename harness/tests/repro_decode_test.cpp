// plumb repro --op decode (docs/REPRO_SEMANTICS.md "Decode experiment") on a
// small model: the batch-invariant kernels give bitwise identical tokens and
// logits at every batch size and simulated TP degree, in both precisions;
// the experiment is not vacuous (default kernels change bf16 logits bitwise,
// also for prompts whose tokens never change); runs are deterministic and
// the model depends on its seed.
#include "repro_decode.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

using namespace plumb::harness::repro;

namespace {

constexpr uint64_t kSeed = 5;  // prompts and model; printed on failure

DecodeOptions small_options() {
  DecodeOptions o;
  o.model.vocab = 96;
  o.model.d_model = 64;  // 2 x 32 terms: the default kernels' split-K can cut the projections
  o.model.layers = 2;
  o.model.heads = 2;
  o.model.mlp = 128;
  o.model.seed = kSeed;
  o.seed = kSeed;
  o.steps = 40;
  o.prompts = 3;
  o.prompt_len = 4;
  o.batches = {1, 2, 3, 8};
  o.tps = {1, 2, 4};
  return o;
}

}  // namespace

TEST_CASE("decode: invariant kernels give identical tokens and logits at every batch and TP degree",
          "[repro][decode]") {
  INFO("seed " << kSeed);
  const DecodeOptions o = small_options();
  const DecodeWeights w = make_decode_weights(o.model);
  const auto prompts = decode_prompts(o);
  for (Precision p : {Precision::bf16, Precision::layercast}) {
    const DecodeTrace ref = run_decode(w, prompts, decode_configs(o)[0], p, o.steps);
    REQUIRE(ref.tokens.size() == o.prompts);
    for (const auto& t : ref.tokens) REQUIRE(t.size() == o.steps);
    for (const DecodeConfig& c : decode_configs(o)) {
      if (c.variant != Variant::invariant) continue;
      INFO(precision_name(p) << " " << c.label());
      const DecodeComparison cmp = compare_decode(ref, run_decode(w, prompts, c, p, o.steps));
      CHECK(cmp.identical);
      CHECK(cmp.prompts_diverged == 0);
      CHECK(cmp.prompts_logits_differ == 0);
    }
  }
}

TEST_CASE("decode: default kernels change bf16 logits bitwise, also where no token changes", "[repro][decode]") {
  INFO("seed " << kSeed);
  const DecodeOptions o = small_options();
  const DecodeResult r = run_decode_experiment(o);
  REQUIRE(r.rows.size() == decode_configs(o).size());
  CHECK(r.rows[0].by_precision[0].identical);  // the reference against itself
  for (int p = 0; p < 2; ++p) {
    size_t logits_differ = 0, logits_without_tokens = 0;
    for (const DecodeRow& row : r.rows) {
      if (row.config.variant != Variant::standard) continue;
      const DecodeComparison& c = row.by_precision[p];
      logits_differ += c.prompts_logits_differ;
      for (size_t q = 0; q < o.prompts; ++q) {
        // A token can only change at or after the first step whose logits changed.
        if (c.first_token_diff[q] != kNever) CHECK(c.first_logits_diff[q] != kNever);
        if (c.first_token_diff[q] != kNever) CHECK(c.first_logits_diff[q] <= c.first_token_diff[q]);
        if (c.first_logits_diff[q] != kNever && c.first_token_diff[q] == kNever) ++logits_without_tokens;
      }
      if (c.prompts_diverged) CHECK(c.mean_divergence >= static_cast<double>(c.first_divergence));
    }
    INFO(precision_name(static_cast<Precision>(p)));
    CHECK(logits_differ > 0);
    if (p == 0) CHECK(logits_without_tokens > 0);
  }
}

TEST_CASE("decode: runs are deterministic and the model depends on its seed", "[repro][decode]") {
  INFO("seed " << kSeed);
  DecodeOptions o = small_options();
  o.steps = 12;
  const auto prompts = decode_prompts(o);
  const DecodeConfig c{Variant::standard, 2, 2, Collective::tree};
  const DecodeWeights w = make_decode_weights(o.model);
  CHECK(compare_decode(run_decode(w, prompts, c, Precision::bf16, o.steps),
                       run_decode(w, prompts, c, Precision::bf16, o.steps))
            .identical);
  o.model.seed = kSeed + 1;
  const DecodeWeights other = make_decode_weights(o.model);
  CHECK(run_decode(w, prompts, c, Precision::bf16, o.steps).tokens !=
        run_decode(other, prompts, c, Precision::bf16, o.steps).tokens);
}

TEST_CASE("decode: bad model shapes are refused", "[repro][decode]") {
  DecodeModelSpec s;
  s.heads = 3;  // does not divide 128
  CHECK_THROWS_AS(make_decode_weights(s), std::invalid_argument);
  s.heads = 4;
  s.vocab = 0;
  CHECK_THROWS_AS(make_decode_weights(s), std::invalid_argument);
  const DecodeWeights w = make_decode_weights(DecodeModelSpec{});
  DecodeBatch b(w, DecodeExec{}, 1, 1);
  std::vector<float> logits;
  CHECK_THROWS_AS(b.step({100000}, logits), std::out_of_range);
}
