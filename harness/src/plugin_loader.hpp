// plumb harness: loading plugins (harness/include/plumb/plugin.h). A loaded
// plugin is its path, its library handle and its checked kernel table; the
// registry adapter (plugin_registry.hpp) turns the table into registry
// entries that `plumb verify` (and later `plumb repro`) run like built-ins.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "plumb/plugin.h"

namespace plumb::harness {

const char* plugin_op_name(uint32_t op);  // "convert", "block_quantize", ...; "?" when unknown

// One entry of a plugin's kernel table, checked (plugin_loader.cpp says what).
struct PluginKernel {
  std::string plugin_path;
  plumb_plugin_kernel desc;          // as the plugin gave it; its strings live in the library
  std::vector<std::string> formats;  // desc.formats split at commas; empty: any format
  bool takes(const std::string& format_name) const;
  std::string formats_text() const;  // "fp32,e4m3fn" or "any"
};

struct LoadedPlugin {
  std::string path;
  void* handle = nullptr;  // dlopen handle, never closed (the registry points into it)
  uint32_t abi_version = 0;
  std::vector<PluginKernel> kernels;
};

// dlopen + ABI version check + table check. Throws std::runtime_error naming
// the plugin and the problem: no such file, a missing symbol, an ABI version
// other than PLUMB_PLUGIN_ABI_VERSION, an entry without a name, an unknown op
// or device, a missing function for its op, a duplicate name.
LoadedPlugin load_plugin(const std::string& path);

// Every plugin loaded so far in this process (stable addresses).
const std::deque<LoadedPlugin>& loaded_plugins();
// Loads a plugin and keeps it in loaded_plugins(); returns it.
const LoadedPlugin& keep_plugin(const std::string& path);

}  // namespace plumb::harness
