// plumb checks: judging a vendor kernel from class counts made on the device
// (the exhaustive fp32 sweep of NVIDIA's intrinsics, kernels/include/plumb/
// kernels/cuda_nv_sweep.hpp), where the host sees only the first few examples
// of each class. The examples are re-classified with the shared classifier
// (vendor_differences.hpp); the verdict lists the documented classes with
// their full counts, as judge_cuda_vendor_codes does for the other suites.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plumb/checks/verdict.hpp"

namespace plumb::checks {

// One class of differences as the device counted it.
struct DeviceClassTally {
  std::string name;  // the device's class: a classifier class (nan_sign...) or a coarse one (finite...)
  uint64_t count = 0;
  std::vector<Counterexample> examples;  // the first few found (at most count)
};

// Fills v.mismatches (all differences), v.differences, v.counterexamples (the
// examples of undocumented classes, at most max_counterexamples), v.max_ulp
// (given: over the undocumented differences), v.disposition and v.message.
// v.from, v.to, v.spec and v.cases must be set. Per device class:
//  - named after a documented classifier class (cuda_documented_anchor):
//    every example must re-classify to that name; the class is listed with
//    the device's count. An example that does not is a disagreement between
//    device and host: listed as the undocumented class
//    "device_host_disagreement", so the cell fails;
//  - any other class is undocumented: when every difference was kept, the
//    examples are listed by their re-classified names (rounding, other...),
//    otherwise under the device's name with its count, and the message names
//    what the examples re-classify to.
void judge_device_class_tallies(Verdict& v, const std::vector<DeviceClassTally>& tallies, int64_t max_ulp,
                                size_t max_counterexamples);

}  // namespace plumb::checks
