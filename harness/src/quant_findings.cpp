// plumb harness: published findings against the measurements (quant_findings.hpp).
#include "quant_findings.hpp"

namespace plumb::harness {

namespace {

constexpr const char* kIntVsFp =
    "Chen et al., INT v.s. FP: A Comprehensive Study of Fine-Grained Low-bit Quantization Formats, "
    "arXiv:2510.25602 (2025)";
constexpr const char* kBridging =
    "Egiazarian et al., Bridging the Gap Between Promise and Performance for Microscaling FP4 Quantization, "
    "arXiv:2509.23202 (2025)";

struct Claim {
  const char* id;
  const char* claim;
  const char* source;
  bool hadamard;
  const char* lower;
  const char* higher;
  bool require_all;
};

constexpr Claim kClaims[] = {
    {"mxint8_vs_mxfp8",
     "At block size 32 (MX, ue8m0 scale), MXINT8 quantises with a lower error than MXFP8 (e4m3 elements)", kIntVsFp,
     false, "mxint8", "mxfp8_e4m3", true},
    {"nvfp4_vs_mxfp4",
     "NVFP4 (block 16, e4m3 scale, fp32 tensor scale) quantises with a lower error than MXFP4 (block 32, "
     "power-of-two scale)",
     kBridging, false, "nvfp4", "mxfp4", true},
    {"nvint4_vs_nvfp4_hadamard",
     "After the Hadamard rotation, NVINT4 (int4 elements, NVFP4's scales) can quantise with a lower error than "
     "NVFP4",
     kIntVsFp, true, "nvint4", "nvfp4", false},
};

// The measurement of (format under its own rule, distribution, hadamard), or null.
const QuantMeasurement* find(const std::vector<QuantMeasurement>& ms, const std::string& format,
                             InputDistribution d, bool hadamard) {
  for (const auto& m : ms)
    if (m.ok && m.variant.default_rule && m.variant.format == format && m.distribution == d && m.hadamard == hadamard)
      return &m;
  return nullptr;
}

}  // namespace

std::vector<QuantFinding> quant_findings(const std::vector<QuantMeasurement>& measurements) {
  std::vector<InputDistribution> dists;
  for (const auto& m : measurements) {
    bool seen = false;
    for (auto d : dists) seen |= d == m.distribution;
    if (!seen) dists.push_back(m.distribution);
  }
  std::vector<QuantFinding> out;
  for (const auto& c : kClaims) {
    QuantFinding f;
    f.id = c.id;
    f.claim = c.claim;
    f.source = c.source;
    f.metric = "nmse";
    f.hadamard = c.hadamard;
    f.lower = c.lower;
    f.higher = c.higher;
    f.require_all = c.require_all;
    f.holds_when = c.require_all ? "on every distribution measured" : "on at least one distribution measured";
    size_t holds = 0;
    for (auto d : dists) {
      const auto* lo = find(measurements, c.lower, d, c.hadamard);
      const auto* hi = find(measurements, c.higher, d, c.hadamard);
      if (!lo || !hi) continue;
      const std::string name = distribution_name(d);
      f.distributions.push_back(name);
      f.lower_values[name] = lo->nmse;
      f.higher_values[name] = hi->nmse;
      const bool ok = lo->nmse < hi->nmse;
      f.agrees_by_distribution[name] = ok;
      holds += ok;
    }
    f.evaluated = !f.distributions.empty();
    f.agrees = f.evaluated && (c.require_all ? holds == f.distributions.size() : holds > 0);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace plumb::harness
