// plumb harness: one plugin kernel call in a forked child (plugin_isolation.hpp).
#include "plugin_isolation.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>

namespace plumb::harness {

namespace {

constexpr unsigned char kCanary = 0xa5;
constexpr size_t kMessageBytes = 1024;

size_t page_size() {
  static const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

// Shared, anonymous memory: [guard page][canary slack | buffer][guard page].
// The buffer ends at the upper guard page, so a write one byte past its end
// faults; a write before its start hits the canary (or the lower guard page).
class GuardedBuffer {
 public:
  explicit GuardedBuffer(size_t bytes) : bytes_(bytes) {
    const size_t page = page_size();
    region_ = std::max(page, (bytes + page - 1) / page * page);
    void* p = mmap(nullptr, region_ + 2 * page, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error(std::string("plugin isolation: mmap: ") + std::strerror(errno));
    base_ = static_cast<char*>(p);
    if (mprotect(base_ + page, region_, PROT_READ | PROT_WRITE) != 0)
      throw std::runtime_error(std::string("plugin isolation: mprotect: ") + std::strerror(errno));
    std::memset(base_ + page, kCanary, region_ - bytes_);
  }
  ~GuardedBuffer() { munmap(base_, region_ + 2 * page_size()); }
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  char* data() const { return base_ + page_size() + (region_ - bytes_); }
  size_t bytes() const { return bytes_; }
  // Signed distance of an address from the buffer: < 0 before it, >= bytes past
  // it; true when the address lies in this buffer's guard pages or slack.
  bool near(uintptr_t address, int64_t* offset) const {
    const auto lo = reinterpret_cast<uintptr_t>(base_);
    const auto hi = lo + region_ + 2 * page_size();
    if (address < lo || address >= hi) return false;
    *offset = static_cast<int64_t>(address) - static_cast<int64_t>(reinterpret_cast<uintptr_t>(data()));
    return true;
  }
  // Bytes of the canary slack before the buffer that were overwritten.
  size_t canary_damage() const {
    size_t damaged = 0;
    for (const char* p = base_ + page_size(); p < data(); ++p) damaged += static_cast<unsigned char>(*p) != kCanary;
    return damaged;
  }

 private:
  char* base_ = nullptr;
  size_t region_ = 0, bytes_;
};

struct SharedHeader {
  volatile int status;
  volatile int returned;  // 1 once the kernel function returned
  volatile int fault_signal;
  volatile uintptr_t fault_address;
  char message[kMessageBytes];
};

SharedHeader* g_child_header = nullptr;  // set in the child only

void record_fault(int signal, siginfo_t* info, void*) {
  g_child_header->fault_signal = signal;
  g_child_header->fault_address = reinterpret_cast<uintptr_t>(info->si_addr);
  // SA_RESETHAND made the action the default again: this kills the child
  // (now, or on return for a blocked signal), so the parent sees the signal.
  raise(signal);
}

void install_fault_recorder() {
  static char alt_stack[64 * 1024];
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = sizeof alt_stack;
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_sigaction = record_fault;
  sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL}) sigaction(s, &sa, nullptr);
  // Handlers the parent installed (a test framework's, say) must not catch the kernel's signals.
  for (int s : {SIGABRT, SIGTRAP, SIGSYS, SIGTERM, SIGINT, SIGXCPU}) signal(s, SIG_DFL);
}

std::string signal_name(int s) {
  switch (s) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGTRAP: return "SIGTRAP";
    default: return "signal " + std::to_string(s);
  }
}

std::string where(const std::string& kernel, const std::string& cell) {
  return "plugin kernel " + kernel + " on cell " + cell;
}

// What a fault address says about the outputs ("" when it is elsewhere).
std::string fault_detail(uintptr_t address, const std::vector<std::unique_ptr<GuardedBuffer>>& shared,
                         const std::vector<OutputBuffer>& outputs) {
  for (size_t i = 0; i < shared.size(); ++i) {
    int64_t offset = 0;
    if (!shared[i]->near(address, &offset)) continue;
    const auto bytes = static_cast<int64_t>(shared[i]->bytes());
    const std::string what = std::string("output '") + outputs[i].what + "' (" + std::to_string(bytes) + " bytes)";
    if (offset >= bytes)
      return ": out-of-bounds write " + std::to_string(offset - bytes + 1) + " byte(s) past the end of " + what;
    return ": out-of-bounds write " + std::to_string(-offset) + " byte(s) before the start of " + what;
  }
  return "";
}

plumb_plugin_status run_in_process(const std::vector<OutputBuffer>& outputs, const IsolatedBody& body,
                                   std::string* message) {
  std::vector<void*> data;
  for (const auto& o : outputs) data.push_back(o.data);
  char text[kMessageBytes] = {};
  const auto status = body(data.data(), plumb_plugin_message{text, sizeof text});
  text[sizeof text - 1] = 0;
  if (message) *message = text;
  return status;
}

}  // namespace

plumb_plugin_status run_isolated(const IsolationOptions& options, const std::string& kernel,
                                 const std::string& cell, const std::vector<OutputBuffer>& outputs,
                                 const IsolatedBody& body, std::string* message) {
  if (options.in_process) return run_in_process(outputs, body, message);
  GuardedBuffer header_buffer(sizeof(SharedHeader));
  auto* header = reinterpret_cast<SharedHeader*>(header_buffer.data());
  std::memset(header, 0, sizeof *header);
  header->status = PLUMB_STATUS_ERROR;
  std::vector<std::unique_ptr<GuardedBuffer>> shared;
  std::vector<void*> shared_data;
  for (const auto& o : outputs) {
    shared.push_back(std::make_unique<GuardedBuffer>(o.bytes));
    if (o.bytes) std::memcpy(shared.back()->data(), o.data, o.bytes);
    shared_data.push_back(shared.back()->data());
  }

  const pid_t pid = fork();
  if (pid < 0) {
    if (message) *message = std::string("fork failed: ") + std::strerror(errno) + " (" + where(kernel, cell) + ")";
    return PLUMB_STATUS_ERROR;
  }
  if (pid == 0) {  // the child: call, record, leave without running the parent's exit handlers
    g_child_header = header;
    install_fault_recorder();
    header->status = body(shared_data.data(), plumb_plugin_message{header->message, kMessageBytes});
    header->returned = 1;
    _exit(0);
  }

  const auto start = std::chrono::steady_clock::now();
  const auto limit = std::chrono::duration<double>(options.timeout_seconds);
  auto nap = std::chrono::microseconds(20);
  int wstatus = 0;
  bool timed_out = false;
  for (;;) {
    const pid_t r = waitpid(pid, &wstatus, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) {
      if (message) *message = std::string("waitpid failed: ") + std::strerror(errno);
      return PLUMB_STATUS_ERROR;
    }
    if (std::chrono::steady_clock::now() - start >= limit) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
      }
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(nap);
    nap = std::min(nap * 2, std::chrono::microseconds(2000));
  }

  std::string reason;
  if (timed_out) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", options.timeout_seconds);
    reason = std::string("timed out after ") + seconds + " s (killed): " + where(kernel, cell);
  } else if (WIFSIGNALED(wstatus)) {
    const int s = WTERMSIG(wstatus);
    reason = signal_name(s) + " in " + where(kernel, cell);
    if (header->fault_signal == s) reason += fault_detail(header->fault_address, shared, outputs);
  } else if (!header->returned) {
    reason = where(kernel, cell) + " exited the process (status " + std::to_string(WEXITSTATUS(wstatus)) +
             ") instead of returning";
  } else {
    for (size_t i = 0; i < shared.size() && reason.empty(); ++i)
      if (const size_t damaged = shared[i]->canary_damage())
        reason = "out-of-bounds write: " + std::to_string(damaged) + " byte(s) before the start of output '" +
                 outputs[i].what + "' changed, in " + where(kernel, cell);
  }
  if (!reason.empty()) {
    if (message) *message = reason;
    return PLUMB_STATUS_ERROR;
  }
  for (size_t i = 0; i < shared.size(); ++i)
    if (outputs[i].bytes) std::memcpy(outputs[i].data, shared[i]->data(), outputs[i].bytes);
  header->message[kMessageBytes - 1] = 0;
  if (message) *message = header->message;
  const int status = header->status;
  if (status != PLUMB_STATUS_OK && status != PLUMB_STATUS_NOT_SUPPORTED && status != PLUMB_STATUS_ERROR) {
    if (message) *message = where(kernel, cell) + " returned an unknown status " + std::to_string(status);
    return PLUMB_STATUS_ERROR;
  }
  return static_cast<plumb_plugin_status>(status);
}

}  // namespace plumb::harness
