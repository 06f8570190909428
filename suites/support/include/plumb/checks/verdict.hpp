// plumb checks: the one verdict type, shared by the Catch2 suites, the plumb
// command, the result files and the JUnit writer.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/rounding.hpp"

namespace plumb::checks {

enum class Disposition : uint8_t { passed, incorrect, kernel_error, not_supported, skipped };
const char* disposition_name(Disposition d);

// One case on which the kernel and the oracle differ.
struct Counterexample {
  uint64_t input = 0;  // code of the source format
  uint32_t rbits = 0;  // stochastic-rounding bits given to both
  uint64_t got = 0;
  uint8_t got_flags = 0;
  uint64_t expected = 0;
  uint8_t expected_flags = 0;
  // Ops other than convert (block quantisation): the counterexample in words
  // (block, inputs, codes), printed instead of the code line, and the command
  // that reproduces it (repro_command returns it when set).
  std::string detail = "";
  std::string command = "";
};

// Differences of one class between a vendor kernel and the oracle
// (docs/VENDOR_DIFFERENCES.md; suites/support vendor_differences.hpp).
struct DifferenceClass {
  std::string name;        // "nan_sign", "rounding", ...
  std::string documented;  // "docs/VENDOR_DIFFERENCES.md#cuda-nan-sign"; "" when undocumented
  uint64_t count = 0;
  Counterexample example;  // the first case of the class
};

struct Verdict {
  std::string suite;
  std::string kernel;
  std::string device = "cpu";
  std::string op = "convert";
  std::string label = "";  // ops other than convert: the cell ("mxfp4 floor"), shown instead of from->to
  FormatDesc from{};
  FormatDesc to{};
  RoundingSpec spec{};
  Disposition disposition = Disposition::skipped;
  bool expected_failure = false;  // a planted bug: the check must catch it
  uint64_t cases = 0;
  uint64_t mismatches = 0;
  uint64_t flag_mismatches = 0;  // code right, flags wrong
  int64_t max_ulp = 0;           // -1: a NaN was compared with a non-NaN
  std::vector<Counterexample> counterexamples;
  std::string message;
  double seconds = 0;
  // Vendor kernels (Judged::cuda_vendor) only: every difference by class. The
  // cell passed when each class is documented.
  std::vector<DifferenceClass> differences;
  // Named measurements of the cell for reports (GEMM: max_rel_error,
  // mean_rel_error, max_bound_fraction, ...; docs/RESULT_SCHEMA.md "metrics").
  std::vector<std::pair<std::string, double>> metrics;

  // A planted bug counts as good when caught; everything else when passed.
  // Honestly skipped or not-supported cells are acceptable for both.
  bool acceptable() const;
};

// The verdict that fails a suite when no cell caught its planted bug
// (label "all cells"; the same text for every op's suite).
Verdict planted_not_caught(const std::string& suite, const std::string& kernel,
                           const std::string& device, const std::string& op);

const char* rounding_name(Rounding r);
const char* overflow_name(Overflow o);
bool parse_rounding(const std::string& s, Rounding& r);
bool parse_overflow(const std::string& s, Overflow& o);
std::string flags_to_string(uint8_t flags);  // "inexact|overflow", "-" for none
std::string hex_code(uint64_t code);

// A `plumb convert` command line that reproduces one counterexample.
std::string repro_command(const Verdict& v, const Counterexample& c);
// One-line description: "exhaustive_fp16 cpu_scalar fp16->e4m3fn nearest_even/saturate".
std::string describe(const Verdict& v);

}  // namespace plumb::checks
