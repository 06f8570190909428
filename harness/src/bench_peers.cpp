// plumb harness: peer timing scripts for plumb bench (see bench_peers.hpp).
#include "bench_peers.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "python_tools.hpp"
#include "result_file.hpp"

namespace plumb::harness {

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception&) {
    return nullptr;
  }
}

PeerRun run_bench_peer(const std::string& script, const std::string& label,
                       const std::vector<std::string>& args, const std::filesystem::path& tmp) {
  PeerRun run;
  const std::string python = venv_python();
  const std::string path = source_dir() + "/kernels/peers/" + script;
  if (python.empty()) {
    run.not_measured = "no Python for the peer: run tools/setup (or set PLUMB_PYTHON)";
    return run;
  }
  if (!std::filesystem::exists(path)) {
    run.not_measured = "the peer script is missing (" + path + ")";
    return run;
  }
  const std::string out = (tmp / (label + ".json")).string(), log = (tmp / (label + ".log")).string();
  const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::fprintf(stderr, "plumb bench: timing the peer (%s) with %s\n", label.c_str(), python.c_str());
  std::vector<std::string> argv = {python, path};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--json", out});
  const int rc = run_process(argv, fd, fd);
  if (fd >= 0) close(fd);
  const nlohmann::json j = read_json(out);
  if (rc != 0 || j.is_null()) {
    const std::string why = last_line(log);
    run.not_measured = script + " failed (exit " + std::to_string(rc) + ")" + (why.empty() ? "" : ": " + why);
    return run;
  }
  run.records = j.value("benchmarks", nlohmann::json::array());
  if (run.records.empty()) run.not_measured = script + " reported no benchmarks";
  return run;
}

}  // namespace plumb::harness
