// plumb harness: JUnit XML for CI systems, one testcase per verdict.
#pragma once

#include <string>
#include <vector>

#include "plumb/checks/verdict.hpp"

namespace plumb::harness {

// Throws std::runtime_error naming the file if it cannot be written.
void write_junit(const std::string& path, const std::vector<checks::Verdict>& verdicts);

}  // namespace plumb::harness
