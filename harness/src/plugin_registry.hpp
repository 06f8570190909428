// plumb harness: plugin kernels as registry entries. Every kernel of a loaded
// plugin becomes a ConvertKernel / BlockKernel / SoftmaxKernel / LmulKernel /
// GemmKernel whose function calls the plugin's C function through
// run_isolated (plugin_isolation.hpp), so the suites run built-in and plugin
// kernels through one path. Function pointers carry no state, so each entry
// gets a trampoline from a fixed pool per op (kPluginSlotsPerOp).
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "plugin_isolation.hpp"
#include "plugin_loader.hpp"
#include "plumb/kernels/block_kernel.hpp"
#include "plumb/kernels/gemm_kernel.hpp"
#include "plumb/kernels/lmul_kernel.hpp"
#include "plumb/kernels/softmax_kernel.hpp"

namespace plumb::harness {

inline constexpr size_t kPluginSlotsPerOp = 64;

struct PluginRegistry {
  std::deque<kernels::ConvertKernel> convert;
  std::deque<kernels::BlockKernel> block;
  std::deque<kernels::SoftmaxKernel> softmax;
  std::deque<kernels::LmulKernel> lmul;
  std::deque<kernels::GemmKernel> gemm;
  // The plugin kernel behind each entry, by entry name.
  std::vector<const PluginKernel*> sources;
  bool empty() const { return sources.empty(); }
};

// Adapts every kernel of the plugin into the process-wide plugin registry and
// returns it. options apply to every call (CUDA kernels always run in process:
// docs/PLUGINS.md). Throws when a name is taken by a built-in kernel or an
// earlier plugin, or when an op has more than kPluginSlotsPerOp kernels.
const PluginRegistry& register_plugin(const LoadedPlugin& plugin, const IsolationOptions& options);
const PluginRegistry& plugin_registry();

}  // namespace plumb::harness
