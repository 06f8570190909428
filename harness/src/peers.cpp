// plumb harness: peer cross-checks (see peers.hpp).
#include "peers.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "plumb/formats/format_names.hpp"
#include "python_tools.hpp"
#include "result_file.hpp"

namespace plumb::harness {

void run_ml_dtypes_peer(nlohmann::json& result, std::vector<checks::Verdict>& verdicts) {
  checks::Verdict v;
  v.suite = "ml_dtypes";
  v.kernel = "ml_dtypes";
  v.from = formats::fp32;
  v.to = formats::fp32;
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
  for (const auto& p : j.value("peers", nlohmann::json::array())) {
    result["peers"].push_back(p);
    checks::Verdict pv = v;
    if (auto f = find_format(p.value("from", "fp32"))) pv.from = *f;
    if (auto f = find_format(p.value("to", "fp32"))) pv.to = *f;
    checks::parse_rounding(p.value("rounding", "nearest_even"), pv.spec.rounding);
    checks::parse_overflow(p.value("overflow", "saturate"), pv.spec.overflow);
    pv.kernel = p.value("peer", "ml_dtypes");
    pv.cases = p.value("cases", 0);
    pv.mismatches = p.value("differ", 0);
    size_t undocumented = 0;
    for (const auto& d : p.value("differences", nlohmann::json::array()))
      if (!d.contains("documented") || d["documented"].is_null() || d["documented"] == "") undocumented += d.value("count", 1);
    pv.disposition = undocumented ? checks::Disposition::incorrect : checks::Disposition::passed;
    pv.message = std::to_string(pv.mismatches) + " differences, " + std::to_string(undocumented) +
                 " of them of no documented class (docs/VENDOR_DIFFERENCES.md)";
    verdicts.push_back(pv);
  }
}

}  // namespace plumb::harness
