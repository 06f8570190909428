// plumb harness: the table `plumb verify` prints, one row per (suite, kernel,
// conversion), the modes and policies of the row folded together.
#pragma once

#include <vector>

#include "plumb/checks/verdict.hpp"

namespace plumb::harness {

// Prints the table, then the counterexamples of every failure as ready-to-paste
// commands. Returns the number of unacceptable verdicts.
size_t print_verify_table(const std::vector<checks::Verdict>& verdicts, bool verbose);

}  // namespace plumb::harness
