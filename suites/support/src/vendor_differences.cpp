// plumb checks: vendor difference classes (see vendor_differences.hpp).
#include "plumb/checks/vendor_differences.hpp"

#include <cmath>
#include <map>

#include "plumb/formats/value.hpp"

namespace plumb::checks {

bool vendor_differs(uint64_t got, const reference::ReferenceResult& want) {
  return (want.flags & kNoEncoding) || got != want.code;
}

std::string classify_vendor_difference(const FormatDesc& from, const FormatDesc& to, uint64_t input,
                                       uint64_t got, const reference::ReferenceResult& want,
                                       const RoundingSpec& spec) {
  const double x = decode(from, input), g = decode(to, got);
  const bool no_encoding = want.flags & kNoEncoding;
  const double w = no_encoding ? std::nan("") : decode(to, want.code);
  if (std::isnan(x)) {
    if (no_encoding) return got == to.max_finite_code() ? "nan_to_maxnorm" : "other";
    if (std::isnan(g) && std::isnan(w)) return (got ^ want.code) & to.sign_bit() ? "nan_sign" : "nan_payload";
    return "other";
  }
  if (!to.is_signed && x < 0) {  // a vendor that converts |x|
    const auto mag = reference::mpfr_convert(from, to, input & ~from.sign_bit(), spec);
    return !vendor_differs(got, mag) ? "negative_into_unsigned" : "other";
  }
  if (std::isinf(x)) {
    const bool max_same_sign =
        (got & to.magnitude_mask()) == to.max_finite_code() && std::signbit(g) == std::signbit(x);
    return std::isinf(w) && max_same_sign ? "inf_to_maxnorm" : "other";
  }
  if (want.flags & (kOverflow | kNoEncoding))
    for (const Overflow o : {Overflow::saturate, Overflow::infinity, Overflow::nan})
      if (o != spec.overflow &&
          !vendor_differs(got, reference::mpfr_convert(from, to, input, {spec.rounding, o, spec.sr_bits})))
        return "overflow_policy";
  if (g == 0 && w == 0) return "negative_zero";
  if (std::isfinite(g) && std::isfinite(w)) return "rounding";
  return "other";
}

std::string cuda_documented_anchor(const std::string& cls) {
  static const std::map<std::string, std::string> anchors = {
      {"nan_to_maxnorm", "cuda-nan-to-maxnorm"},
      {"nan_sign", "cuda-nan-sign"},
      {"nan_payload", "cuda-nan-payload"},
      {"inf_to_maxnorm", "cuda-inf-to-maxnorm"},
      {"negative_into_unsigned", "cuda-negative-into-unsigned"},
  };
  const auto it = anchors.find(cls);
  return it == anchors.end() ? "" : "docs/VENDOR_DIFFERENCES.md#" + it->second;
}

void judge_cuda_vendor_codes(Verdict& v, const CaseSet& cases, const std::vector<uint64_t>& got,
                             const Expected& expected, size_t max_counterexamples) {
  const size_t n = cases.codes.size();
  std::map<std::string, DifferenceClass> classes;
  uint64_t undocumented = 0;
  v.cases = n;
  v.mismatches = v.flag_mismatches = 0;
  v.max_ulp = 0;
  v.counterexamples.clear();
  for (size_t i = 0; i < n; ++i) {
    const reference::ReferenceResult want{expected.codes[i], expected.flags[i]};
    if (!vendor_differs(got[i], want)) continue;
    ++v.mismatches;
    const Counterexample c{cases.codes[i], expected.rbits.empty() ? 0 : expected.rbits[i], got[i], 0,
                           want.code, want.flags};
    const std::string name = classify_vendor_difference(v.from, v.to, cases.codes[i], got[i], want, v.spec);
    DifferenceClass& d = classes[name];
    if (d.count == 0) d = {name, cuda_documented_anchor(name), 0, c};
    ++d.count;
    if (!d.documented.empty()) continue;
    ++undocumented;
    const int64_t ulp = ulp_distance(v.to, got[i], want.code);
    if (ulp < 0 || (want.flags & kNoEncoding)) v.max_ulp = -1;
    else if (v.max_ulp >= 0 && ulp > v.max_ulp) v.max_ulp = ulp;
    if (v.counterexamples.size() < max_counterexamples) v.counterexamples.push_back(c);
  }
  v.differences.clear();
  for (auto& [name, d] : classes) v.differences.push_back(std::move(d));
  v.disposition = undocumented ? Disposition::incorrect : Disposition::passed;
  const std::string known = differences_text(v.differences, true);
  if (undocumented)
    v.message = std::to_string(undocumented) + " of " + std::to_string(v.mismatches) +
                " differences of no documented class (docs/VENDOR_DIFFERENCES.md): " +
                differences_text(v.differences, false) + (known.empty() ? "" : "; documented: " + known);
  else if (v.mismatches)
    v.message = "differences documented: " + known;
  else
    v.message.clear();
}

std::string differences_text(const std::vector<DifferenceClass>& differences, bool documented) {
  std::string s;
  for (const auto& d : differences)
    if (d.documented.empty() != documented)
      s += (s.empty() ? "" : ", ") + d.name + " " + std::to_string(d.count);
  return s;
}

}  // namespace plumb::checks
