// plumb fp8-accum: the fp8 accumulation study (fp8_accum.hpp): the error of
// Hopper's fp8 GEMM with fast accumulation against K, with promotion to fp32
// every N products, and the accumulator model that explains it; a table on
// stdout, progress on stderr, and the "fp8_accumulation" section of a result
// file (docs/RESULT_SCHEMA.md) for `plumb report`.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "cli_args.hpp"
#include "commands.hpp"
#include "fp8_accum.hpp"
#include "fp8_accum_json.hpp"
#include "result_file.hpp"

namespace plumb::harness {
namespace {

const char* kUsage =
    "usage: plumb fp8-accum [--json FILE] [--seed S] [--m M] [--n N] [--k K1,K2,...] [--promote-every N]\n"
    "                       [--precisions LO-HI] [--groups G1,G2,...] [--compared-outputs C] [--model-outputs S]\n"
    "                       [--threads T] [--no-gpu] [--all-models]\n"
    "The fp8 accumulation study (docs/GEMM_SEMANTICS.md, \"fp8 accumulation\"): seeded e4m3fn operands\n"
    "(all-positive U(0,1) and N(0,1)), M x N outputs (default 64 x 64) for each K (default 256, 512, ...,\n"
    "65536), through cublaslt_fp8_fast_accum, cublaslt_fp8, and fast accumulation over K-chunks of N\n"
    "(default 128) summed in fp32 on the host; and through CPU accumulator models (p significant bits,\n"
    "LO-HI default 10-24, nearest-even, truncation of the sum or aligned truncation of each term, with and without promotion every N). C outputs\n"
    "(default 4096, spread over M x N) are compared with the exact reference, S of them (default 256) go\n"
    "through the models; --groups: products summed exactly per rounded addition (default 1; e.g. 1,4,16,32\n"
    "models a fused multi-term adder). Errors against the exact reference, as a fraction of sum|ab| and of gamma_K\n"
    "(fp32). Fits the model precision and rounding to each measured series. Without a GPU or the cuBLASLt\n"
    "kernels the GPU rows are skipped with the reason and the model rows still run.\n"
    "Exit status: 0 measured (skipped GPU rows included), 1 a GPU kernel failed, 2 bad usage.\n";

std::vector<size_t> parse_list(const std::string& text, const char* option) {
  std::vector<size_t> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(static_cast<size_t>(parse_u64(item, option)));
  return out;
}

std::vector<int> parse_precisions(const std::string& text) {
  const auto dash = text.find('-');
  const int lo = static_cast<int>(parse_u64(text.substr(0, dash), "--precisions"));
  const int hi = dash == std::string::npos ? lo : static_cast<int>(parse_u64(text.substr(dash + 1), "--precisions"));
  if (lo < 2 || hi > 53 || lo > hi) throw std::runtime_error("--precisions must be LO-HI with 2 <= LO <= HI <= 53");
  std::vector<int> out;
  for (int p = lo; p <= hi; ++p) out.push_back(p);
  return out;
}

std::string cell(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%9.2e", x);
  return buf;
}

// Mean |err| / sum|ab| per K, one row per series, for one distribution.
void print_curves(const Fp8AccumResult& r, const std::string& dist, const std::set<std::string>& shown) {
  std::printf("\n%s: mean |got - exact| / sum|ab| (= mean relative error for positive inputs)\n", dist.c_str());
  std::printf("%-34s", "series");
  for (size_t k : r.config.k_values) std::printf(" %9s", ("K=" + std::to_string(k)).c_str());
  std::printf("\n%-34s", "gamma_K (fp32 bound)");
  for (size_t k : r.config.k_values) std::printf(" %s", cell(gamma_fp32(k)).c_str());
  std::printf("\n");
  for (const auto& s : r.series) {
    if (!shown.count(s.name)) continue;
    std::printf("%-34s", s.name.c_str());
    if (s.status != "ok" && s.points.empty()) {
      std::printf(" %s: %s\n", s.status.c_str(), s.message.c_str());
      continue;
    }
    for (const auto& p : s.points)
      if (p.distribution == dist) std::printf(" %s", cell(p.mean_scaled).c_str());
    std::printf(s.status == "ok" ? "\n" : "  (%s)\n", s.status.c_str());
  }
}

void print_detail(const Fp8AccumResult& r, const std::set<std::string>& shown) {
  std::printf("\nper point: relative error |got - exact| / |exact| and fraction of the gamma_K bound\n");
  std::printf("%-34s %-16s %6s %10s %10s %10s %10s\n", "series", "inputs", "K", "mean rel", "max rel", "mean/bnd",
              "max/bnd");
  for (const auto& s : r.series) {
    if (!shown.count(s.name) || s.kind != "gpu") continue;
    for (const auto& p : s.points)
      std::printf("%-34s %-16s %6zu %s %s %s %s\n", s.name.c_str(), p.distribution.c_str(), p.k,
                  cell(p.mean_rel).c_str(), cell(p.max_rel).c_str(), cell(p.mean_bound_fraction).c_str(),
                  cell(p.max_bound_fraction).c_str());
  }
}

}  // namespace

int command_fp8_accum(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  CliArgs a(args, {"json", "seed", "m", "n", "k", "promote-every", "precisions", "groups", "compared-outputs",
                   "model-outputs", "threads"},
            {"no-gpu", "all-models"});
  if (!a.positional().empty()) throw std::runtime_error("unexpected argument '" + a.positional()[0] + "'");
  Fp8AccumConfig cfg;
  cfg.seed = a.value("seed") ? parse_u64(*a.value("seed"), "--seed") : 1;
  cfg.m = parse_size(a, "m", 64, 4096);
  cfg.n = parse_size(a, "n", 64, 4096);
  cfg.k_values = a.value("k") ? parse_list(*a.value("k"), "--k") : default_k_values();
  cfg.promote_every = parse_size(a, "promote-every", 128, size_t{1} << 20);
  cfg.precisions = a.value("precisions") ? parse_precisions(*a.value("precisions")) : default_precisions();
  if (a.value("groups")) cfg.groups = parse_list(*a.value("groups"), "--groups");
  cfg.compared_outputs = parse_size(a, "compared-outputs", 4096, size_t{1} << 24);
  cfg.model_outputs = parse_size(a, "model-outputs", 256, size_t{1} << 24);
  cfg.threads = a.value("threads") ? static_cast<unsigned>(parse_size(a, "threads", 1, 1024)) : 0;  // 0: all cores
  cfg.gpu = !a.has("no-gpu");
  std::printf("plumb fp8-accum: seed %llu, %zu x %zu outputs, %zu K values up to %zu, promote every %zu, %zu models\n",
              static_cast<unsigned long long>(cfg.seed), cfg.m, cfg.n, cfg.k_values.size(),
              cfg.k_values.empty() ? 0 : cfg.k_values.back(), cfg.promote_every, cfg.precisions.size() * cfg.groups.size() * 6);
  std::fflush(stdout);

  Fp8AccumResult r;
  try {
    r = measure_fp8_accum(cfg, [](const std::string& line) { std::fprintf(stderr, "fp8-accum: %s\n", line.c_str()); });
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(e.what());
  }

  std::set<std::string> shown;
  bool gpu_failed = false;
  for (const auto& s : r.series) {
    if (s.kind == "gpu") shown.insert(s.name), gpu_failed |= s.status == "error";
    const bool reference_model = s.kind == "model" && s.model.precision_bits == 24 && s.model.group == 1 &&
                                 !s.model.promote_every && s.model.rounding == AccumRounding::nearest_even;
    if (a.has("all-models") || reference_model) shown.insert(s.name);
  }
  bool any_fit = false;
  for (const auto& f : r.fits)
    for (size_t i = 0; i < f.ranking.size() && i < 2; ++i) shown.insert(f.ranking[i].model), any_fit = true;
  if (!any_fit)  // no measurement to fit: show the claim's neighbourhood
    for (const auto& s : r.series)
      if (s.kind == "model" && s.model.group == 1 && (s.model.precision_bits == 13 || s.model.precision_bits == 14))
        shown.insert(s.name);
  for (const auto& d : r.distributions) print_curves(r, d, shown);
  print_detail(r, shown);

  std::printf("\nfit (%s)\n", kFp8FitMetric);
  for (const auto& f : r.fits) {
    if (!f.evaluated) {
      std::printf("  %-34s not evaluated: %s\n", f.target.c_str(), f.reason.c_str());
      continue;
    }
    std::printf("  %-34s best: %d bits, %s, group %zu (score %.3f, bitwise agreement %.1f%%)\n", f.target.c_str(),
                f.ranking[0].precision_bits, accum_rounding_name(f.ranking[0].rounding), f.ranking[0].group,
                f.ranking[0].score, 100 * f.ranking[0].agreement);
    for (size_t i = 1; i < f.ranking.size() && i < 4; ++i)
      std::printf("  %-34s   next: %-32s score %.3f, agreement %.1f%%\n", "", f.ranking[i].model.c_str(),
                  f.ranking[i].score, 100 * f.ranking[i].agreement);
    if (r.config.groups.size() > 1)
      for (size_t g : r.config.groups)
        for (const auto& c : f.ranking)
          if (c.group == g) {
            std::printf("  %-34s   best with group %zu: %-32s score %.3f\n", "", g, c.model.c_str(), c.score);
            break;
          }
  }

  if (auto path = a.value("json")) {
    std::string command_line = "plumb fp8-accum";
    for (const auto& s : args) command_line += " " + s;
    nlohmann::json result = new_result(command_line);
    result["seed"] = cfg.seed;
    result["fp8_accumulation"] = fp8_accum_json(r);
    if (const auto parent = std::filesystem::path(*path).parent_path(); !parent.empty())
      std::filesystem::create_directories(parent);
    write_json_file(*path, result);
    std::printf("\nresults: %s\n", path->c_str());
  }
  std::printf("%.1f s\n", r.seconds);
  return gpu_failed ? 1 : 0;
}

}  // namespace plumb::harness
