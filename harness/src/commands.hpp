// plumb harness: the subcommands of the plumb command. Each takes the
// arguments after its name, returns the exit status and throws
// std::runtime_error for bad usage (main prints it and exits 2).
#pragma once

#include <string>
#include <vector>

namespace plumb::harness {

int command_verify(const std::vector<std::string>& args);
int command_convert(const std::vector<std::string>& args);
int command_formats(const std::vector<std::string>& args);
int command_bench(const std::vector<std::string>& args);
int command_report(const std::vector<std::string>& args);
int command_quant_error(const std::vector<std::string>& args);
int command_quantize(const std::vector<std::string>& args);
int command_lmul_claims(const std::vector<std::string>& args);
int command_fp8_accum(const std::vector<std::string>& args);
int command_check(const std::vector<std::string>& args);  // issue 7: a user's .npy outputs
int command_repro(const std::vector<std::string>& args);  // issue 7: configuration matrices
int command_repro_decode(const std::vector<std::string>& args);  // issue 7: plumb repro --op decode

}  // namespace plumb::harness
