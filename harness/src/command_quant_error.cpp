// plumb quant-error: the quantisation error of every block format (MSE, NMSE,
// max relative error, bits per element) on seeded Gaussian, Laplace and
// Student-t tensors, with and without the Hadamard transform; the published
// findings checked against it; a compact table on stdout and the result file.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "cli_args.hpp"
#include "commands.hpp"
#include "quant_error.hpp"
#include "quant_error_json.hpp"
#include "quant_findings.hpp"
#include "result_file.hpp"

namespace plumb::harness {

namespace {

const char* kUsage =
    "usage: plumb quant-error [--out FILE.json] [--seed S] [--rows R] [--cols C]\n"
    "                         [--format NAME]... [--distribution NAME]... [--kernel NAME] [--threads N]\n"
    "Quantises and dequantises seeded Gaussian N(0,1), Laplace(0,1) and Student-t (3 degrees of\n"
    "freedom) tensors of R x C fp32 values (default 1024 x 1024; C a multiple of 16) with every block\n"
    "format (mxfp8_e4m3 mxfp8_e5m2 mxfp6_e3m2 mxfp6_e2m3 mxfp4 mxint8 nvfp4 nvint4), each under its\n"
    "own scale rule and the alternative (MX: rceil, NV: nv_exact), with and without the 16x16\n"
    "random Hadamard transform, nearest-even, 1D blocks along rows, with the block kernel (default\n"
    "cpu_block). Prints MSE / NMSE / max relative error per format and the published findings\n"
    "(BACKGROUND.md) checked against the data; writes them to FILE.json (default\n"
    "out/quant_error.json) for `plumb report`. The same seed gives the same numbers on any machine.\n"
    "Exit status: 0 measured (whatever the findings say), 1 a kernel failed, 2 bad usage.\n";

std::string sci(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3e", x);
  return buf;
}

const QuantMeasurement* lookup(const std::vector<QuantMeasurement>& ms, const QuantVariant& v, InputDistribution d,
                               bool h) {
  for (const auto& m : ms)
    if (m.variant.format == v.format && m.variant.desc.rule == v.desc.rule && m.distribution == d && m.hadamard == h)
      return &m;
  return nullptr;
}

// One row per (format, rule, hadamard); per distribution: NMSE, SQNR, max rel.
void print_table(const std::vector<QuantMeasurement>& ms, const std::vector<InputDistribution>& dists) {
  std::printf("%-11s %-8s %5s %-3s", "format", "rule", "bits", "had");
  for (auto d : dists) std::printf(" | %-10s %9s %6s %9s", distribution_name(d), "nmse", "sqnr", "max_rel");
  std::printf("\n");
  std::vector<const QuantVariant*> variants;
  for (const auto& m : ms) {
    bool seen = false;
    for (const auto* v : variants) seen |= v->format == m.variant.format && v->desc.rule == m.variant.desc.rule;
    if (!seen) variants.push_back(&m.variant);
  }
  for (const auto* v : variants)
    for (bool h : {false, true}) {
      std::printf("%-11s %-8s %5.2f %-3s", v->format.c_str(), scale_rule_name(v->desc.rule),
                  bits_per_element(v->desc), h ? "yes" : "no");
      for (auto d : dists) {
        const auto* m = lookup(ms, *v, d, h);
        if (!m || !m->ok) {
          std::printf(" | %-10s %9s %6s %9s", "", "error", "", "");
          continue;
        }
        std::printf(" | %-10s %9s %6.2f %9s", "", sci(m->nmse).c_str(),
                    m->nmse > 0 ? -10.0 * std::log10(m->nmse) : INFINITY, sci(m->max_rel_error).c_str());
      }
      std::printf("\n");
    }
  for (const auto& m : ms)
    if (!m.ok)
      std::printf("ERROR %s (%s) %s%s: %s\n", m.variant.format.c_str(), scale_rule_name(m.variant.desc.rule),
                  distribution_name(m.distribution), m.hadamard ? " hadamard" : "", m.message.c_str());
}

void print_findings(const std::vector<QuantFinding>& findings) {
  std::printf("\npublished findings against these measurements (NMSE, each format under its own rule):\n");
  for (const auto& f : findings) {
    if (!f.evaluated) {
      std::printf("  %-26s not evaluated: %s or %s was not measured\n", f.id.c_str(), f.lower.c_str(),
                  f.higher.c_str());
      continue;
    }
    std::printf("  %-26s %s (%s < %s%s, %s):", f.id.c_str(), f.agrees ? "AGREES   " : "DISAGREES", f.lower.c_str(),
                f.higher.c_str(), f.hadamard ? " with Hadamard" : "", f.holds_when.c_str());
    for (const auto& d : f.distributions)
      std::printf(" %s %s %s %s;", d.c_str(), sci(f.lower_values.at(d)).c_str(),
                  f.agrees_by_distribution.at(d) ? "<" : ">=", sci(f.higher_values.at(d)).c_str());
    std::printf("\n");
  }
}

}  // namespace

int command_quant_error(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  CliArgs a(args, {"out", "seed", "rows", "cols", "format", "distribution", "kernel", "threads"}, {});
  if (!a.positional().empty()) throw std::runtime_error("unexpected argument '" + a.positional()[0] + "'");
  QuantErrorOptions o;
  o.seed = a.value("seed") ? parse_u64(*a.value("seed"), "--seed") : 1;
  o.rows = parse_size(a, "rows", o.rows, 1u << 16);
  o.cols = parse_size(a, "cols", o.cols, 1u << 16);
  if (o.rows * o.cols > (size_t{1} << 26)) throw std::runtime_error("--rows x --cols must be at most 2^26 elements");
  o.formats = a.values("format");
  for (const auto& d : a.values("distribution")) o.distributions.push_back(parse_distribution(d));
  o.kernel = a.value("kernel").value_or("cpu_block");
  o.threads = static_cast<unsigned>(parse_size(a, "threads", 0, 256));
  quant_variants(o.formats);  // names checked before any work
  const std::string out = a.value("out").value_or("out/quant_error.json");

  std::vector<InputDistribution> dists = o.distributions;
  if (dists.empty())
    for (int d = 0; d < kInputDistributionCount; ++d) dists.push_back(static_cast<InputDistribution>(d));
  std::printf("plumb quant-error: seed %llu, %zu x %zu fp32 per distribution, kernel %s, nearest_even, "
              "blocks along rows; max_rel_error over |x| >= %g x rms\n",
              static_cast<unsigned long long>(o.seed), o.rows, o.cols, o.kernel.c_str(), kRelErrorFloor);
  std::fflush(stdout);
  const bool tty = isatty(2);
  const auto start = std::chrono::steady_clock::now();
  auto last = start;
  o.on_progress = [&](size_t done, size_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (done != total && now - last < std::chrono::milliseconds(tty ? 200 : 5000)) return;
    last = now;
    std::fprintf(stderr, "%s[quant-error] %zu/%zu measurements, %.1f s%s", tty ? "\r" : "", done, total,
                 std::chrono::duration<double>(now - start).count(), tty && done != total ? "   " : "\n");
  };
  const auto ms = measure_quant_error(o);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto findings = quant_findings(ms);
  print_table(ms, dists);
  print_findings(findings);

  std::string command_line = "plumb quant-error";
  for (const auto& s : args) command_line += " " + s;
  nlohmann::json result = new_result(command_line);
  result["seed"] = o.seed;
  result["quant_error"] = quant_error_section(o, ms, findings, seconds);
  if (const auto parent = std::filesystem::path(out).parent_path(); !parent.empty())
    std::filesystem::create_directories(parent);
  write_json_file(out, result);
  std::printf("%zu measurements in %.1f s\nresults: %s\n", ms.size(), seconds, out.c_str());
  for (const auto& m : ms)
    if (!m.ok) return 1;
  return 0;
}

}  // namespace plumb::harness
