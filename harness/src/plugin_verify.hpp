// plumb harness: the --plugin options of `plumb verify` (docs/PLUGINS.md):
// parsing them, loading the plugins into the plugin registry, and the suites
// that judge the ops the plugins implement.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "plugin_registry.hpp"
#include "plumb/checks/verdict.hpp"

namespace plumb::harness {

// Options: --plugin, --plugin-timeout (with a value); --only-plugins, --plugin-in-process.
inline constexpr const char* kPluginUsage =
    "  --plugin LIB.so        also verify the kernels of a plugin (plumb/plugin.h; repeatable);\n"
    "                         without --suite, runs the suites of the plugins' ops\n"
    "  --plugin-timeout S     seconds per plugin kernel call before it is killed (default 60)\n"
    "  --only-plugins         leave out the built-in kernels and the oracle agreement\n"
    "  --plugin-in-process    call plugin kernels in plumb's process (no fork, no isolation)\n";

struct PluginVerifyOptions {
  std::vector<std::string> paths;
  IsolationOptions isolation;
  bool only_plugins = false;
};
// Throws std::runtime_error for a bad --plugin-timeout or --only-plugins without --plugin.
PluginVerifyOptions plugin_verify_options(const CliArgs& a);

// Loads and registers every plugin (one stderr line each); throws on the first bad one.
const PluginRegistry& load_verify_plugins(const PluginVerifyOptions& o);

// The suites that judge the ops of the registry's kernels, in running order.
std::vector<std::string> plugin_suites(const PluginRegistry& r);

// For a verdict of a plugin kernel: each counterexample's command becomes the
// `plumb verify --plugin ...` run that reproduces its cell (`plumb convert`
// does not load plugins). Other verdicts are left alone.
void point_repro_at_plugin(checks::Verdict& v, uint64_t seed);

// The plugin kernels, as `plumb verify --list` lists kernels.
void print_plugin_kernels(const PluginRegistry& r);

// Appends the plugin kernels on a device ("all": every device), as --device selects built-ins.
template <class Kernel>
void append_plugin_kernels(const std::deque<Kernel>& from, std::vector<const Kernel*>& to, const std::string& device) {
  for (const auto& k : from)
    if (device == "all" || device == kernels::device_name(k.device)) to.push_back(&k);
}

}  // namespace plumb::harness
