// plumb harness: the ops of `plumb check` (command_check.cpp dispatches).
// Each reads the user's .npy files named by the positional arguments, runs
// the op's check from suites/support on them (through check_replay.hpp) and
// returns finish_check's exit status; bad input throws std::runtime_error
// (one line naming the file and what was expected; exit 2).
#pragma once

#include "check_report.hpp"
#include "cli_args.hpp"

namespace plumb::harness {

int check_convert_op(const CliArgs& a, CheckContext& context);
int check_quantize_op(const CliArgs& a, CheckContext& context);
int check_softmax_op(const CliArgs& a, CheckContext& context);
int check_lmul_op(const CliArgs& a, CheckContext& context);
int check_gemm_op(const CliArgs& a, CheckContext& context);

// Throws unless exactly `count` positional arguments were given ("INPUT.npy
// OUTPUT.npy").
void require_files(const CliArgs& a, size_t count, const char* names);
// Overflow policy from --overflow (fallback when absent); throws listing the
// valid names.
Overflow parse_overflow_option(const CliArgs& a, Overflow fallback);

}  // namespace plumb::harness
