// plumb harness: peer cross-checks (see peers.hpp).
#include "peers.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "bench_peers.hpp"
#include "plumb/formats/format_names.hpp"
#include "python_tools.hpp"
#include "result_file.hpp"

#ifdef PLUMB_HAVE_CUDA_HEADERS_PEER
#include "cuda_headers_peer.hpp"
#endif

namespace plumb::harness {

namespace {

// Appends one PEER record (docs/RESULT_SCHEMA.md) to result["peers"] and its
// verdict to verdicts: passed when every difference is of a class documented
// in docs/VENDOR_DIFFERENCES.md (a non-empty `documented`), incorrect when
// any is not. base carries the suite, the kernel name to use when the record
// names no peer, and the wall time.
void add_peer_record(const nlohmann::json& p, const checks::Verdict& base, nlohmann::json& result,
                     std::vector<checks::Verdict>& verdicts) {
  result["peers"].push_back(p);
  checks::Verdict pv = base;
  if (auto f = find_format(p.value("from", "fp32"))) pv.from = *f;
  if (auto f = find_format(p.value("to", "fp32"))) pv.to = *f;
  checks::parse_rounding(p.value("rounding", "nearest_even"), pv.spec.rounding);
  checks::parse_overflow(p.value("overflow", "saturate"), pv.spec.overflow);
  pv.kernel = p.value("peer", base.kernel);
  pv.device = p.value("device", base.device);
  pv.cases = p.value("cases", 0);
  pv.mismatches = p.value("differ", 0);
  pv.seconds = p.value("seconds", base.seconds);
  size_t undocumented = 0;
  std::string first;  // the first undocumented class, with its example
  for (const auto& d : p.value("differences", nlohmann::json::array())) {
    if (d.contains("documented") && d["documented"].is_string() && d["documented"] != "") continue;
    undocumented += d.value("count", 1);
    if (first.empty()) {
      const auto ex = d.value("example", nlohmann::json::object());
      first = "; class '" + d.value("class", std::string("?")) + "', e.g. input " + ex.value("input", "?") +
              " (" + ex.value("input_value", "?") + "): peer " + ex.value("peer", "?") + " (" +
              ex.value("peer_value", "?") + "), oracle " + ex.value("oracle", "?") + " (" +
              ex.value("oracle_value", "?") + ")";
    }
  }
  pv.disposition = undocumented ? checks::Disposition::incorrect : checks::Disposition::passed;
  pv.message = std::to_string(pv.mismatches) + " differences, " + std::to_string(undocumented) +
               " of them of no documented class (docs/VENDOR_DIFFERENCES.md)" + first;
  verdicts.push_back(pv);
}

// The verdict a peer suite starts from (its records fill in the rest).
checks::Verdict peer_verdict(const std::string& suite) {
  checks::Verdict v;
  v.suite = v.kernel = suite;
  v.from = v.to = formats::fp32;
  return v;
}

}  // namespace

void run_ml_dtypes_peer(nlohmann::json& result, std::vector<checks::Verdict>& verdicts) {
  checks::Verdict v = peer_verdict("ml_dtypes");
  if (venv_python().empty()) {
    v.disposition = checks::Disposition::skipped;
    v.message = "the project's Python environment is missing: run tools/setup";
    verdicts.push_back(v);
    return;
  }
  const std::string out = (std::filesystem::temp_directory_path() /
                           ("plumb_ml_dtypes_" + std::to_string(getpid()) + ".json")).string();
  const int rc = run_python({source_dir() + "/kernels/peers/ml_dtypes_crosscheck.py", "--plumb",
                             self_executable(), "--json", out});
  nlohmann::json j;
  std::ifstream in(out);
  if (rc != 0 || !in) {
    v.disposition = checks::Disposition::kernel_error;
    v.message = "ml_dtypes_crosscheck.py failed (exit " + std::to_string(rc) + ")";
    verdicts.push_back(v);
    return;
  }
  in >> j;
  std::filesystem::remove(out);
  for (const auto& p : j.value("peers", nlohmann::json::array())) add_peer_record(p, v, result, verdicts);
}

void run_torch_peer(nlohmann::json& result, std::vector<checks::Verdict>& verdicts,
                    const std::string& device) {
  checks::Verdict v = peer_verdict("torch");
  const std::string python = venv_python();
  if (python.empty()) {
    v.disposition = checks::Disposition::skipped;
    v.message = "no Python for the torch peer: run tools/setup (or set PLUMB_PYTHON)";
    verdicts.push_back(v);
    return;
  }
  const std::string stem = (std::filesystem::temp_directory_path() /
                            ("plumb_torch_" + std::to_string(getpid()))).string();
  const std::string out = stem + ".json", log = stem + ".log";
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  setenv("PYTHONUNBUFFERED", "1", 1);
  const int rc = run_process({python, source_dir() + "/kernels/peers/torch_crosscheck.py", "--plumb",
                              self_executable(), "--json", out, "--device", device},
                             fd, fd);
  if (fd >= 0) close(fd);
  {  // the script's progress lines, for the log
    std::ifstream text(log);
    std::string line;
    while (std::getline(text, line)) std::fprintf(stderr, "[torch] %s\n", line.c_str());
  }
  const std::string why = last_line(log);
  const nlohmann::json j = rc == 0 ? read_json(out) : nlohmann::json();
  std::filesystem::remove(out);
  std::filesystem::remove(log);
  if (rc == 3 || (rc != 0 && why.find("No module named 'torch'") != std::string::npos)) {
    v.disposition = checks::Disposition::skipped;
    v.message = why.empty() ? "torch is not available" : why;
    verdicts.push_back(v);
    return;
  }
  if (rc != 0 || j.is_null()) {
    v.disposition = checks::Disposition::kernel_error;
    v.message = "torch_crosscheck.py failed (exit " + std::to_string(rc) + ")" + (why.empty() ? "" : ": " + why);
    verdicts.push_back(v);
    return;
  }
  for (const auto& p : j.value("peers", nlohmann::json::array())) add_peer_record(p, v, result, verdicts);
  for (const auto& n : j.value("not_supported", nlohmann::json::array())) {
    checks::Verdict ns = v;
    ns.kernel = n.value("peer", v.kernel);
    if (auto f = find_format(n.value("from", "fp32"))) ns.from = *f;
    if (auto f = find_format(n.value("to", "fp32"))) ns.to = *f;
    ns.disposition = checks::Disposition::not_supported;
    ns.message = n.value("reason", "not supported by this torch");
    verdicts.push_back(ns);
  }
}

void run_cuda_headers_peer(nlohmann::json& result, std::vector<checks::Verdict>& verdicts) {
  checks::Verdict v = peer_verdict("cuda_headers");
#ifdef PLUMB_HAVE_CUDA_HEADERS_PEER
  const nlohmann::json records = peers::cuda_headers_peer_records(/*quick=*/false);
  for (const auto& p : records) add_peer_record(p, v, result, verdicts);
#else
  (void)result;
  v.disposition = checks::Disposition::skipped;
  v.message = "CUDA headers not found at build time";
  verdicts.push_back(v);
#endif
}

}  // namespace plumb::harness
