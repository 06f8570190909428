// plumb harness: running a peer's timing script (kernels/peers/*.py) for
// `plumb bench`, and the small file helpers it needs.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace plumb::harness {

struct PeerRun {
  nlohmann::json records = nlohmann::json::array();
  std::string not_measured;  // the reason, when nothing was measured
};

// Runs kernels/peers/<script> with the project's Python and `args` plus
// --json; its BENCH records, or the reason nothing was measured (never a
// made-up number). `label` names the peer in progress messages.
PeerRun run_bench_peer(const std::string& script, const std::string& label,
                       const std::vector<std::string>& args, const std::filesystem::path& tmp);

// The last non-blank line of a text file ("" if none).
std::string last_line(const std::string& path);
// A JSON file's contents, or null when it is missing or not JSON.
nlohmann::json read_json(const std::string& path);

}  // namespace plumb::harness
