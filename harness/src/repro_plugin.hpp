// plumb repro --plugin (docs/REPRO_SEMANTICS.md "Plugin kernels"): a
// plugin's GEMM or softmax kernel (plumb/plugin.h) becomes the default
// variant of the repro op, called through the plugin registry (so every call
// runs under the plugin isolation: a crash, hang or overrun is a kernel_error
// row and the run goes on). Only the axes an opaque kernel can be run under
// apply: batch, threads (concurrent calls), repeats, fresh.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "plugin_isolation.hpp"
#include "repro_axes.hpp"
#include "repro_types.hpp"

namespace plumb::harness::repro {

inline constexpr const char* kPluginReproUsage =
    "  --plugin LIB.so           the default kernel is the plugin's GEMM / softmax kernel (--op gemm|softmax,\n"
    "                            --dtype fp32); axes batch, threads, repeats, fresh (split, tile, gpus: not\n"
    "                            applicable); the invariant column stays plumb's built-in invariant kernel\n"
    "  --kernel NAME             which kernel of the plugin (needed when it has several for the op)\n"
    "  --plugin-timeout S (60)   seconds per plugin call      --plugin-in-process   no fork isolation\n";

struct PluginReproOptions {
  std::string path;    // --plugin; empty: no plugin
  std::string kernel;  // --kernel; empty: the plugin's only kernel for the op
  IsolationOptions isolation;
};
PluginReproOptions plugin_repro_options(const CliArgs& a);  // throws on bad values

// Why an axis does not apply to a plugin kernel; "" when it does.
std::string plugin_axis_not_applicable(AxisKind kind);

// Loads and registers the plugin, picks its kernel for op and makes it the
// default kernel (set_default_kernel). Returns "plugin kernel NAME (PATH)".
// Throws for an op other than gemm / softmax, a dtype other than fp32, or no
// (or more than one, without --kernel) matching kernel.
std::string use_plugin_kernel(const PluginReproOptions& o, Op op, Dtype dtype);

// What the plugin calls did, for the report.
struct PluginCallLog {
  size_t calls = 0;
  std::vector<std::string> errors;     // one per failed call: "<config>, N rows: <reason>"
  size_t concurrent_groups = 0;        // threads > 1: groups of concurrent identical calls
  size_t disagreeing_groups = 0;       // ... whose outputs were not all bitwise identical
};
const PluginCallLog& plugin_call_log();
// The threads axis's note for a plugin kernel (what "threads" means there).
std::string plugin_threads_note(const IsolationOptions& isolation);

}  // namespace plumb::harness::repro
