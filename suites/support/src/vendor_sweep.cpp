// plumb checks: judging device class counts (see vendor_sweep.hpp).
#include "plumb/checks/vendor_sweep.hpp"

#include <map>

#include "plumb/checks/vendor_differences.hpp"
#include "plumb/reference/convert_reference.hpp"

namespace plumb::checks {

namespace {

constexpr const char* kDisagreement = "device_host_disagreement";

std::string host_class(const Verdict& v, const Counterexample& c) {
  return classify_vendor_difference(v.from, v.to, c.input, c.got, {c.expected, c.expected_flags}, v.spec);
}

}  // namespace

void judge_device_class_tallies(Verdict& v, const std::vector<DeviceClassTally>& tallies, int64_t max_ulp,
                                size_t max_counterexamples) {
  std::map<std::string, DifferenceClass> classes;
  std::string refined;  // what the examples of large undocumented classes re-classify to
  uint64_t undocumented = 0;
  v.mismatches = v.flag_mismatches = 0;
  v.counterexamples.clear();
  auto add = [&](const std::string& name, const std::string& documented, uint64_t count, const Counterexample& c) {
    DifferenceClass& d = classes[name];
    if (d.count == 0) d = {name, documented, 0, c};
    d.count += count;
    if (!documented.empty()) return;
    undocumented += count;
    if (v.counterexamples.size() < max_counterexamples) v.counterexamples.push_back(c);
  };
  for (const DeviceClassTally& t : tallies) {
    if (t.count == 0) continue;
    v.mismatches += t.count;
    const std::string anchor = cuda_documented_anchor(t.name);
    if (!anchor.empty()) {
      uint64_t disagreeing = 0;
      const Counterexample* agreeing = nullptr;
      for (const Counterexample& c : t.examples)
        if (host_class(v, c) != t.name) ++disagreeing, add(kDisagreement, "", 1, c);
        else if (!agreeing) agreeing = &c;
      // The rest count as the device's class where an example confirmed it;
      // with none confirmed they stay undocumented.
      if (agreeing) add(t.name, anchor, t.count - disagreeing, *agreeing);
      else if (t.count > disagreeing) add(t.name + "_unconfirmed", "", t.count - disagreeing, Counterexample{});
      continue;
    }
    if (t.examples.size() == t.count) {
      for (const Counterexample& c : t.examples) add(host_class(v, c), "", 1, c);
      continue;
    }
    std::map<std::string, int> names;
    for (const Counterexample& c : t.examples) ++names[host_class(v, c)];
    refined += (refined.empty() ? "" : "; ") + t.name + " examples:";
    for (const auto& [name, n] : names) refined += " " + name + " " + std::to_string(n);
    for (size_t i = 0; i < t.examples.size(); ++i) add(t.name, "", i == 0 ? t.count : 0, t.examples[i]);
    if (t.examples.empty()) add(t.name, "", t.count, Counterexample{});
  }
  v.differences.clear();
  for (auto& [name, d] : classes) v.differences.push_back(std::move(d));
  v.max_ulp = undocumented ? max_ulp : 0;
  v.disposition = undocumented ? Disposition::incorrect : Disposition::passed;
  const std::string known = differences_text(v.differences, true);
  if (undocumented)
    v.message = std::to_string(undocumented) + " of " + std::to_string(v.mismatches) +
                " differences of no documented class (docs/VENDOR_DIFFERENCES.md): " +
                differences_text(v.differences, false) + (known.empty() ? "" : "; documented: " + known) +
                (refined.empty() ? "" : "; " + refined);
  else if (v.mismatches)
    v.message = "differences documented: " + known;
  else
    v.message.clear();
}

}  // namespace plumb::checks
