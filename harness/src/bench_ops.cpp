// plumb bench --softmax / --lmul: runs plumb_softmax_bench / plumb_lmul_bench
// (harness/bench/) and turns Google Benchmark's rows into BENCH records with
// the fields of docs/RESULT_SCHEMA.md ("Softmax and L-Mul rows").
#include "bench_ops.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <vector>

#include "bench_peers.hpp"
#include "plumb/kernels/gemm_kernel.hpp"
#include "python_tools.hpp"

namespace plumb::harness {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> split(const std::string& name) {
  std::vector<std::string> part;
  for (size_t s = 0, e; s <= name.size(); s = e + 1) {
    e = name.find('/', s);
    if (e == std::string::npos) e = name.size();
    part.push_back(name.substr(s, e - s));
  }
  return part;
}

bool starts(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

// The algorithm and ISA in a softmax kernel's name (kernels/registry/softmax*.inc).
std::string algorithm_of(const std::string& kernel) {
  for (const char* a : {"three_pass_recompute", "three_pass_reload", "two_pass", "online"})
    if (kernel.find(a) != std::string::npos) return a;
  return "";
}
std::string isa_of(const std::string& kernel) {
  for (const char* isa : {"avx512", "avx2", "scalar", "cuda"})
    if (kernel.find(isa) != std::string::npos) return isa;
  return "";
}

// Name -> the record's kind, device, op fields and the name of its ceiling.
void describe(json& r, const std::string& name) {
  const auto part = split(name);
  const bool ceiling = starts(name, "memcpy") || starts(name, "cuda/copy");
  r["kind"] = ceiling ? "ceiling" : "kernel";
  const auto* gemm = part[0] == "gemm" && part.size() > 1 ? kernels::find_gemm_kernel(part[1]) : nullptr;
  const bool cuda = starts(name, "cuda/") || (part.size() > 1 && starts(part[1], "cuda_")) ||
                    (gemm && gemm->device == kernels::Device::cuda);
  r["device"] = cuda ? "cuda" : "cpu";
  if (ceiling) {
    r["op"] = cuda ? "copy" : "memcpy";
    return;
  }
  if (part[0] == "mul" && part.size() == 2) {  // mul/fp32: the plain multiply
    r["op"] = "mul";
    r["kernel"] = "cpu_fp32_multiply";
    r["from"] = r["to"] = part[1];
    r["ceiling"] = "memcpy/lmul";
  } else if (part[0] == "softmax" && part.size() == 4) {
    r["op"] = "softmax";
    r["kernel"] = part[1];
    r["algorithm"] = algorithm_of(part[1]);
    r["isa"] = isa_of(part[1]);
    const bool cached = part[2] == "in_cache" || part[2] == "out_of_cache";
    // CPU rows: fp32, in or out of cache; GPU rows: the I/O format, beyond L2.
    r["cache"] = cached ? part[2] : "out_of_cache";
    r["from"] = r["to"] = cached ? "fp32" : part[2];
    if (starts(part[3], "cols:")) r["cols"] = std::stoull(part[3].substr(5));
    r["ceiling"] = cuda ? "cuda/copy/" + r["from"].get<std::string>() : "memcpy/" + part[2];
  } else if (part[0] == "gemm" && part.size() == 4) {
    // gemm/<kernel>/<variant>/<M>x<N>x<K>: the CUDA rows' ceiling is cuBLAS bf16 on the shape.
    r["op"] = "gemm";
    r["kernel"] = part[1];
    r["variant"] = part[2];
    size_t m = 0, n = 0, k = 0;
    if (std::sscanf(part[3].c_str(), "%zux%zux%zu", &m, &n, &k) == 3) r["m"] = m, r["n"] = n, r["k"] = k;
    if (cuda && name != "gemm/cublas_bf16/bf16/" + part[3]) r["ceiling"] = "gemm/cublas_bf16/bf16/" + part[3];
  } else if (part[0] == "lmul" && part.size() == 5) {
    r["op"] = "lmul";
    r["kernel"] = part[1];
    r["lmul_op"] = part[2];
    r["from"] = part[3];
    r["to"] = part[2] == "gemm" ? "fp32" : part[3];
    if (starts(part[3], "e8m")) r["mantissa_bits"] = std::stoi(part[3].substr(3));
    r["carry"] = part[4];
    r["includes_transfers"] = false;  // CUDA rows time device arrays (cuda_lmul_bench.cpp)
    if (part[2] != "gemm") r["ceiling"] = cuda ? "cuda/copy/lmul" : "memcpy/lmul";  // GEMM: compute-bound
  }
}

double unit_seconds(const std::string& unit) {
  return unit == "ns" ? 1e-9 : unit == "us" ? 1e-6 : unit == "ms" ? 1e-3 : 1.0;
}

double number(const json& r, const char* key) {
  const auto it = r.find(key);
  return it != r.end() && it->is_number() ? it->get<double>() : 0.0;
}

}  // namespace

OpBenchRun op_bench_records(const json& gb, int repetitions) {
  OpBenchRun run;
  run.context = gb.value("context", json::object());
  std::set<std::string> failed;
  for (const auto& b : gb.value("benchmarks", json::array())) {
    std::string name = b.value("run_name", b.value("name", ""));
    if (const std::string sfx = "/manual_time"; name.size() > sfx.size() && name.ends_with(sfx))
      name.resize(name.size() - sfx.size());
    json r = {{"name", name}};
    describe(r, name);
    if (b.value("error_occurred", false)) {
      // A kernel this machine cannot run (no AVX-512, no GPU) is not a failure.
      const std::string reason = b.value("error_message", "error");
      const bool unsupported = starts(reason, "not_supported") || reason.find("has no ") != std::string::npos ||
                               reason.find("built without") != std::string::npos ||
                               reason.find("CUDA device") != std::string::npos;
      if (failed.insert(name).second)
        run.not_run.push_back({{"name", name}, {"kind", r["kind"]}, {"device", r["device"]},
                               {"reason", reason}, {"not_supported", unsupported}});
      continue;
    }
    const bool aggregate = b.value("run_type", "") == "aggregate";
    if (repetitions > 1 ? !(aggregate && b.value("aggregate_name", "") == "median") : aggregate)
      continue;
    const double sec = number(b, "seconds_median") > 0
                           ? number(b, "seconds_median")
                           : number(b, "real_time") * unit_seconds(b.value("time_unit", "ns"));
    // Elements per iteration: the binaries' counter. Bytes per iteration: the ratio
    // of the two rate counters (Google Benchmark divides both by the same time,
    // CPU time unless manual), times the elements.
    const double ips = number(b, "items_per_second");
    const double elements = number(b, "elements") > 0 ? number(b, "elements") : std::round(ips * sec);
    const double bytes = ips > 0 ? std::round(elements * number(b, "bytes_per_second") / ips) : 0.0;
    r["elements"] = static_cast<uint64_t>(elements);
    r["bytes"] = static_cast<uint64_t>(bytes);
    r["seconds_median"] = sec;
    r["elements_per_second"] = sec > 0 ? json(elements / sec) : json(nullptr);
    r["bytes_per_second"] = sec > 0 ? json(bytes / sec) : json(nullptr);
    r["threads"] = b.value("threads", 1);
    r["repetitions"] = repetitions;
    run.records.push_back(r);
  }
  // A ceiling that did not run is not named.
  std::map<std::string, double> seconds;
  for (const auto& r : run.records) seconds[r["name"].get<std::string>()] = number(r, "seconds_median");
  for (auto& r : run.records)
    if (r.contains("ceiling") && !seconds.count(r["ceiling"].get<std::string>())) r.erase("ceiling");
  // GEMM rows count flops, not elements, and compare times with cuBLAS bf16.
  for (auto& r : run.records) {
    if (r.value("op", "") != "gemm") continue;
    r["flops"] = r["elements"], r["flops_per_second"] = r["elements_per_second"];
    r.erase("elements"), r.erase("elements_per_second");
    const double sec = number(r, "seconds_median");
    if (r.contains("ceiling") && sec > 0) r["x_ceiling"] = seconds[r["ceiling"].get<std::string>()] / sec;
  }
  return run;
}

OpBenchRun run_op_bench(const std::string& binary, const std::optional<std::string>& filter,
                        bool quick, const fs::path& tmp) {
  const fs::path exe = fs::path(self_executable()).parent_path() / binary;
  if (!fs::exists(exe)) {
    OpBenchRun run;
    run.not_run.push_back({{"name", binary}, {"kind", "kernel"}, {"device", "cpu"},
                           {"reason", binary + " not found next to plumb: build the target " + binary}});
    return run;
  }
  const int repetitions = quick ? 1 : 5;
  const std::string out = (tmp / (binary + ".json")).string();
  std::vector<std::string> argv = {exe.string(), "--benchmark_out=" + out,
                                   "--benchmark_out_format=json", "--benchmark_color=false",
                                   std::string("--benchmark_min_time=") + (quick ? "0.01" : "0.1"),
                                   "--benchmark_repetitions=" + std::to_string(repetitions)};
  if (repetitions > 1) argv.push_back("--benchmark_report_aggregates_only=true");
  if (filter)  // the ceilings always run: every ratio needs them
    argv.push_back("--benchmark_filter=" +
                   (starts(*filter, "-") ? *filter
                                         : "^memcpy/|^cuda/copy/|^mul/fp32$|^gemm/cublas_bf16/bf16/|" + *filter));
  if (binary == "plumb_gemm_bench" && quick) argv.push_back("--shapes=quick");
  std::fprintf(stderr, "plumb bench: %s, %d repetition(s)\n", exe.c_str(), repetitions);
  const int rc = run_process(argv, 2, -1);
  const json gb = read_json(out);
  if (rc != 0 || gb.is_null())
    throw std::runtime_error(binary + " failed (exit " + std::to_string(rc) + ")");
  return op_bench_records(gb, repetitions);
}

namespace {

void print_gemm_table(const json& records) {
  bool any = false;
  for (const auto& r : records) {
    if (r.value("op", "") != "gemm") continue;
    if (!any) std::printf("%-58s %11s %9s %10s\n", "benchmark", "median us", "TFLOP/s", "x cuBLAS");
    any = true;
    char ratio[32] = "         -";
    if (r.contains("x_ceiling")) std::snprintf(ratio, sizeof ratio, "%10.3f", number(r, "x_ceiling"));
    std::printf("%-58s %11.1f %9.2f %s\n", r.value("name", "").c_str(), number(r, "seconds_median") * 1e6,
                number(r, "flops_per_second") / 1e12, ratio);
  }
  if (any)
    std::printf("x cuBLAS: cuBLAS bf16's time on the shape (gemm/cublas_bf16/bf16, same run) over the row's.\n");
}

}  // namespace

void print_op_table(const json& records) {
  print_gemm_table(records);
  std::map<std::string, double> ceiling_bps;
  for (const auto& r : records)
    if (r.value("kind", "") == "ceiling") ceiling_bps[r["name"]] = number(r, "bytes_per_second");
  bool header = false;
  for (const auto& r : records) {
    if (r.value("op", "") == "gemm") continue;
    if (!header) std::printf("%-58s %9s %8s %9s\n", "benchmark", "G elem/s", "GB/s", "x ceiling");
    header = true;
    const double bps = number(r, "bytes_per_second");
    const double c = r.contains("ceiling") ? ceiling_bps[r["ceiling"]] : 0.0;
    char ratio[32] = "        -";
    if (bps > 0 && c > 0) std::snprintf(ratio, sizeof ratio, "%9.2f", bps / c);
    std::printf("%-58s %9.3f %8.2f %s\n", r.value("name", "").c_str(),
                number(r, "elements_per_second") / 1e9, bps / 1e9, ratio);
  }
  if (header)
    std::printf("x ceiling: GB/s (bytes read + written) relative to the row's ceiling in the same run\n"
                "(memcpy/<in_cache|out_of_cache|lmul> on the CPU, cuda/copy/<format> on the GPU).\n");
}

}  // namespace plumb::harness
