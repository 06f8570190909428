// plumb harness: the verify table (see verify_table.hpp).
#include "verify_table.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "plumb/formats/format_names.hpp"
#include "plumb/formats/value.hpp"
#include "python_tools.hpp"
#include "value_text.hpp"

namespace plumb::harness {

namespace {

struct Row {
  size_t cells = 0, passed = 0, failed = 0, skipped = 0, caught = 0;
  uint64_t cases = 0, mismatches = 0;
  int64_t max_ulp = 0;
  bool planted = false;
  std::string failing_modes, note;
  std::map<std::string, uint64_t> documented;  // vendor kernels and peers: documented differences by class
};

// "plumb" when it is on PATH, else this executable's path: the printed
// commands must work when pasted.
std::string plumb_command() {
  static const std::string cmd = [] {
    const char* path = std::getenv("PATH");
    std::string p = path ? path : "";
    for (size_t s = 0; s <= p.size();) {
      size_t e = p.find(':', s);
      if (e == std::string::npos) e = p.size();
      const std::string candidate = p.substr(s, e - s) + "/plumb";
      if (e > s && access(candidate.c_str(), X_OK) == 0) return std::string("plumb");
      s = e + 1;
    }
    return self_executable();
  }();
  return cmd;
}

std::string paste_ready(std::string command) {
  for (const std::string from : {"plumb convert", "plumb verify"})
    if (auto at = command.find(from); at != std::string::npos) return command.replace(at, 5, plumb_command());
  return command;
}

std::string result_word(const Row& r) {
  if (r.planted) return r.caught ? "CAUGHT (planted bug)" : (r.failed ? "NOT CAUGHT" : "passed (no tie here)");
  if (r.failed) return "FAILED";
  if (r.skipped == r.cells) return "skipped";
  std::string notes = r.skipped ? std::to_string(r.skipped) + " skipped" : "";
  if (r.mismatches && !r.documented.empty()) {  // vendor kernels: the classes, summed over the row's cells
    std::string s;
    for (const auto& [name, count] : r.documented) s += (s.empty() ? "" : ", ") + name + " " + std::to_string(count);
    notes += (notes.empty() ? "" : "; ") + std::string("documented differences: ") + s;
  } else if (r.mismatches) {
    notes += (notes.empty() ? "" : "; ") + std::string("differences documented");  // peers
  }
  return notes.empty() ? "passed" : "passed (" + notes + ")";
}

}  // namespace

size_t print_verify_table(const std::vector<checks::Verdict>& verdicts, bool verbose) {
  using namespace checks;
  std::map<std::string, Row> rows;
  std::vector<std::string> order;
  size_t bad = 0;
  for (const auto& v : verdicts) {
    std::string key = v.suite + "\t" + v.kernel + "\t" +
                      (v.label.empty() ? format_name(v.from) + "->" + format_name(v.to) : v.label);
    if (verbose) key += "\t" + std::string(rounding_name(v.spec.rounding)) + "/" + overflow_name(v.spec.overflow);
    auto [it, inserted] = rows.try_emplace(key);
    if (inserted) order.push_back(key);
    Row& r = it->second;
    r.planted = v.expected_failure;
    ++r.cells;
    r.cases += v.cases;
    r.mismatches += v.mismatches;
    for (const auto& d : v.differences)
      if (!d.documented.empty()) r.documented[d.name] += d.count;
    if (v.max_ulp < 0 || r.max_ulp < 0) r.max_ulp = -1;
    else r.max_ulp = std::max(r.max_ulp, v.max_ulp);
    const bool skip = v.disposition == Disposition::skipped || v.disposition == Disposition::not_supported;
    if (skip) {
      ++r.skipped;
      r.note = v.message;
    } else if (v.disposition == Disposition::passed) {
      ++r.passed;
    } else if (v.expected_failure && v.acceptable()) {
      ++r.caught;
    } else {
      ++r.failed;
      if (r.failing_modes.size() < 60)
        r.failing_modes += std::string(r.failing_modes.empty() ? "" : ",") + rounding_name(v.spec.rounding) + "/" +
                           overflow_name(v.spec.overflow);
    }
    // A planted bug only has to be caught somewhere: a cell it passes is fine.
    if (!v.acceptable() && !(v.expected_failure && v.disposition == Disposition::passed)) ++bad;
  }
  // Column widths from the content (peer names and oracle suites are long).
  auto split = [](const std::string& key, std::string (&f)[4]) {
    size_t s = 0, i = 0;
    for (size_t t; i < 3 && (t = key.find('\t', s)) != std::string::npos; s = t + 1) f[i++] = key.substr(s, t - s);
    f[i] = key.substr(s);
    return i;
  };
  int w[3] = {5, 6, 10};
  for (const auto& key : order) {
    std::string f[4];
    split(key, f);
    for (int c = 0; c < 3; ++c) w[c] = std::max(w[c], static_cast<int>(f[c].size()));
  }
  std::printf("\n%-*s %-*s %-*s %5s %11s %10s %8s  %s\n", w[0], "suite", w[1], "kernel", w[2], "conversion", "modes",
              "cases", "mismatch", "max_ulp", "result");
  for (const auto& key : order) {
    const Row& r = rows[key];
    std::string f[4];
    const size_t i = split(key, f);
    const std::string ulp = r.max_ulp < 0 ? "NaN" : std::to_string(r.max_ulp);
    std::string word = result_word(r);
    if (r.failed && !r.planted) word += "  [" + r.failing_modes + "]";
    if (r.skipped == r.cells && !r.note.empty()) word += ": " + r.note;
    std::printf("%-*s %-*s %-*s %5zu %11llu %10llu %8s  %s%s\n", w[0], f[0].c_str(), w[1], f[1].c_str(), w[2], f[2].c_str(),
                r.cells, static_cast<unsigned long long>(r.cases), static_cast<unsigned long long>(r.mismatches),
                ulp.c_str(), word.c_str(), verbose && i >= 3 ? ("  " + f[3]).c_str() : "");
  }
  // Counterexamples: every failing cell's first one, at most 20 cells; the
  // planted bug's first catch, to show what a failure looks like.
  size_t shown = 0;
  bool planted_shown = false;
  for (const auto& v : verdicts) {
    const bool failure = !v.acceptable() && !(v.expected_failure && v.disposition == Disposition::passed);
    const bool planted_catch = v.expected_failure && v.acceptable() && !planted_shown;
    if ((!failure && !planted_catch) || (failure && shown >= 20)) continue;
    if (v.counterexamples.empty()) {  // peers and kernel errors: the message says what
      if (failure) {
        ++shown;
        std::printf("\nFAILURE %s: %s: %s\n", describe(v).c_str(), disposition_name(v.disposition), v.message.c_str());
      }
      continue;
    }
    if (planted_catch) planted_shown = true;
    else ++shown;
    std::printf("\n%s %s: %s, %llu of %llu cases differ\n", failure ? "FAILURE" : "planted bug caught",
                describe(v).c_str(), disposition_name(v.disposition),
                static_cast<unsigned long long>(v.mismatches), static_cast<unsigned long long>(v.cases));
    if (!v.differences.empty()) std::printf("  %s\n", v.message.c_str());  // a vendor kernel's classes
    for (size_t k = 0; k < v.counterexamples.size() && k < 3; ++k) {
      const auto& c = v.counterexamples[k];
      if (!c.detail.empty()) {  // block quantisation: the block in words
        std::printf("  %s\n    %s\n", c.detail.c_str(), paste_ready(repro_command(v, c)).c_str());
        continue;
      }
      std::printf("  input %s (%s): got %s (%s), expected %s (%s)\n    %s\n", hex_code(c.input).c_str(),
                  value_text(decode(v.from, c.input)).c_str(),
                  hex_code(c.got).c_str(), flags_to_string(c.got_flags).c_str(), hex_code(c.expected).c_str(),
                  flags_to_string(c.expected_flags).c_str(), paste_ready(repro_command(v, c)).c_str());
    }
  }
  return bad;
}

}  // namespace plumb::harness
