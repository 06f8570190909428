// plumb repro: running an op under a matrix of configurations and judging
// each axis (docs/REPRO_SEMANTICS.md). Both variants run on the user's input
// and on the vacuity witness input; every configuration of an axis is
// compared with the axis's first (baseline) configuration.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "repro_axes.hpp"
#include "repro_inputs.hpp"
#include "repro_metrics.hpp"
#include "repro_types.hpp"

namespace plumb::harness::repro {

struct ReproOptions {
  Op op = Op::sum;
  Dtype dtype = Dtype::fp32;
  Shape shape;
  uint64_t seed = 1;
  InputKind input = InputKind::normal;
  std::vector<AxisKind> axes;
  AxisOptions axis;
  bool reference = true;     // compute the MPFR / exact reference (slow for big shapes)
  size_t timing_repeats = 9;
  // Non-empty: the default variant is this replacement kernel (`plumb repro
  // --plugin`, set_default_kernel in repro_ops.hpp), e.g. "plugin kernel
  // example_gemm_naive (libplumb_example_plugin.so)"; the vacuity witness
  // stays the built-in default kernel's (or the replacement's own variation).
  std::string default_kernel;
  std::vector<std::pair<AxisKind, std::string>> notes;  // extra per-axis notes (AxisResult::note)
};

// What one process contributes to the fresh-process axis: the baseline
// configuration's outputs, [variant][0: user input, 1: witness input].
struct BaselineRuns {
  Outputs run[2][2];
};
BaselineRuns baseline_runs(const ReproOptions& o);
using FreshSource = std::function<BaselineRuns(size_t process)>;  // process 1..N

struct Vacuity {
  bool observable = false;
  std::string witness;  // the input, configurations and values that showed it
  // bf16-output ops: observed on the fp32 value before the bf16 output
  // rounding (no bf16 output changed); the invariant verdict then also
  // requires identical pre-rounding values.
  bool pre_rounding = false;
};

struct VariantAxisResult {
  std::string verdict;                   // "invariant", "varies", "not observable"
  std::vector<PairStats> pairs;          // baseline vs config i (i >= 1), user input
  std::vector<bool> witness_identical;   // the same pairs on the witness input
  uint64_t worst_spread = 0;             // max over outputs of (max - min) ordinal over configs
};

struct AxisResult {
  AxisSpec spec;
  Vacuity vacuity;
  VariantAxisResult variant[2];  // [Variant::standard, Variant::invariant]
  std::string note;              // e.g. why gpus cannot change attention
};

struct ReproSummary {
  double identical_fraction[2] = {1, 1};  // rows bitwise identical over every pair of every axis
  size_t distinct_outputs[2] = {1, 1};    // max over rows of distinct outputs in `repeats` runs
  size_t repeats = 0;
  uint64_t worst_spread[2] = {0, 0};
};

struct ReproTiming {
  double default_ms = 0, invariant_ms = 0;  // medians, all rows in one call, one thread
  size_t repeats = 0;
};

struct ReproResult {
  ReproOptions options;
  std::vector<AxisResult> axes;
  ReproSummary summary;
  ReproTiming timing;
  bool have_reference = false;
  uint64_t reference_ulp[2] = {0, 0};  // baseline's max ULP vs the reference, per variant
};

ReproResult run_repro(const ReproOptions& o, const FreshSource& fresh);

}  // namespace plumb::harness::repro
