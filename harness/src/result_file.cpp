// plumb harness: result files with provenance.
#include "result_file.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "plumb/formats/format_names.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/kernels/convert_kernel.hpp"

namespace plumb::harness {

namespace {

std::string run_command(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    std::array<char, 512> buf;
    while (fgets(buf.data(), buf.size(), p)) out += buf.data();
    pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

// The build's source tree; where the binaries were carried elsewhere (the GPU
// machine), the tree two levels above the executable, or $PLUMB_SOURCE_DIR.
std::string source_dir() {
  static const std::string dir = [] {
    namespace fs = std::filesystem;
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("PLUMB_SOURCE_DIR"); env && *env) candidates.push_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back(exe.parent_path().parent_path().parent_path().string());
    candidates.push_back(PLUMB_SOURCE_DIR);
    for (const auto& c : candidates)
      if (fs::exists(fs::path(c) / "kernels" / "peers")) return c;
    return std::string(PLUMB_SOURCE_DIR);
  }();
  return dir;
}

nlohmann::json machine_info() {
  nlohmann::json m;
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  m["host"] = host;
  m["cpu"] = cpu_model();
  m["cores"] = std::thread::hardware_concurrency();
  struct utsname u;
  if (uname(&u) == 0) m["os"] = std::string(u.sysname) + " " + u.release + " " + u.machine;
  m["gpus"] = nlohmann::json::array();
  m["cuda_toolkit"] = PLUMB_CUDA_TOOLKIT;  // the nvcc that built the CUDA kernels ("" if none)
  if (kernels::cuda_device_count() > 0) {
    // The CUDA version the driver supports, from nvidia-smi's banner.
    const std::string banner = run_command("nvidia-smi 2>/dev/null | grep -o 'CUDA Version: [0-9.]*'");
    if (auto p = banner.find(": "); p != std::string::npos) m["cuda_driver"] = banner.substr(p + 2);
    const std::string q = run_command(
        "nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv,noheader 2>/dev/null");
    size_t start = 0;
    while (start < q.size()) {
      size_t end = q.find('\n', start);
      if (end == std::string::npos) end = q.size();
      const std::string line = q.substr(start, end - start);
      std::vector<std::string> f;
      size_t s = 0;
      for (size_t c; (c = line.find(", ", s)) != std::string::npos; s = c + 2) f.push_back(line.substr(s, c - s));
      f.push_back(line.substr(s));
      if (f.size() >= 4) {
        m["gpus"].push_back({{"name", f[0]}, {"sm", f[1]}, {"memory", f[2]}});
        m["driver"] = f[3];
      }
      start = end + 1;
    }
  }
  return m;
}

nlohmann::json new_result(const std::string& command_line) {
  nlohmann::json j;
  j["schema"] = "plumb.result";
  j["schema_version"] = kSchemaVersion;
  j["created"] = utc_now();
  j["command"] = command_line;
  const std::string git = "git -C '" + source_dir() + "' ";
  j["plumb"] = {{"version", PLUMB_VERSION},
                {"commit", run_command(git + "rev-parse HEAD 2>/dev/null")},
                {"dirty", !run_command(git + "status --porcelain --untracked-files=no 2>/dev/null").empty()},
                {"build_type", PLUMB_BUILD_TYPE},
                {"cuda_built", kernels::cuda_built()}};
  if (j["plumb"]["commit"] == "") j["plumb"]["commit"] = "unknown";
  j["machine"] = machine_info();
  j["verdicts"] = nlohmann::json::array();
  j["error_curves"] = nlohmann::json::array();
  j["benchmarks"] = nlohmann::json::array();
  j["peers"] = nlohmann::json::array();
  return j;
}

nlohmann::json verdict_json(const checks::Verdict& v) {
  using namespace checks;
  nlohmann::json j = {{"suite", v.suite},
                      {"kernel", v.kernel},
                      {"device", v.device},
                      {"op", v.op},
                      {"from", format_name(v.from)},
                      {"to", format_name(v.to)},
                      {"rounding", rounding_name(v.spec.rounding)},
                      {"overflow", overflow_name(v.spec.overflow)},
                      {"sr_bits", v.spec.sr_bits},
                      {"disposition", disposition_name(v.disposition)},
                      {"cases", v.cases},
                      {"mismatches", v.mismatches},
                      {"flag_mismatches", v.flag_mismatches},
                      {"expected_failure", v.expected_failure},
                      {"message", v.message},
                      {"seconds", v.seconds}};
  j["max_ulp"] = v.max_ulp < 0 ? nlohmann::json(nullptr) : nlohmann::json(v.max_ulp);
  if (!v.differences.empty()) {  // vendor kernels: differences by class (docs/RESULT_SCHEMA.md)
    j["differences"] = nlohmann::json::array();
    for (const auto& d : v.differences)
      j["differences"].push_back({{"class", d.name},
                                  {"count", d.count},
                                  {"documented", d.documented},
                                  {"example",
                                   {{"input", hex_code(d.example.input)},
                                    {"got", hex_code(d.example.got)},
                                    {"expected", hex_code(d.example.expected)},
                                    {"expected_flags", flags_to_string(d.example.expected_flags)},
                                    {"command", repro_command(v, d.example)}}}});
  }
  j["counterexamples"] = nlohmann::json::array();
  for (const auto& c : v.counterexamples) {
    char value[64];
    std::snprintf(value, sizeof value, "%.17g", decode(v.from, c.input));
    j["counterexamples"].push_back({{"input", hex_code(c.input)},
                                    {"input_value", value},
                                    {"rbits", c.rbits},
                                    {"got", hex_code(c.got)},
                                    {"got_flags", flags_to_string(c.got_flags)},
                                    {"expected", hex_code(c.expected)},
                                    {"expected_flags", flags_to_string(c.expected_flags)},
                                    {"command", repro_command(v, c)}});
    if (!c.detail.empty()) j["counterexamples"].back()["detail"] = c.detail;  // block quantisation
  }
  if (!v.label.empty()) j["label"] = v.label;
  if (!v.metrics.empty()) {
    j["metrics"] = nlohmann::json::object();
    for (const auto& [name, value] : v.metrics)
      j["metrics"][name] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
  }
  return j;
}

void write_json_file(const std::string& path, const nlohmann::json& j) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write result file '" + path + "'");
  out << j.dump(1) << "\n";
  if (!out) throw std::runtime_error("error while writing result file '" + path + "'");
}

}  // namespace plumb::harness
