// plumb repro --op decode: configurations, greedy decoding, comparison with
// the reference configuration (repro_decode.hpp).
#include "repro_decode.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "quant_inputs.hpp"
#include "repro_metrics.hpp"
#include "repro_ops.hpp"

namespace plumb::harness::repro {

std::string DecodeConfig::label() const {
  std::string s = std::string(variant_name(variant)) + " batch=" + std::to_string(batch);
  if (tp > 1) s += " tp=" + std::to_string(tp) + " " + collective_name(collective);
  return s;
}

std::vector<DecodeConfig> decode_configs(const DecodeOptions& o) {
  std::vector<DecodeConfig> out = {DecodeConfig{}};
  for (Variant v : {Variant::invariant, Variant::standard}) {
    for (size_t b : o.batches)
      if (b != 1 || v == Variant::standard) out.push_back({v, b, 1, Collective::ring});
    for (size_t d : o.tps)
      if (d > 1)
        for (Collective c : {Collective::ring, Collective::tree}) out.push_back({v, 1, d, c});
  }
  return out;
}

std::vector<std::vector<int>> decode_prompts(const DecodeOptions& o) {
  PortableRng rng(o.seed * 0x9E3779B97F4A7C15ull + 0x50524Full);
  std::vector<std::vector<int>> prompts(o.prompts, std::vector<int>(o.prompt_len));
  for (auto& p : prompts)
    for (int& t : p) t = static_cast<int>(rng.next() % o.model.vocab);
  return prompts;
}

namespace {

int argmax(const float* x, size_t n) {  // the first maximum: ties go to the lowest token
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  return static_cast<int>(best);
}

}  // namespace

DecodeTrace run_decode(const DecodeWeights& w, const std::vector<std::vector<int>>& prompts, const DecodeConfig& c,
                       Precision p, size_t steps) {
  if (prompts.empty() || prompts[0].empty() || steps == 0)
    throw std::invalid_argument("decode: at least one prompt token and one step");
  const size_t n_prompts = prompts.size(), plen = prompts[0].size(), vocab = w.spec.vocab;
  DecodeTrace t;
  t.tokens.assign(n_prompts, {});
  t.logits.assign(n_prompts, {});
  const DecodeExec exec{c.variant, c.tp, c.collective, p};
  std::vector<float> logits;
  for (const BatchCall& call : batch_layout(n_prompts, c.batch)) {
    const size_t b = call.rows.size();
    DecodeBatch batch(w, exec, b, plen + steps);
    std::vector<std::vector<int>> generated(b);
    std::vector<int> feed(b);
    for (size_t pos = 0; pos + 1 < plen + steps; ++pos) {
      for (size_t s = 0; s < b; ++s) feed[s] = pos < plen ? prompts[call.rows[s]][pos] : generated[s][pos - plen];
      batch.step(feed, logits);
      if (pos + 1 < plen) continue;  // still inside the prompt (teacher-forced)
      for (size_t s = 0; s < b; ++s) generated[s].push_back(argmax(logits.data() + s * vocab, vocab));
      for (auto [s, row] : call.kept)
        t.logits[row].insert(t.logits[row].end(), logits.begin() + s * vocab, logits.begin() + (s + 1) * vocab);
    }
    for (auto [s, row] : call.kept) t.tokens[row] = generated[s];
  }
  return t;
}

DecodeComparison compare_decode(const DecodeTrace& ref, const DecodeTrace& run) {
  DecodeComparison c;
  double sum = 0;
  for (size_t r = 0; r < ref.tokens.size(); ++r) {
    const size_t steps = ref.tokens[r].size(), vocab = ref.logits[r].size() / std::max<size_t>(steps, 1);
    long tok = kNever, lg = kNever;
    for (size_t s = 0; s < steps && tok == kNever; ++s) {
      for (size_t i = 0; i < vocab; ++i) {
        const float a = ref.logits[r][s * vocab + i], b = run.logits[r][s * vocab + i];
        if (std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b)) continue;
        if (lg == kNever) lg = static_cast<long>(s) + 1;
        c.max_logit_diff = std::max(c.max_logit_diff, std::fabs(static_cast<double>(a) - b));
      }
      if (ref.tokens[r][s] != run.tokens[r][s]) tok = static_cast<long>(s) + 1;
    }
    c.first_token_diff.push_back(tok);
    c.first_logits_diff.push_back(lg);
    if (lg != kNever) ++c.prompts_logits_differ;
    if (tok != kNever) {
      ++c.prompts_diverged;
      sum += static_cast<double>(tok);
      c.first_divergence = c.first_divergence == kNever ? tok : std::min(c.first_divergence, tok);
    }
  }
  c.mean_divergence = c.prompts_diverged ? sum / static_cast<double>(c.prompts_diverged) : 0.0;
  c.identical = c.prompts_logits_differ == 0 && c.prompts_diverged == 0;
  return c;
}

DecodeResult run_decode_experiment(const DecodeOptions& o) {
  DecodeResult res;
  res.options = o;
  const auto t0 = std::chrono::steady_clock::now();
  const DecodeWeights w = make_decode_weights(o.model);
  const auto prompts = decode_prompts(o);
  const auto configs = decode_configs(o);
  for (const DecodeConfig& c : configs) res.rows.push_back({c, {}});
  for (Precision p : {Precision::bf16, Precision::layercast}) {
    const int pi = static_cast<int>(p);
    const DecodeTrace ref = run_decode(w, prompts, configs[0], p, o.steps);
    res.reference_tokens[pi] = ref.tokens;
    const DecodeTrace default_b1 =
        run_decode(w, prompts, DecodeConfig{Variant::standard, 1, 1, Collective::ring}, p, o.steps);
    for (size_t i = 0; i < configs.size(); ++i) {
      std::fprintf(stderr, "repro decode: %s, configuration %zu/%zu (%s), %.0f s\n", precision_name(p), i + 1,
                   configs.size(), configs[i].label().c_str(),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      const DecodeConfig& c = configs[i];
      const bool is_default_b1 = c.variant == Variant::standard && c.batch == 1 && c.tp == 1;
      const DecodeTrace run = i == 0 ? ref : is_default_b1 ? default_b1 : run_decode(w, prompts, c, p, o.steps);
      res.rows[i].by_precision[pi] = compare_decode(ref, run);
      if (c.variant == Variant::standard) res.rows[i].vs_default_batch1[pi] = compare_decode(default_b1, run);
    }
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace plumb::harness::repro
