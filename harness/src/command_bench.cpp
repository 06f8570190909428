// plumb bench: times the CPU conversion kernels next to memcpy (the ceiling)
// and the ml_dtypes peer, and in CUDA builds with a GPU the GPU kernels next to
// a device-to-device copy (cuda/copy) and the torch peer
// (kernels/peers/torch_convert_bench.py; with --softmax also torch.softmax,
// kernels/peers/torch_softmax_bench.py); prints one table and writes a result
// file.
//
// The timing is Google Benchmark's: this command runs plumb_bench (next to the
// plumb binary) with --benchmark_out, runs kernels/peers/ml_dtypes_bench.py
// with the project's venv Python, and turns both into BENCH records
// (docs/RESULT_SCHEMA.md). A peer that cannot run is reported as not measured,
// with the reason; no number is ever made up for it.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "commands.hpp"
#include "bench_ops.hpp"
#include "bench_peers.hpp"
#include "python_tools.hpp"
#include "result_file.hpp"

namespace plumb::harness {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* kUsage =
    "usage: plumb bench [--quick] [--softmax] [--lmul] [--gemm] [--json FILE] [--filter REGEX]\n"
    "Times the CPU conversion kernels (fp32 -> every format up to 16 bits and tf32 in\n"
    "nearest_even/saturate; fp32 -> e4m3fn in every rounding mode and policy) with Google\n"
    "Benchmark on one thread, next to memcpy of the same input (the ceiling) and ml_dtypes'\n"
    "astype (the peer), and prints G elements/s, GB/s and the ratios to both. In CUDA builds\n"
    "with a GPU, also the GPU kernels (cuda_fast, cuda_plumb) next to a device-to-device copy\n"
    "(cuda/copy) and torch's x.to(float8) (the GPU peer).\n"
    "  --quick         small sizes (in cache) and one repetition: a smoke test, not a measurement\n"
    "  --softmax       also the softmax kernels (plumb_softmax_bench: CPU in and out of cache next\n"
    "                  to memcpy; CUDA kernels next to cuda/copy); names softmax/<kernel>/...\n"
    "  --lmul          also the L-Mul kernels (plumb_lmul_bench: elementwise and GEMM next to\n"
    "                  memcpy and an fp32 multiply); names lmul/<kernel>/<op>/e8m<m>/<carry>\n"
    "  --gemm          also the GEMM kernels (plumb_gemm_bench: CUDA kernels in every operand\n"
    "                  variant, M=N=K 256..16384 and decode shapes M=1..64 x N=K 4096..16384, next\n"
    "                  to cuBLAS bf16 on the shape; CPU kernels on small shapes); names\n"
    "                  gemm/<kernel>/<variant>/<M>x<N>x<K>; --quick: fewer shapes\n"
    "                  (softmax, L-Mul or GEMM only: add --filter '^softmax/', '^lmul/' or '^gemm/')\n"
    "  --json FILE     write a result file (docs/RESULT_SCHEMA.md)\n"
    "  --filter REGEX  only the benchmarks whose name matches (memcpy always runs); names are\n"
    "                  like convert/cpu_fast/fp32->e4m3fn/nearest_even/saturate (Google Benchmark\n"
    "                  adds /manual_time to the GPU ones: anchor those with (/manual_time)?$)\n";

struct Sizes {
  size_t elements;
  size_t windows;  // 0: plumb_bench's default (256 MiB of input)
  int repetitions;
  double min_time;
  size_t peer_elements;
  int peer_repeat;
  size_t cuda_elements;  // per GPU call, rotating among cuda_buffers inputs
  size_t cuda_buffers;
  int torch_repeat;
};
constexpr Sizes kFull{size_t{16} << 20, 0, 5, 0.2, size_t{16} << 20, 9, size_t{64} << 20, 4, 50};
constexpr Sizes kQuick{size_t{1} << 20, 1, 1, 0.01, size_t{1} << 20, 3, size_t{1} << 20, 2, 5};

// GPU benchmarks: cuda/copy and convert/cuda_*.
bool is_cuda_name(const std::string& name) {
  return name.rfind("cuda/", 0) == 0 || name.rfind("convert/cuda_", 0) == 0;
}
bool is_ceiling_name(const std::string& name) { return name == "memcpy" || name == "cuda/copy"; }
// A GPU benchmark skipped because the machine has no GPU: not an error.
bool no_gpu(const json& n) {
  return n.value("device", "") == "cuda" && n.value("reason", "").rfind("no CUDA device", 0) == 0;
}

double seconds_per_unit(const std::string& unit) {
  if (unit == "ns") return 1e-9;
  if (unit == "us") return 1e-6;
  if (unit == "ms") return 1e-3;
  return 1.0;
}

// Splits a kernel benchmark's name into the record's descriptive fields:
// convert/<kernel>/<from>-><to>/<rounding>[_k<k>]/<overflow>[/flags].
void describe(json& r, const std::string& name) {
  std::vector<std::string> part;
  for (size_t s = 0, e; s <= name.size(); s = e + 1) {
    e = name.find('/', s);
    if (e == std::string::npos) e = name.size();
    part.push_back(name.substr(s, e - s));
  }
  if (part.size() < 5 || part[0] != "convert") return;
  r["op"] = "convert";
  r["kernel"] = part[1];
  if (const size_t arrow = part[2].find("->"); arrow != std::string::npos) {
    r["from"] = part[2].substr(0, arrow);
    r["to"] = part[2].substr(arrow + 2);
  }
  std::string rounding = part[3];
  int sr_bits = 0;
  if (const size_t k = rounding.find("_k"); k != std::string::npos) {
    sr_bits = std::atoi(rounding.c_str() + k + 2);
    rounding = rounding.substr(0, k);
  }
  r["rounding"] = rounding;
  r["sr_bits"] = sr_bits;
  r["overflow"] = part[4];
  r["flags"] = part.size() > 5 && part[5] == "flags";
}

// Google Benchmark's JSON -> BENCH records (medians), plus one note per error.
json bench_records(const json& gb, int repetitions, json& not_run) {
  json out = json::array();
  std::set<std::string> failed;
  for (const auto& b : gb.value("benchmarks", json::array())) {
    std::string name = b.value("run_name", b.value("name", ""));
    // The GPU benchmarks use manual time (CUDA events); Google Benchmark adds a suffix.
    if (const std::string suffix = "/manual_time";
        name.size() > suffix.size() && name.ends_with(suffix))
      name.resize(name.size() - suffix.size());
    if (b.value("error_occurred", false)) {
      if (failed.insert(name).second)
        not_run.push_back({{"name", name},
                           {"kind", is_ceiling_name(name) ? "ceiling" : "kernel"},
                           {"device", is_cuda_name(name) ? "cuda" : "cpu"},
                           {"reason", b.value("error_message", "error")}});
      continue;
    }
    const bool aggregate = b.value("run_type", "") == "aggregate";
    if (repetitions > 1 ? !(aggregate && b.value("aggregate_name", "") == "median") : aggregate)
      continue;
    // The GPU rows' own per-launch median (cuda_convert_bench.cpp) when there is one.
    const double sec = b.contains("seconds_median") && b["seconds_median"].is_number()
                           ? b["seconds_median"].get<double>()
                           : b.value("real_time", 0.0) * seconds_per_unit(b.value("time_unit", "ns"));
    const double elements = b.value("elements", 0.0), bytes = b.value("bytes", 0.0);
    json r = {{"name", name},
              {"kind", is_ceiling_name(name) ? "ceiling" : "kernel"},
              {"device", is_cuda_name(name) ? "cuda" : "cpu"},
              {"elements", static_cast<uint64_t>(elements)},
              {"bytes", static_cast<uint64_t>(bytes)},
              {"seconds_median", sec},
              {"elements_per_second", sec > 0 ? json(elements / sec) : json(nullptr)},
              {"bytes_per_second", sec > 0 ? json(bytes / sec) : json(nullptr)},
              {"threads", b.value("threads", 1)},
              {"repetitions", repetitions}};
    if (name == "memcpy") r["op"] = "memcpy";
    if (name == "cuda/copy") r["op"] = "copy";
    describe(r, name);
    out.push_back(r);
  }
  return out;
}

// Whether plumb_bench has the GPU benchmarks (a CUDA build): it lists cuda/copy.
bool plumb_bench_has_cuda(const fs::path& exe) {
  char tmpl[] = "/tmp/plumb_bench_list_XXXXXX";
  const int fd = mkstemp(tmpl);
  if (fd < 0) return false;
  const int rc = run_process({exe.string(), "--benchmark_list_tests=true",
                              "--benchmark_filter=^cuda/copy"},
                             fd, -1);
  close(fd);
  const bool has = rc == 0 && last_line(tmpl).rfind("cuda/copy", 0) == 0;
  fs::remove(tmpl);
  return has;
}

// The CPU peer (ml_dtypes' astype) and the GPU peer (torch's x.to(float8)).
PeerRun run_peer(const Sizes& sizes, const fs::path& tmp) {
  return run_bench_peer("ml_dtypes_bench.py", "ml_dtypes",
                        {"--n", std::to_string(sizes.peer_elements), "--repeat",
                         std::to_string(sizes.peer_repeat)},
                        tmp);
}
PeerRun run_torch_peer(const Sizes& sizes, const fs::path& tmp) {
  return run_bench_peer("torch_convert_bench.py", "torch",
                        {"--n", std::to_string(sizes.cuda_elements), "--buffers",
                         std::to_string(sizes.cuda_buffers), "--repeat",
                         std::to_string(sizes.torch_repeat)},
                        tmp);
}

double rate(const json& r) {
  const auto& v = r["elements_per_second"];
  return v.is_number() ? v.get<double>() : 0.0;
}

void print_table(const json& records, const json& not_run, const std::string& peer_reason,
                 const std::string& torch_reason) {
  std::map<std::string, double> ceiling;  // device -> rate (memcpy, cuda/copy)
  // (device, to) -> (rate, peer)
  std::map<std::pair<std::string, std::string>, std::pair<double, std::string>> peer_rate;
  for (const auto& r : records) {
    const std::string device = r.value("device", "cpu");
    if (r["kind"] == "ceiling") ceiling[device] = rate(r);
    if (r["kind"] == "peer" && r.value("from", "") == "fp32")
      peer_rate[{device, r.value("to", "")}] = {rate(r), r.value("name", "")};
  }
  auto ratio = [](double a, double b) {
    char buf[32];
    if (a > 0 && b > 0)
      std::snprintf(buf, sizeof buf, "%9.2f", a / b);
    else
      std::snprintf(buf, sizeof buf, "%9s", "-");
    return std::string(buf);
  };
  std::printf("%-58s %9s %8s %9s %9s\n", "benchmark", "G elem/s", "GB/s", "x memcpy", "x peer");
  for (const auto& r : records) {
    const std::string name = r.value("name", "");
    const std::string device = r.value("device", "cpu");
    const double memcpy_rate = ceiling.count(device) ? ceiling[device] : 0.0;
    double peer = 0;
    if (r["kind"] == "kernel" && r.value("from", "") == "fp32" &&
        r.value("rounding", "") == "nearest_even" && !r.value("flags", false))
      if (auto it = peer_rate.find({device, r.value("to", "")}); it != peer_rate.end())
        peer = it->second.first;
    const double bps = r["bytes_per_second"].is_number() ? r["bytes_per_second"].get<double>() : 0;
    std::printf("%-58s %9.3f %8.2f %s %s\n", name.c_str(), rate(r) / 1e9, bps / 1e9,
                ratio(rate(r), memcpy_rate).c_str(), ratio(rate(r), peer).c_str());
  }
  if (!peer_reason.empty())
    std::printf("%-58s not measured: %s\n", "ml_dtypes (peer)", peer_reason.c_str());
  if (!torch_reason.empty())
    std::printf("%-58s not measured: %s\n", "torch (GPU peer)", torch_reason.c_str());
  size_t no_gpu_count = 0;
  for (const auto& n : not_run) no_gpu_count += no_gpu(n) ? 1 : 0;
  if (no_gpu_count)
    std::printf("%-58s not run: no CUDA device (%zu GPU benchmarks)\n", "cuda/*, convert/cuda_*",
                no_gpu_count);
  for (const auto& n : not_run)
    if (n.value("kind", "") != "peer" && !no_gpu(n))
      std::printf("%-58s not run: %s\n", n.value("name", "").c_str(),
                  n.value("reason", "").c_str());
  std::printf(
      "x memcpy: elements/s relative to memcpy of the same fp32 input (bytes read + "
      "written counted in its GB/s; GPU rows: relative to cuda/copy, a device-to-device copy);\n"
      "x peer: relative to the peer's fp32 conversion into the same format on the same device\n"
      "(CPU: ml_dtypes, numpy for fp16; GPU: torch), nearest_even rows only.\n");
}

}  // namespace

int command_bench(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  const CliArgs cli(args, {"json", "filter"}, {"quick", "softmax", "lmul", "gemm"});
  if (!cli.positional().empty())
    throw std::runtime_error("unexpected argument '" + cli.positional()[0] + "'\n" + kUsage);
  const bool quick = cli.has("quick");
  const Sizes sizes = quick ? kQuick : kFull;

  const fs::path exe = fs::path(self_executable()).parent_path() / "plumb_bench";
  if (!fs::exists(exe))
    throw std::runtime_error("plumb_bench not found next to plumb (" + exe.string() +
                             "): build the target plumb_bench");
  char tmpl[] = "/tmp/plumb_bench_XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("cannot make a temporary folder in /tmp");
  const fs::path tmp = tmpl;

  // Google Benchmark, its console output on stderr (progress), JSON to a file.
  const std::string gb_out = (tmp / "gbench.json").string();
  std::vector<std::string> argv = {exe.string(),
                                   "--benchmark_out=" + gb_out,
                                   "--benchmark_out_format=json",
                                   "--benchmark_color=false",
                                   "--benchmark_min_time=" + std::to_string(sizes.min_time),
                                   "--benchmark_repetitions=" + std::to_string(sizes.repetitions),
                                   "--plumb_elements=" + std::to_string(sizes.elements)};
  if (plumb_bench_has_cuda(exe)) {
    argv.push_back("--plumb_cuda_elements=" + std::to_string(sizes.cuda_elements));
    argv.push_back("--plumb_cuda_buffers=" + std::to_string(sizes.cuda_buffers));
  }
  if (sizes.repetitions > 1) argv.push_back("--benchmark_report_aggregates_only=true");
  if (sizes.windows) argv.push_back("--plumb_windows=" + std::to_string(sizes.windows));
  if (auto f = cli.value("filter")) {
    try {
      (void)std::regex(*f, std::regex::extended);
    } catch (const std::regex_error&) {
      throw std::runtime_error("--filter: '" + *f + "' is not a regular expression");
    }
    // memcpy and cuda/copy always run: every ratio needs the ceiling.
    argv.push_back("--benchmark_filter=" +
                   (f->rfind("-", 0) == 0 ? *f : "^memcpy$|^cuda/copy/|" + *f));
  }
  std::fprintf(stderr, "plumb bench: %s, %zu elements per call, %d repetition(s)%s\n", exe.c_str(),
               sizes.elements, sizes.repetitions,
               quick ? " (--quick: data in cache, a smoke test, not a measurement)" : "");
  const int rc = run_process(argv, 2, -1);
  const json gb = read_json(gb_out);
  if (rc != 0 || gb.is_null()) {
    fs::remove_all(tmp);
    throw std::runtime_error("plumb_bench failed (exit " + std::to_string(rc) + ")");
  }
  json not_run = json::array();
  json records = bench_records(gb, sizes.repetitions, not_run);
  bool any_kernel = false, any_cuda = false;
  std::set<std::string> targets, cuda_targets;
  for (const auto& r : records)
    if (r["kind"] == "kernel") {
      any_kernel = true;
      (r.value("device", "") == "cuda" ? cuda_targets : targets).insert(r.value("to", ""));
      any_cuda = any_cuda || r.value("device", "") == "cuda";
    }
  // Softmax and L-Mul (bench_ops.cpp): their rows name their own ceilings.
  OpBenchRun ops;
  for (const auto& [flag, binary] : {std::pair{"softmax", "plumb_softmax_bench"},
                                     std::pair{"lmul", "plumb_lmul_bench"},
                                     std::pair{"gemm", "plumb_gemm_bench"}})
    if (cli.has(flag)) {
      OpBenchRun run = run_op_bench(binary, cli.value("filter"), quick, tmp);
      for (auto& r : run.records) any_kernel = any_kernel || r["kind"] == "kernel", ops.records.push_back(r);
      for (auto& n : run.not_run) ops.not_run.push_back(n);
      ops.context[binary] = run.context;
    }
  // The GPU softmax peer (torch.softmax, same shapes), when CUDA softmax rows were timed.
  if (std::any_of(ops.records.begin(), ops.records.end(), [](const json& r) {
        return r.value("op", "") == "softmax" && r.value("device", "") == "cuda" && r["kind"] == "kernel";
      })) {
    const PeerRun torch_softmax =
        run_bench_peer("torch_softmax_bench.py", "torch_softmax", {"--repeat", std::to_string(sizes.torch_repeat)}, tmp);
    for (const auto& p : torch_softmax.records) ops.records.push_back(p);
    if (!torch_softmax.not_measured.empty())
      ops.not_run.push_back({{"name", "torch.softmax"}, {"kind", "peer"}, {"device", "cuda"},
                             {"reason", torch_softmax.not_measured}});
  }
  if (!any_kernel && not_run.empty() && ops.not_run.empty()) {
    fs::remove_all(tmp);
    throw std::runtime_error("no kernel benchmark matches --filter '" +
                             cli.value("filter").value_or("") + "'");
  }

  // The peer, for the conversions that were timed.
  PeerRun peer = targets.empty() ? PeerRun{} : run_peer(sizes, tmp);
  for (const auto& p : peer.records)
    if (targets.count(p.value("to", ""))) records.push_back(p);
  if (!peer.not_measured.empty())
    not_run.push_back({{"name", "ml_dtypes"}, {"kind", "peer"}, {"reason", peer.not_measured}});
  // The GPU peer, when GPU conversions were timed (a GPU is present).
  PeerRun torch_peer;
  if (any_cuda) {
    torch_peer = run_torch_peer(sizes, tmp);
    for (const auto& p : torch_peer.records)
      if (cuda_targets.count(p.value("to", ""))) records.push_back(p);
    if (!torch_peer.not_measured.empty())
      not_run.push_back(
          {{"name", "torch"}, {"kind", "peer"}, {"device", "cuda"}, {"reason", torch_peer.not_measured}});
  }
  fs::remove_all(tmp);

  print_table(records, not_run, peer.not_measured, torch_peer.not_measured);
  if (!ops.records.empty()) print_op_table(ops.records);
  for (const auto& n : ops.not_run) {
    if (!no_gpu(n))
      std::printf("%-58s not run: %s\n", n.value("name", "").c_str(), n.value("reason", "").c_str());
    not_run.push_back(n);
  }
  for (auto& r : ops.records) records.push_back(r);

  if (auto path = cli.value("json")) {
    std::string command = "plumb bench";
    for (const auto& a : args) command += " " + a;
    json result = new_result(command);
    result["benchmarks"] = records;
    result["benchmarks_not_run"] = not_run;
    result["bench_context"] = gb.value("context", json::object());
    result["bench_context"]["plumb_quick"] = quick;
    for (const auto& [binary, context] : ops.context.items()) result["bench_context"][binary] = context;
    write_json_file(*path, result);
    std::printf("result file: %s\n", path->c_str());
  }
  size_t errors = 0;
  for (const auto& n : not_run)
    if (n.value("kind", "") != "peer" && !no_gpu(n) && !n.value("not_supported", false)) ++errors;
  return errors ? 1 : 0;
}

}  // namespace plumb::harness
