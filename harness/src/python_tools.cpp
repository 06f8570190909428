// plumb harness: Python tools (see python_tools.hpp).
#include "python_tools.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "result_file.hpp"

namespace plumb::harness {

std::string venv_python() {
  if (const char* env = std::getenv("PLUMB_PYTHON"); env && *env) return env;  // e.g. the GPU machine's
  const std::string p = source_dir() + "/.venv/bin/python";
  return std::filesystem::exists(p) ? p : "";
}

std::string self_executable() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "plumb";
}

int run_python(const std::vector<std::string>& args) {
  const std::string python = venv_python();
  if (python.empty())
    throw std::runtime_error("the project's Python environment is missing (" + source_dir() +
                             "/.venv): run tools/setup first");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("cannot start python (fork failed)");
  if (pid == 0) {
    const char* old = std::getenv("PYTHONPATH");
    const std::string path = source_dir() + "/reports" + (old && *old ? ":" + std::string(old) : "");
    setenv("PYTHONPATH", path.c_str(), 1);
    setenv("PYTHONUNBUFFERED", "1", 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(python.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(python.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

}  // namespace plumb::harness
