// plumb harness: the published findings on block formats (BACKGROUND.md),
// checked against plumb's own quantisation-error measurements. Each finding
// compares the NMSE of two formats (each under its own scale rule) on every
// distribution measured; the verdict is computed from the data, never
// written in advance.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "quant_error.hpp"

namespace plumb::harness {

struct QuantFinding {
  std::string id;         // mxint8_vs_mxfp8, nvfp4_vs_mxfp4, nvint4_vs_nvfp4_hadamard
  std::string claim;      // what the paper says, in words
  std::string source;     // the paper
  std::string metric;     // "nmse"
  bool hadamard = false;  // the condition compared (with or without the transform)
  std::string lower;      // the format the claim says has the lower error
  std::string higher;     // the one it is compared with
  bool require_all = true;  // agrees when lower < higher on every distribution
                            // (else: on at least one, for "can beat" claims)
  std::string holds_when;   // the rule above in words
  // Per distribution measured: the two formats' metric values, and lower < higher.
  std::vector<std::string> distributions;
  std::map<std::string, double> lower_values, higher_values;
  std::map<std::string, bool> agrees_by_distribution;
  bool evaluated = false;  // false: a format or all its measurements are missing
  bool agrees = false;
};

// The findings that the measurements allow (a finding whose formats were not
// measured comes back with evaluated = false and says so).
std::vector<QuantFinding> quant_findings(const std::vector<QuantMeasurement>& measurements);

}  // namespace plumb::harness
