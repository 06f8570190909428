// plumb harness: running the project's Python tools (reports, peers) with the
// interpreter of the project's virtual environment.
#pragma once

#include <string>
#include <vector>

namespace plumb::harness {

// $PLUMB_PYTHON if set, else <repo>/.venv/bin/python, or "" when the venv
// has not been made.
std::string venv_python();
// Path of this executable (for tools that call plumb back).
std::string self_executable();
// Runs python with PYTHONPATH=<repo>/reports; returns its exit status.
int run_python(const std::vector<std::string>& args);

}  // namespace plumb::harness
