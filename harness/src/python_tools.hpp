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
// Runs argv (argv[0] found on PATH if it has no slash); stdout / stderr go to
// the given descriptors (-1: inherited). Returns the exit status (127: could
// not start, 128 + n: killed by signal n).
int run_process(const std::vector<std::string>& argv, int out_fd = -1, int err_fd = -1);
// Runs python with PYTHONPATH=<repo>/reports; returns its exit status.
int run_python(const std::vector<std::string>& args);

}  // namespace plumb::harness
