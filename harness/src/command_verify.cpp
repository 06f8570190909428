// plumb verify: runs the suites against every kernel built for this machine,
// prints the verdict table and counterexamples, writes JSON / JUnit, and exits
// non-zero on any failure (a planted bug that is NOT caught is a failure).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "cli_args.hpp"
#include "commands.hpp"
#include "error_curves.hpp"
#include "gpu_sweep_suite.hpp"
#include "junit.hpp"
#include "peers.hpp"
#include "plugin_verify.hpp"
#include "plumb/checks/block_suite.hpp"
#include "plumb/checks/gemm_suite.hpp"
#include "plumb/checks/lmul_suite.hpp"
#include "plumb/checks/property_checks.hpp"
#include "plumb/checks/run_suite.hpp"
#include "plumb/checks/softmax_suite.hpp"
#include "plumb/formats/format_names.hpp"
#include "result_file.hpp"
#include "verify_table.hpp"

namespace plumb::harness {

namespace {

const char* kUsage =
    "usage: plumb verify [--suite NAME]... [--device cpu|cuda|all] [--kernel NAME]...\n"
    "                    [--json FILE] [--junit FILE] [--seed S] [--level 1|2] [--threads N]\n"
    "                    [--no-oracle-agreement] [--verbose] [--list]\n"
    "Runs the suites (all by default) on every kernel built for this machine and compares\n"
    "every result with the MPFR oracle; the Boost oracle is checked against MPFR on every\n"
    "case too. Exit status: 0 all passed (the planted bug caught), 1 a failure, 2 bad usage.\n";

const std::vector<std::pair<std::string, std::string>>& extra_suites() {
  static const std::vector<std::pair<std::string, std::string>> list = {
      {"round_trip", "every code of every format up to 16 bits through fp64 and back"},
      {"stochastic_statistics", "SR mean error within 5 standard errors of its exact expectation"},
      {"ml_dtypes", "peer cross-check: ml_dtypes' astype against the MPFR oracle (needs the venv)"},
      {"cuda_headers", "peer cross-check: the CUDA headers' conversion intrinsics (host paths) against the MPFR oracle"},
      {"torch", "peer cross-check: torch's .to(dtype) on the CPU and the GPU against the MPFR oracle (needs torch)"},
      {kExhaustiveFp32Suite, "GPU only: all 2^32 fp32 codes into every format of <= 8 bits, every mode, on the GPU "
                             "against the table oracle (cuda_plumb, and cuda_nv_intrinsics where NVIDIA offers "
                             "the conversion)"},
      {checks::kBlockSuite, checks::kBlockSuiteDescription},
      {checks::kSoftmaxSuite, checks::kSoftmaxSuiteDescription},
      {checks::kLmulSuite, checks::kLmulSuiteDescription},
      {checks::kGemmSuite, checks::kGemmSuiteDescription},
  };
  return list;
}

void print_list() {
  std::printf("suites:\n");
  for (const auto& s : checks::conversion_suites()) std::printf("  %-22s %s\n", s.name, s.description);
  for (const auto& [n, d] : extra_suites()) std::printf("  %-22s %s\n", n.c_str(), d.c_str());
  std::printf("kernels:\n");
  for (const auto& k : kernels::convert_kernels())
    std::printf("  %-22s %-5s %s\n", k.name, kernels::device_name(k.device), k.description);
  for (const auto& k : checks::oracle_kernels()) std::printf("  %-22s %-5s %s\n", k.name, "cpu", k.description);
  std::printf("block kernels (suite %s):\n", checks::kBlockSuite);
  for (const auto& k : kernels::block_kernels())
    std::printf("  %-22s %-5s %s\n", k.name, kernels::device_name(k.device), k.description);
  std::printf("softmax kernels (suite %s):\n", checks::kSoftmaxSuite);
  for (const auto& k : kernels::softmax_kernels())
    std::printf("  %-32s %-5s %s\n", k.name, kernels::device_name(k.device), k.description);
  std::printf("L-Mul kernels (suite %s):\n", checks::kLmulSuite);
  for (const auto& k : kernels::lmul_kernels())
    std::printf("  %-22s %-5s %s\n", k.name, kernels::device_name(k.device), k.description);
  std::printf("GEMM kernels (suite %s):\n", checks::kGemmSuite);
  for (const auto& k : kernels::gemm_kernels())
    std::printf("  %-22s %-5s %s\n", k.name, kernels::device_name(k.device), k.description);
  if (!kernels::cuda_built()) std::printf("(CUDA kernels were not built: no nvcc at build time)\n");
}

class Progress {
 public:
  explicit Progress(std::string suite) : suite_(std::move(suite)), tty_(isatty(2)),
                                         start_(std::chrono::steady_clock::now()) {}
  void update(size_t cells, size_t cases, bool force = false) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(tty_ ? 200 : 10000)) return;
    last_ = now;
    const double s = std::chrono::duration<double>(now - start_).count();
    std::fprintf(stderr, "%s[%s] %zu cells, %zu cases, %.1f s%s", tty_ ? "\r" : "", suite_.c_str(), cells, cases, s,
                 tty_ ? "   " : "\n");
    std::fflush(stderr);
  }
  void done(size_t cells, size_t cases) {
    update(cells, cases, true);
    if (tty_) std::fprintf(stderr, "\n");
  }

 private:
  std::string suite_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_{};
};

}  // namespace

int command_verify(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kUsage << kPluginUsage;
    return 0;
  }
  CliArgs a(args, {"suite", "device", "kernel", "json", "junit", "seed", "level", "threads", "plugin", "plugin-timeout"},
            {"no-oracle-agreement", "verbose", "list", "only-plugins", "plugin-in-process"});
  const PluginVerifyOptions plugin_options = plugin_verify_options(a);
  const PluginRegistry& plugins = load_verify_plugins(plugin_options);
  if (a.has("list")) {
    print_list();
    print_plugin_kernels(plugins);
    return 0;
  }
  std::vector<std::string> suites = a.values("suite");
  if (suites.empty()) suites = plugin_suites(plugins);  // --plugin: the suites of its ops
  if (suites.empty()) {
    for (const auto& s : checks::conversion_suites()) suites.push_back(s.name);
    for (const auto& [n, d] : extra_suites()) suites.push_back(n);
  }
  for (const auto& s : suites) {
    bool known = checks::is_conversion_suite(s);
    for (const auto& [n, d] : extra_suites()) known |= n == s;
    if (!known) throw std::runtime_error("--suite: unknown suite '" + s + "'; see plumb verify --list");
  }
  const std::string device = a.value("device").value_or("all");
  if (device != "cpu" && device != "cuda" && device != "all")
    throw std::runtime_error("--device must be cpu, cuda or all");
  if (device == "cuda" && !kernels::cuda_built())
    std::fprintf(stderr, "plumb verify: CUDA kernels were not built (no nvcc at build time): nothing to run on cuda\n");

  checks::RunOptions o;
  o.plan.seed = o.settings.seed = a.value("seed") ? parse_u64(*a.value("seed"), "--seed") : 1;
  o.plan.level = static_cast<int>(parse_u64(a.value("level").value_or("1"), "--level"));
  if (o.plan.level < 1 || o.plan.level > 2) throw std::runtime_error("--level must be 1 or 2");
  o.settings.threads = static_cast<unsigned>(parse_u64(a.value("threads").value_or("0"), "--threads"));
  o.oracle_agreement = !a.has("no-oracle-agreement");
  std::vector<const kernels::BlockKernel*> block_kernels;  // for the block_formats suite
  std::vector<const kernels::SoftmaxKernel*> softmax_kernels;  // for the softmax suite
  std::vector<const kernels::LmulKernel*> lmul_kernels;  // for the lmul suite
  std::vector<const kernels::GemmKernel*> gemm_kernels;  // for the gemm suite
  for (const auto& name : a.values("kernel")) {
    if (const auto* gk = kernels::find_gemm_kernel(name)) {
      gemm_kernels.push_back(gk);
      continue;
    }
    if (const auto* lk = kernels::find_lmul_kernel(name)) {
      lmul_kernels.push_back(lk);
      continue;
    }
    if (const auto* sk = kernels::find_softmax_kernel(name)) {
      softmax_kernels.push_back(sk);
      continue;
    }
    if (const auto* b = kernels::find_block_kernel(name)) {
      block_kernels.push_back(b);
      continue;
    }
    const auto* k = checks::find_kernel(name);
    if (!k) throw std::runtime_error("--kernel: unknown kernel '" + name + "'; see plumb verify --list");
    o.kernels.push_back(k);
  }
  if (o.kernels.empty() && block_kernels.empty() && softmax_kernels.empty() && lmul_kernels.empty() &&
      gemm_kernels.empty())
    o.kernels = checks::registry_kernels(device);
  if (!a.has("kernel")) block_kernels = checks::registry_block_kernels(device);
  if (!a.has("kernel")) softmax_kernels = checks::registry_softmax_kernels(device);
  if (!a.has("kernel")) lmul_kernels = checks::registry_lmul_kernels(device);
  if (!a.has("kernel")) gemm_kernels = checks::registry_gemm_kernels(device);
  if (plugin_options.only_plugins) {  // plugin kernels only: no built-ins, no oracle agreement
    o.kernels.clear(), block_kernels.clear(), softmax_kernels.clear(), lmul_kernels.clear(), gemm_kernels.clear();
    o.oracle_agreement = false;
  }
  append_plugin_kernels(plugins.convert, o.kernels, device);
  append_plugin_kernels(plugins.block, block_kernels, device);
  append_plugin_kernels(plugins.softmax, softmax_kernels, device);
  append_plugin_kernels(plugins.lmul, lmul_kernels, device);
  append_plugin_kernels(plugins.gemm, gemm_kernels, device);

  std::string command_line = "plumb verify";
  for (const auto& s : args) command_line += " " + s;
  nlohmann::json result = new_result(command_line);
  result["seed"] = o.plan.seed;
  std::vector<checks::Verdict> verdicts;
  // A kernel named with --kernel is judged as a kernel under test, even a
  // planted one: its mismatches are failures (the worked example in README).
  const bool explicit_kernels = a.has("kernel");
  o.on_verdict = [&](const checks::Verdict& v) {
    verdicts.push_back(v);
    if (explicit_kernels) verdicts.back().expected_failure = false;
    point_repro_at_plugin(verdicts.back(), o.plan.seed);
  };
  std::fprintf(stderr, "plumb verify: seed %llu, %zu kernels, suites:", static_cast<unsigned long long>(o.plan.seed),
               o.kernels.size());
  for (const auto& s : suites) std::fprintf(stderr, " %s", s.c_str());
  std::fprintf(stderr, "\n");
  if (!kernels::cuda_built()) std::fprintf(stderr, "plumb verify: CUDA kernels were not built on this machine\n");
  else if (kernels::cuda_device_count() == 0)
    std::fprintf(stderr, "plumb verify: no GPU here: CUDA kernels are reported as skipped\n");

  for (const auto& suite : suites) {
    Progress progress(suite);
    if (checks::is_conversion_suite(suite)) {
      size_t cells = 0, cases = 0;
      o.on_progress = [&](size_t c, size_t n) { cells = c, cases = n, progress.update(c, n); };
      checks::run_conversion_suite(suite, o);
      progress.done(cells, cases);
    } else if (suite == "round_trip") {
      for (const auto* k : o.kernels)
        for (const auto& f : checks::all_named_formats())
          if (f.bits() <= 16 && (!k->planted_bug || explicit_kernels)) o.on_verdict(checks::check_round_trip(*k, f));
      progress.done(verdicts.size(), 0);
    } else if (suite == "stochastic_statistics") {
      for (const auto* k : o.kernels)
        if (!k->planted_bug || explicit_kernels)
          for (const auto& f : {formats::e4m3fn, formats::e5m2, formats::e2m1fn, formats::bf16, formats::int8})
            for (int bits : {1, 3, 8, 16})
              o.on_verdict(checks::check_stochastic_statistics(*k, f, bits, 20000, o.plan.seed));
      progress.done(verdicts.size(), 0);
    } else if (suite == checks::kBlockSuite) {
      checks::BlockSuiteOptions bo;
      bo.seed = o.plan.seed;
      bo.threads = o.settings.threads;
      bo.kernels = block_kernels;
      bo.require_planted_caught = !explicit_kernels;
      bo.on_verdict = o.on_verdict;
      size_t cells = 0, cases = 0;
      bo.on_progress = [&](size_t c, size_t n) { cells = c, cases = n, progress.update(c, n); };
      checks::run_block_suite(bo);
      progress.done(cells, cases);
    } else if (suite == checks::kSoftmaxSuite) {
      checks::SoftmaxSuiteOptions so;
      so.seed = o.plan.seed;
      so.kernels = softmax_kernels;
      so.require_planted_caught = !explicit_kernels;
      so.on_verdict = o.on_verdict;
      size_t cells = 0, cases = 0;
      so.on_progress = [&](size_t c, size_t n) { cells = c, cases = n, progress.update(c, n); };
      checks::run_softmax_suite(so);
      progress.done(cells, cases);
    } else if (suite == checks::kLmulSuite) {
      checks::LmulSuiteOptions lo;
      lo.seed = o.plan.seed;
      lo.kernels = lmul_kernels;
      lo.require_planted_caught = !explicit_kernels;
      lo.on_verdict = o.on_verdict;
      const size_t cells = checks::run_lmul_suite(lo);
      progress.done(cells * lmul_kernels.size(), 0);
    } else if (suite == checks::kGemmSuite) {
      checks::GemmSuiteOptions go;
      go.seed = o.plan.seed;
      go.kernels = gemm_kernels;
      go.require_planted_caught = !explicit_kernels;
      go.on_verdict = o.on_verdict;
      const size_t cells = checks::run_gemm_suite(go);
      progress.done(cells * gemm_kernels.size(), 0);
    } else if (suite == "ml_dtypes") {
      run_ml_dtypes_peer(result, verdicts);
    } else if (suite == "torch") {
      run_torch_peer(result, verdicts, device);
      progress.done(verdicts.size(), 0);
    } else if (suite == "cuda_headers") {
      run_cuda_headers_peer(result, verdicts);
      progress.done(verdicts.size(), 0);
    } else if (suite == kExhaustiveFp32Suite) {
      // cuda_plumb and cuda_nv_intrinsics; the planted sweeps unless --kernel narrowed the run.
      bool named_cuda_plumb = false, named_nv = false;
      for (const auto* k : o.kernels) {
        named_cuda_plumb |= std::string(k->name) == "cuda_plumb";
        named_nv |= std::string(k->name) == "cuda_nv_intrinsics";
      }
      if (device == "cpu") {
        verdicts.push_back(exhaustive_fp32_skipped("GPU-only suite; --device cpu"));
      } else if (explicit_kernels && !named_cuda_plumb && !named_nv) {
        verdicts.push_back(
            exhaustive_fp32_skipped("it sweeps cuda_plumb and cuda_nv_intrinsics, which --kernel left out"));
      } else {
        size_t sweeps = 0;
        uint64_t cases = 0;
        SweepSuiteOptions so;
        so.seed = o.plan.seed;
        so.with_planted = !explicit_kernels;
        so.plumb = named_cuda_plumb;
        so.nv_intrinsics = named_nv;
        so.on_progress = [&](size_t s, uint64_t n) { sweeps = s, cases = n, progress.update(s, n); };
        run_exhaustive_fp32_suite(so, verdicts);
        progress.done(sweeps, cases);
      }
    }
  }
  // Error curves for the report, when conversions were verified.
  bool any_conversion_suite = false;
  for (const auto& s : suites) any_conversion_suite |= checks::is_conversion_suite(s);
  for (const auto& n : named_formats())
    if (any_conversion_suite && n.desc.bits() <= 16)
      for (auto& c : error_curves(n.desc, 1200, o.plan.seed)) result["error_curves"].push_back(c);

  const size_t bad = print_verify_table(verdicts, a.has("verbose"));
  // Each planted kernel must have been caught at least once by the suites
  // that can catch it (conversion suites with ties; not decode).
  size_t planted_missed = 0;
  for (const auto* k : o.kernels) {
    if (!k->planted_bug || explicit_kernels) continue;
    bool ran = false, caught = false;
    for (const auto& v : verdicts)
      if (v.kernel == k->name && v.cases > 0 && checks::is_conversion_suite(v.suite) && v.suite != "decode")
        ran = true, caught |= v.acceptable();
    if (ran && !caught) {
      ++planted_missed;
      std::printf("\nFAILURE: the planted bug %s was NOT caught by any suite\n", k->name);
    }
  }
  for (const auto& v : verdicts) result["verdicts"].push_back(verdict_json(v));
  if (auto path = a.value("json")) write_json_file(*path, result);
  if (auto path = a.value("junit")) write_junit(*path, verdicts);
  size_t total = 0, passed = 0, skipped = 0;
  for (const auto& v : verdicts) {
    ++total;
    passed += v.disposition == checks::Disposition::passed;
    skipped += v.disposition == checks::Disposition::skipped || v.disposition == checks::Disposition::not_supported;
  }
  std::printf("\n%zu cells: %zu passed, %zu skipped or not supported, %zu failed%s\n", total, passed, skipped,
              bad + planted_missed, planted_missed ? " (planted bug not caught)" : "");
  if (auto path = a.value("json")) std::printf("results: %s\n", path->c_str());
  return bad + planted_missed ? 1 : 0;
}

}  // namespace plumb::harness
