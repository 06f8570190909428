// plumb lmul-claims: the L-Mul paper's accuracy claims measured from the exact
// reference (lmul_claims.hpp); tables on stdout and the "lmul_claims" section
// of a result file (docs/RESULT_SCHEMA.md) for `plumb report`.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "cli_args.hpp"
#include "commands.hpp"
#include "lmul_claims.hpp"
#include "result_file.hpp"

namespace plumb::harness {
namespace {

const char* kUsage =
    "usage: plumb lmul-claims [--out FILE.json] [--seed S] [--samples N] [--gemm-size N] [--kernel NAME]\n"
    "Measures the relative error of L-Mul (docs/LMUL_SEMANTICS.md, exact reference; both carry variants)\n"
    "with m = 2..7 mantissa bits (operands rounded to e8mM) and of e4m3fn / e5m2 multiplication (operands\n"
    "and product rounded, nearest-even) against the exact product of the same fp32 operands: N pairs\n"
    "(default 100000) uniform over the fp32 bit patterns in [2^-3, 2^4) and N pairs of N(0,1), plus the\n"
    "expectation over every pair of mantissas. Decides the paper's two claims from the data. Then the\n"
    "relative Frobenius error of fp32, bf16, e4m3fn and L-Mul (bf16 / e4m3fn operands, kernel NAME,\n"
    "default cpu_lmul) GEMMs of N(0,1) matrices (default 256 x 256). Writes FILE.json (default\n"
    "out/lmul_claims.json). The same seed gives the same numbers on any machine.\n"
    "Exit status: 0 measured (whatever the claims say), 1 a kernel failed, 2 bad usage.\n";

nlohmann::json stats_json(const ErrorStats& s) {
  return {{"count", s.count},          {"mean", s.mean},
          {"max", s.max},              {"in_range_count", s.in_range_count},
          {"in_range_mean", s.in_range_mean}, {"in_range_max", s.in_range_max},
          {"histogram", s.histogram},  {"exact", s.exact}};
}

}  // namespace

int command_lmul_claims(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  CliArgs a(args, {"out", "seed", "samples", "gemm-size", "kernel"}, {});
  if (!a.positional().empty()) throw std::runtime_error("unexpected argument '" + a.positional()[0] + "'");
  const uint64_t seed = a.value("seed") ? parse_u64(*a.value("seed"), "--seed") : 1;
  const size_t samples = parse_size(a, "samples", 100000, size_t{1} << 24);
  const size_t n = parse_size(a, "gemm-size", 256, 2048);
  const std::string kernel = a.value("kernel").value_or("cpu_lmul");
  const std::string out = a.value("out").value_or("out/lmul_claims.json");
  std::printf("plumb lmul-claims: seed %llu, %zu operand pairs per source, GEMM %zu^3, kernel %s\n",
              static_cast<unsigned long long>(seed), samples, n, kernel.c_str());
  std::fflush(stdout);

  const auto start = std::chrono::steady_clock::now();
  const auto mul = measure_mul_errors(seed, samples);
  const auto claims = check_claims(mul);
  const auto gemm = measure_gemm_errors(seed, n, kernel);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::printf("\nrelative error vs the exact product (in range: |xy| in [2^-6, 448])\n");
  std::printf("%-18s | %10s %10s | %10s %10s %10s | %10s\n", "method", "uni mean", "uni max", "gau mean",
              "gau max", "gau in-rng", "expect");
  for (const auto& r : mul)
    std::printf("%-18s | %10.3e %10.3e | %10.3e %10.3e %10.3e | %10.3e\n", r.method.name.c_str(),
                r.uniform_bits.mean, r.uniform_bits.max, r.gaussian.mean, r.gaussian.max,
                r.gaussian.in_range_mean, r.expectation);
  std::printf("\nclaims (gaussian: in-range samples)\n");
  for (const auto& c : claims)
    std::printf("  %-17s %-8s %-13s %s: L-Mul %.4e vs fp8 %.4e\n", c.id.c_str(), c.carry.c_str(),
                c.source.c_str(), c.holds ? "HOLDS " : "FAILS ", c.lmul, c.fp8);
  std::printf("\nGEMM relative Frobenius error vs the exact product, N(0,1) %zu x %zu matrices\n", n, n);
  bool all_ok = true;
  for (const auto& g : gemm) {
    all_ok &= g.ok;
    if (g.ok) std::printf("  %-18s %-7s %-10s %.4e\n", g.method.c_str(), g.operands.c_str(), g.kernel.c_str(),
                          g.rel_frobenius);
    else std::printf("  %-18s %-7s %-10s ERROR %s\n", g.method.c_str(), g.operands.c_str(), g.kernel.c_str(),
                     g.message.c_str());
  }

  std::string command_line = "plumb lmul-claims";
  for (const auto& s : args) command_line += " " + s;
  nlohmann::json result = new_result(command_line);
  result["seed"] = seed;
  nlohmann::json section = {{"seed", seed}, {"samples", samples}, {"seconds", seconds},
                            {"semantics", "docs/LMUL_SEMANTICS.md"},
                            {"in_range", {std::ldexp(1.0, -6), 448.0}},
                            {"histogram_log10", {{"low", kHistLow}, {"step", kHistStep}, {"bins", kHistBins}}}};
  for (const auto& r : mul)
    section["methods"].push_back({{"name", r.method.name},
                                  {"kind", r.method.kind},
                                  {"mantissa_bits", r.method.mantissa_bits},
                                  {"carry", r.method.carry},
                                  {"uniform_bits", stats_json(r.uniform_bits)},
                                  {"gaussian", stats_json(r.gaussian)},
                                  {"expectation", r.expectation}});
  for (const auto& c : claims)
    section["claims"].push_back({{"id", c.id}, {"claim", c.claim}, {"rule", c.rule}, {"source", c.source},
                                 {"carry", c.carry}, {"lmul", c.lmul}, {"fp8", c.fp8}, {"holds", c.holds}});
  section["gemm"] = {{"size", n}, {"distribution", "gaussian"}, {"results", nlohmann::json::array()}};
  for (const auto& g : gemm)
    section["gemm"]["results"].push_back({{"method", g.method}, {"operands", g.operands}, {"kernel", g.kernel},
                                          {"status", g.ok ? "ok" : "error"}, {"message", g.message},
                                          {"rel_frobenius", g.ok ? nlohmann::json(g.rel_frobenius) : nlohmann::json()}});
  result["lmul_claims"] = section;
  if (const auto parent = std::filesystem::path(out).parent_path(); !parent.empty())
    std::filesystem::create_directories(parent);
  write_json_file(out, result);
  std::printf("\n%.1f s\nresults: %s\n", seconds, out.c_str());
  return all_ok ? 0 : 1;
}

}  // namespace plumb::harness
