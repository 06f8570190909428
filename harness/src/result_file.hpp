// plumb harness: the versioned result file (docs/RESULT_SCHEMA.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plumb/checks/verdict.hpp"

namespace plumb::harness {

inline constexpr int kSchemaVersion = 1;

// The top-level object with provenance: schema, created, command, plumb
// (version, commit), machine (CPU, cores, OS, GPUs, driver). Lists are empty.
nlohmann::json new_result(const std::string& command_line);
nlohmann::json machine_info();
nlohmann::json verdict_json(const checks::Verdict& v);
// Writes pretty JSON; throws std::runtime_error naming the file on failure.
void write_json_file(const std::string& path, const nlohmann::json& j);
// The repository root this binary was built from.
std::string source_dir();

}  // namespace plumb::harness
