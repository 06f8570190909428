// plumb harness: running one plugin kernel call in a forked child process
// with a time limit (docs/PLUGINS.md, "Isolation"). The child sees the
// parent's memory copy-on-write (so inputs need no copying) and writes its
// outputs into shared memory, each output between PROT_NONE guard pages and
// behind a canary, so a write past either end is caught and named.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "plumb/plugin.h"

namespace plumb::harness {

struct IsolationOptions {
  double timeout_seconds = 60;  // wall clock per call; the child is killed after it
  bool in_process = false;      // call the kernel in plumb's own process (no isolation)
};

// One output array of a kernel call: copied into shared memory before the
// call, and back into `data` when the child exits cleanly.
struct OutputBuffer {
  void* data;
  size_t bytes;
  const char* what;  // "out", "flags", ... for messages
};

// The kernel call itself; `outputs` are the shared copies, in the order given.
using IsolatedBody = std::function<plumb_plugin_status(void* const* outputs, plumb_plugin_message message)>;

// Runs body (in a child unless options.in_process). Returns the kernel's
// status, or PLUMB_STATUS_ERROR with *message naming what happened: "SIGSEGV
// in plugin kernel K on cell C", "timed out after N s ...", "wrote N bytes
// past the end of output 'out' ...". `cell` describes the call for messages.
plumb_plugin_status run_isolated(const IsolationOptions& options, const std::string& kernel,
                                 const std::string& cell, const std::vector<OutputBuffer>& outputs,
                                 const IsolatedBody& body, std::string* message);

}  // namespace plumb::harness
