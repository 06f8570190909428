// plumb harness: how `plumb check` ends: the verdict and its counterexamples
// on stdout, the result file (--json, docs/RESULT_SCHEMA.md), the exit status.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plumb/checks/verdict.hpp"

namespace plumb::harness {

struct CheckContext {
  std::string command_line;        // the `plumb check ...` line that reruns the check
  std::vector<std::string> notes;  // printed before the verdict ("OUT.npy: uint8 codes of e4m3fn")
  std::optional<std::string> json_path;
};

inline constexpr size_t kCheckCounterexamples = 10;

// Prints the verdict (passed / incorrect), cases, mismatches, max ULP, the
// message and up to kCheckCounterexamples counterexamples (their detail and
// the command that reproduces them), writes the result file when asked, and
// returns the exit status of `plumb verify`: 0 passed, 1 incorrect, 2 when
// the check could not run (kernel_error / not_supported: bad input).
int finish_check(const checks::Verdict& v, const CheckContext& context);

}  // namespace plumb::harness
