// plumb repro --op decode (issue 7, docs/REPRO_SEMANTICS.md "Decode
// experiment"): a tiny seeded transformer decoded greedily under batch sizes,
// simulated TP degrees and kernel variants, in bf16 compute and LayerCast;
// per configuration, the first step whose argmax token differs from the
// reference (batch 1, TP 1, invariant kernels) and the first step whose
// logits differ bitwise. Result section "repro_decode" (docs/RESULT_SCHEMA.md).
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "cli_args.hpp"
#include "commands.hpp"
#include "repro_decode.hpp"
#include "result_file.hpp"

namespace plumb::harness {

using namespace repro;

namespace {

const char* kUsage =
    "usage: plumb repro --op decode [options]\n"
    "Decodes seeded prompts greedily with a tiny seeded transformer (no downloads) under each\n"
    "configuration and precision, and reports against the reference configuration (batch 1, TP 1,\n"
    "invariant kernels) the first step whose argmax token differs and the first step whose logits\n"
    "differ bitwise. Precisions: bf16 (every op's output rounded to bf16) and LayerCast (bf16\n"
    "weights, fp32 compute).\n"
    "  --steps N (200)  --prompts P (4)  --prompt-len L (8)  --seed S (1, the prompts)\n"
    "  --batch B1,B2,... (1,2,8)      batch sizes (the prompts at every position, filler sequences)\n"
    "  --tp D1,D2,... (1,2,4,8)       simulated tensor-parallel degrees, NCCL ring and tree orders\n"
    "  --model-seed S (1)  --vocab V (512)  --d-model D (128)  --layers N (2)  --heads H (4)  --mlp M (256)\n"
    "  --json FILE                    write a result file with a \"repro_decode\" section\n"
    "Exit status: 0, 1 when an invariant-kernel configuration differs from the reference, 2 on bad usage.\n";

std::vector<size_t> parse_sizes(const std::string& text, const char* what, size_t max) {
  std::vector<size_t> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(',', start), text.size());
    const uint64_t v = parse_u64(text.substr(start, end - start), what);
    if (v == 0 || v > max) throw std::runtime_error(std::string(what) + " values must be in 1.." + std::to_string(max));
    out.push_back(static_cast<size_t>(v));
    start = end + 1;
  }
  return out;
}

std::string step_text(long s) { return s == kNever ? "never" : std::to_string(s); }

void print_decode(const DecodeResult& r, std::FILE* out) {
  const DecodeOptions& o = r.options;
  const DecodeModelSpec& m = o.model;
  std::fprintf(out,
               "plumb repro --op decode: model vocab %zu, d_model %zu, %zu layers x %zu heads, mlp %zu, model seed "
               "%llu; %zu prompts of %zu tokens (seed %llu), %zu greedy steps\n",
               m.vocab, m.d_model, m.layers, m.heads, m.mlp, static_cast<unsigned long long>(m.seed), o.prompts,
               o.prompt_len, static_cast<unsigned long long>(o.seed), o.steps);
  std::fprintf(out,
               "against the reference (invariant batch=1, TP 1) of the same precision: diverged = prompts whose "
               "argmax token differs within %zu steps; first / mean = first divergence step (min / mean over "
               "diverged prompts); logits = prompts whose logits differ bitwise at some step up to the divergence, "
               "and the first such step; max|d| = largest logit difference up to the divergence; vs default b1: "
               "default kernels against the default kernels at batch 1, TP 1 (diverged prompts, first step)\n",
               o.steps);
  std::fprintf(out, "%-28s | %-54s | %-54s\n", "", "bf16 compute", "LayerCast (bf16 weights, fp32 compute)");
  std::fprintf(out, "%-28s |", "configuration");
  for (int p = 0; p < 2; ++p)
    std::fprintf(out, " %8s %5s %6s %7s %5s %7s %13s |", "diverged", "first", "mean", "logits", "at", "max|d|",
                 "vs default b1");
  std::fprintf(out, "\n");
  for (size_t i = 1; i < r.rows.size(); ++i) {
    std::fprintf(out, "%-28s |", r.rows[i].config.label().c_str());
    for (int p = 0; p < 2; ++p) {
      const DecodeComparison& c = r.rows[i].by_precision[p];
      long first_logits = kNever;
      for (long s : c.first_logits_diff)
        if (s != kNever) first_logits = first_logits == kNever ? s : std::min(first_logits, s);
      std::fprintf(out, " %4zu/%-3zu %5s %6.1f %3zu/%-3zu %5s %7.1e |", c.prompts_diverged, o.prompts,
                   step_text(c.first_divergence).c_str(), c.mean_divergence, c.prompts_logits_differ, o.prompts,
                   step_text(first_logits).c_str(), c.max_logit_diff);
      const DecodeComparison& d = r.rows[i].vs_default_batch1[p];
      if (r.rows[i].config.variant == Variant::standard)
        std::fprintf(out, " %5zu/%-3zu %5s |", d.prompts_diverged, o.prompts, step_text(d.first_divergence).c_str());
      else
        std::fprintf(out, " %13s |", "-");
    }
    std::fprintf(out, "\n");
  }
  std::fprintf(out, "time: %.1f s\n", r.seconds);
}

nlohmann::json comparison_json(const DecodeComparison& c) {
  auto steps = [](const std::vector<long>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (long s : v) a.push_back(s == kNever ? nlohmann::json(nullptr) : nlohmann::json(s));
    return a;
  };
  return {
      {"prompts_diverged", c.prompts_diverged},
      {"first_divergence", c.first_divergence == kNever ? nlohmann::json(nullptr) : nlohmann::json(c.first_divergence)},
      {"mean_divergence", c.prompts_diverged ? nlohmann::json(c.mean_divergence) : nlohmann::json(nullptr)},
      {"first_token_diff", steps(c.first_token_diff)},
      {"prompts_logits_differ", c.prompts_logits_differ},
      {"first_logits_diff", steps(c.first_logits_diff)},
      {"max_logit_diff", c.max_logit_diff},
      {"identical", c.identical}};
}

nlohmann::json decode_section(const DecodeResult& r) {
  const DecodeOptions& o = r.options;
  const DecodeModelSpec& m = o.model;
  nlohmann::json s = {{"model",
                       {{"vocab", m.vocab},
                        {"d_model", m.d_model},
                        {"layers", m.layers},
                        {"heads", m.heads},
                        {"mlp", m.mlp},
                        {"seed", m.seed}}},
                      {"steps", o.steps},
                      {"prompts", o.prompts},
                      {"prompt_len", o.prompt_len},
                      {"seed", o.seed},
                      {"batches", o.batches},
                      {"tps", o.tps},
                      {"reference", r.rows[0].config.label()},
                      {"seconds", r.seconds}};
  nlohmann::json configs = nlohmann::json::array();
  for (size_t i = 1; i < r.rows.size(); ++i) {
    const DecodeConfig& c = r.rows[i].config;
    configs.push_back(
        {{"label", c.label()},
         {"kernels", variant_name(c.variant)},
         {"batch", c.batch},
         {"tp", c.tp},
         {"collective", c.tp > 1 ? nlohmann::json(collective_name(c.collective)) : nlohmann::json(nullptr)},
         {"bf16", comparison_json(r.rows[i].by_precision[0])},
         {"layercast", comparison_json(r.rows[i].by_precision[1])}});
    if (c.variant == Variant::standard)
      configs.back()["vs_default_batch1"] = {{"bf16", comparison_json(r.rows[i].vs_default_batch1[0])},
                                             {"layercast", comparison_json(r.rows[i].vs_default_batch1[1])}};
  }
  s["configs"] = configs;
  return s;
}

}  // namespace

int command_repro_decode(const std::vector<std::string>& args) {
  for (const auto& s : args)
    if (s == "--help" || s == "-h") {
      std::cout << kUsage;
      return 0;
    }
  CliArgs a(args,
            {"op", "steps", "prompts", "prompt-len", "seed", "batch", "tp", "model-seed", "vocab", "d-model", "layers",
             "heads", "mlp", "json"},
            {});
  if (!a.positional().empty()) throw std::runtime_error("unexpected argument '" + a.positional()[0] + "'");
  DecodeOptions o;
  o.steps = parse_size(a, "steps", 200, 4096);
  o.prompts = parse_size(a, "prompts", 4, 256);
  o.prompt_len = parse_size(a, "prompt-len", 8, 1024);
  o.seed = a.value("seed") ? parse_u64(*a.value("seed"), "--seed") : 1;
  if (a.value("batch")) o.batches = parse_sizes(*a.value("batch"), "--batch", 256);
  if (a.value("tp")) o.tps = parse_sizes(*a.value("tp"), "--tp", 64);
  o.model.seed = a.value("model-seed") ? parse_u64(*a.value("model-seed"), "--model-seed") : 1;
  o.model.vocab = parse_size(a, "vocab", 512, 1u << 16);
  o.model.d_model = parse_size(a, "d-model", 128, 4096);
  o.model.layers = parse_size(a, "layers", 2, 64);
  o.model.heads = parse_size(a, "heads", 4, 256);
  o.model.mlp = parse_size(a, "mlp", 256, 16384);
  if (o.model.d_model % o.model.heads) throw std::runtime_error("--heads must divide --d-model");
  const DecodeResult r = run_decode_experiment(o);
  print_decode(r, stdout);
  if (const auto out = a.value("json")) {
    std::string command_line = "plumb repro";
    for (const auto& s : args) command_line += " " + s;
    nlohmann::json result = new_result(command_line);
    result["seed"] = o.seed;
    result["repro_decode"] = decode_section(r);
    if (const auto parent = std::filesystem::path(*out).parent_path(); !parent.empty())
      std::filesystem::create_directories(parent);
    write_json_file(*out, result);
    std::printf("results: %s\n", out->c_str());
  }
  for (const DecodeRow& row : r.rows)
    if (row.config.variant == Variant::invariant)
      for (const DecodeComparison& c : row.by_precision)
        if (!c.identical) return 1;
  return 0;
}

}  // namespace plumb::harness
