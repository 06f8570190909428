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

int run_process(const std::vector<std::string>& argv, int out_fd, int err_fd) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("cannot start '" + argv[0] + "' (fork failed)");
  if (pid == 0) {
    if (out_fd >= 0) dup2(out_fd, 1);
    if (err_fd >= 0) dup2(err_fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 128;
}

int run_python(const std::vector<std::string>& args) {
  const std::string python = venv_python();
  if (python.empty())
    throw std::runtime_error("the project's Python environment is missing (" + source_dir() +
                             "/.venv): run tools/setup first");
  const char* old = std::getenv("PYTHONPATH");
  const std::string path = source_dir() + "/reports" + (old && *old ? ":" + std::string(old) : "");
  setenv("PYTHONPATH", path.c_str(), 1);
  setenv("PYTHONUNBUFFERED", "1", 1);
  std::vector<std::string> argv = {python};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

}  // namespace plumb::harness
