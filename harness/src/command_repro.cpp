// plumb repro: an op under a matrix of configurations (issue 7,
// docs/REPRO_SEMANTICS.md): per axis, bitwise equality, ULP and relative
// differences between configurations, each side's error against the
// reference, a vacuity verdict, summary metrics and the cost of the
// batch-invariant variant. The fresh-process axis re-runs this executable
// with the hidden option --emit-npy FILE, which writes the baseline outputs
// as a (4, rows x outputs) fp32 .npy: [default user, default witness,
// invariant user, invariant witness].
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "cli_args.hpp"
#include "commands.hpp"
#include "npy_io.hpp"
#include "python_tools.hpp"
#include "repro_cuda.hpp"
#include "repro_plugin.hpp"
#include "repro_print.hpp"
#include "repro_run.hpp"
#include "result_file.hpp"

namespace plumb::harness {

using namespace repro;

namespace {

const char* kUsage =
    "usage: plumb repro --op OP --axis AXIS[,AXIS...] [options]\n"
    "Runs OP's default kernel and its batch-invariant variant under each axis's configurations and\n"
    "reports, per configuration pair, rows bitwise identical, max ULP, max relative difference and each\n"
    "side's error against the correctly rounded reference; whether the axis can change the result at all\n"
    "(vacuity check on a wide-exponent witness input); summary metrics; invariant vs default time.\n"
    "  --op sum|dot|gemm|softmax|rmsnorm|attention (--op decode: the decode experiment, --op decode --help)\n"
    "  --axis batch,split,tile,threads,gpus,repeats,fresh (or all)\n"
    "  --dtype fp32|bf16         input values (fp32 accumulation; bf16 outputs for softmax/rmsnorm/attention)\n"
    "  --rows R --cols C         output rows; reduced length (attention: head dim; default 1024, attention 64)\n"
    "  --n N                     gemm outputs per row (8)        --kv L   attention keys (512)\n"
    "  --input normal|wide       the user input (normal); the witness input is always wide\n"
    "  --seed S (1)  --repeats N (3)  --fresh-processes N (2)  --batches B1,B2,... (1..16, then to 4096)\n"
    "  --gpus simulated|real     gpus axis: simulated TP 1/2/4/8 with NCCL ring/tree orders (default);\n"
    "                            real needs NCCL and several GPUs and is not run by this build\n"
    "  --device cpu|cuda         where the ops run (cpu). cuda: sum, dot, gemm (default: cuBLAS/cuBLASLt,\n"
    "                            invariant: plumb's fixed-order kernel); axes batch, streams, workspace,\n"
    "                            atomics, recipe, repeats, fresh; exit 77 (skipped) without a usable GPU\n"
    "  --no-reference            skip the reference (large shapes)\n"
    "%s"
    "  --json FILE               write a result file with a \"repro\" section\n"
    "Exit status: 0, 1 when the invariant variant changed along an observable axis (--plugin: also when\n"
    "the plugin kernel varied or a call was a kernel_error), 2 on bad usage.\n";

const char* kRealGpus =
    "real multi-GPU runs need NCCL and a machine with several GPUs; this slice does not run them "
    "(nothing is simulated in their place)";

std::vector<size_t> parse_list(const std::string& text, const char* what) {
  std::vector<size_t> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(',', start), text.size());
    const uint64_t v = parse_u64(text.substr(start, end - start), what);
    if (v == 0 || v > 65536) throw std::runtime_error(std::string(what) + " values must be in 1..65536");
    out.push_back(static_cast<size_t>(v));
    start = end + 1;
  }
  return out;
}

ReproOptions parse_options(const CliArgs& a) {
  ReproOptions o;
  if (!a.value("op")) throw std::runtime_error("--op is required (sum, dot, gemm, softmax, rmsnorm, attention)");
  o.op = parse_op(*a.value("op"));
  o.dtype = parse_dtype(a.value("dtype").value_or("fp32"));
  o.input = parse_input_kind(a.value("input").value_or("normal"));
  o.seed = a.value("seed") ? parse_u64(*a.value("seed"), "--seed") : 1;
  o.shape.rows = parse_size(a, "rows", 64, 1u << 16);
  o.shape.cols = parse_size(a, "cols", o.op == Op::attention ? 64 : 1024, 1u << 20);
  o.shape.n = parse_size(a, "n", 8, 4096);
  o.shape.kv = parse_size(a, "kv", 512, 1u << 16);
  if (o.shape.rows * o.shape.cols > (size_t{1} << 24)) throw std::runtime_error("--rows x --cols must be at most 2^24");
  o.axis.repeats = parse_size(a, "repeats", 3, 1000);
  o.axis.fresh_processes = parse_size(a, "fresh-processes", 2, 64);
  if (a.value("batches")) o.axis.batches = parse_list(*a.value("batches"), "--batches");
  o.reference = !a.has("no-reference");
  o.axis.device = parse_device(a.value("device").value_or("cpu"));
  return o;
}

// The baseline runs of a child process, read back from its .npy.
BaselineRuns fresh_process(const std::vector<std::string>& args, const ReproOptions& o, size_t process) {
  char path[] = "/tmp/plumb-repro-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("cannot create a temporary file for the fresh-process axis");
  close(fd);
  std::vector<std::string> argv = {self_executable(), "repro"};
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") { ++i; continue; }  // the child writes no result file
    if (args[i].rfind("--json=", 0) == 0) continue;
    argv.push_back(args[i]);
  }
  argv.push_back("--emit-npy");
  argv.push_back(path);
  std::fprintf(stderr, "repro: fresh process %zu...\n", process);
  const int status = run_process(argv);
  if (status != 0) {
    std::remove(path);
    throw std::runtime_error("fresh process " + std::to_string(process) + " exited with status " + std::to_string(status));
  }
  const NpyArray arr = read_npy(path);
  std::remove(path);
  const std::vector<float> v = npy_floats(arr, "fresh-process outputs");
  const size_t n = o.shape.rows * outputs_per_row(o.op, o.shape);
  if (arr.shape.size() != 2 || arr.shape[0] != 4 || arr.shape[1] != n)
    throw std::runtime_error("fresh process " + std::to_string(process) + " wrote outputs of the wrong shape");
  BaselineRuns b;
  for (int k = 0; k < 4; ++k) b.run[k / 2][k % 2].assign(v.begin() + k * n, v.begin() + (k + 1) * n);
  return b;
}

int emit_npy(const ReproOptions& o, const std::string& path) {
  const BaselineRuns b = baseline_runs(o);
  std::vector<float> all;
  for (int k = 0; k < 4; ++k) all.insert(all.end(), b.run[k / 2][k % 2].begin(), b.run[k / 2][k % 2].end());
  write_npy(path, npy_from_floats(all, {4, all.size() / 4}));
  return 0;
}

}  // namespace

int command_repro(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i)  // the decode experiment has its own options
    if ((args[i] == "--op" && i + 1 < args.size() && args[i + 1] == "decode") || args[i] == "--op=decode")
      return command_repro_decode(args);
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::string usage = kUsage;
    usage.replace(usage.find("%s"), 2, kPluginReproUsage);
    std::cout << usage;
    return 0;
  }
  CliArgs a(args,
            {"op", "axis", "dtype", "rows", "cols", "n", "kv", "input", "seed", "repeats", "fresh-processes",
             "batches", "gpus", "json", "emit-npy", "device", "plugin", "kernel", "plugin-timeout"},
            {"no-reference", "plugin-in-process"});
  if (!a.positional().empty()) throw std::runtime_error("unexpected argument '" + a.positional()[0] + "'");
  ReproOptions o = parse_options(a);
  const PluginReproOptions plugin = plugin_repro_options(a);
  if (!plugin.path.empty()) {
    if (o.axis.device != Device::cpu) throw std::runtime_error("--plugin runs with --device cpu");
    o.default_kernel = use_plugin_kernel(plugin, o.op, o.dtype);
    o.notes.emplace_back(AxisKind::threads, plugin_threads_note(plugin.isolation));
  }
  if (a.value("emit-npy")) return emit_npy(o, *a.value("emit-npy"));
  if (!a.value("axis")) throw std::runtime_error("--axis is required (batch, split, tile, threads, gpus, repeats, fresh, all)");
  o.axes = parse_axes(*a.value("axis"), o.axis.device);
  check_axes(o.axes, o.axis.device);
  if (o.axis.device == Device::cuda) {
    if (!cuda_supports(o.op))
      throw std::runtime_error(std::string("--device cuda runs sum, dot and gemm; ") + op_name(o.op) +
                               " runs on the CPU only in this slice");
    std::string why;
    if (!cuda_available(&why)) {  // never reported as passing: the GPU configurations were not run
      std::printf("repro --device cuda: skipped: %s\n", why.c_str());
      return 77;
    }
  }
  const std::string gpus = a.value("gpus").value_or("simulated");
  if (gpus != "simulated" && gpus != "real") throw std::runtime_error("--gpus must be simulated or real");
  std::string gpus_real;
  if (gpus == "real") {
    gpus_real = kRealGpus;
    std::printf("gpus: %s\n", kRealGpus);
    std::erase(o.axes, AxisKind::gpus);
    if (o.axes.empty()) return 0;
  }
  std::vector<std::pair<std::string, std::string>> not_applicable;  // (axis, why): plugin kernels
  if (!plugin.path.empty()) {
    std::vector<AxisKind> kept;
    for (AxisKind k : o.axes) {
      const std::string why = plugin_axis_not_applicable(k);
      if (why.empty()) kept.push_back(k);
      else not_applicable.emplace_back(make_axis(k, o.axis).name, why);
    }
    o.axes = kept;
  }
  const ReproResult r = run_repro(o, [&](size_t p) { return fresh_process(args, o, p); });
  print_repro(r, stdout);
  const PluginCallLog& log = plugin_call_log();
  if (!plugin.path.empty()) {
    std::printf("\nplugin kernel calls: %zu (isolation: %s), kernel_error: %zu\n", log.calls,
                plugin.isolation.in_process ? "none, in process" : "forked child per call", log.errors.size());
    std::vector<std::pair<std::string, size_t>> distinct;  // identical failures once, with a count
    for (const auto& e : log.errors) {
      auto it = std::find_if(distinct.begin(), distinct.end(), [&](const auto& d) { return d.first == e; });
      if (it == distinct.end()) distinct.emplace_back(e, 1);
      else ++it->second;
    }
    for (size_t i = 0; i < distinct.size() && i < 20; ++i)
      std::printf("  kernel_error: %s (%zu call%s)\n", distinct[i].first.c_str(), distinct[i].second,
                  distinct[i].second == 1 ? "" : "s");
    if (distinct.size() > 20) std::printf("  ... %zu more distinct failures\n", distinct.size() - 20);
    if (log.concurrent_groups)
      std::printf("concurrent calls (threads axis): %zu groups, %zu with outputs not bitwise identical across "
                  "threads\n",
                  log.concurrent_groups, log.disagreeing_groups);
    for (const auto& [name, why] : not_applicable)
      std::printf("axis %s: not applicable to a plugin kernel (%s)\n", name.c_str(), why.c_str());
  }
  if (const auto out = a.value("json")) {
    std::string command_line = "plumb repro";
    for (const auto& s : args) command_line += " " + s;
    nlohmann::json result = new_result(command_line);
    result["seed"] = o.seed;
    result["repro"] = repro_section(r, gpus_real);
    if (!plugin.path.empty()) {
      nlohmann::json na = nlohmann::json::array();
      for (const auto& [name, why] : not_applicable) na.push_back({{"axis", name}, {"why", why}});
      result["repro"]["not_applicable"] = na;
      result["repro"]["plugin_calls"] = log.calls;
      result["repro"]["kernel_errors"] = log.errors;
      result["repro"]["concurrent_groups"] = log.concurrent_groups;
      result["repro"]["concurrent_groups_disagreeing"] = log.disagreeing_groups;
    }
    if (const auto parent = std::filesystem::path(*out).parent_path(); !parent.empty())
      std::filesystem::create_directories(parent);
    write_json_file(*out, result);
    std::printf("results: %s\n", out->c_str());
  }
  for (const AxisResult& ax : r.axes)  // plugin: the plugin kernel (default column) is what is judged
    if (ax.variant[1].verdict == "varies" || (!plugin.path.empty() && ax.variant[0].verdict == "varies")) return 1;
  return !plugin.path.empty() && !log.errors.empty() ? 1 : 0;
}

}  // namespace plumb::harness
