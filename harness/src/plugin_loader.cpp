// plumb harness: loading and checking plugins (plugin_loader.hpp).
#include "plugin_loader.hpp"

#include <dlfcn.h>

#include <cctype>

#include <set>
#include <stdexcept>

namespace plumb::harness {

namespace {

std::deque<LoadedPlugin>& plugins() {
  static std::deque<LoadedPlugin> list;
  return list;
}

std::vector<std::string> split_formats(const char* text) {
  std::vector<std::string> out;
  if (!text) return out;
  std::string current;
  for (const char* p = text;; ++p) {
    if (*p == ',' || *p == 0) {
      if (!current.empty()) out.push_back(current);
      current.clear();
      if (*p == 0) break;
    } else if (*p != ' ') {
      current += *p;
    }
  }
  return out;
}

bool valid_name(const char* name) {
  if (!name || !*name) return false;
  for (const char* p = name; *p; ++p)
    if (!(std::isalnum(static_cast<unsigned char>(*p)) || *p == '_')) return false;
  return true;
}

// The function an op needs; "" when present.
std::string missing_function(const plumb_plugin_kernel& k) {
  switch (k.op) {
    case PLUMB_OP_CONVERT: return k.convert ? "" : "convert";
    case PLUMB_OP_BLOCK_QUANTIZE: return k.quantize && k.dequantize ? "" : "quantize and dequantize";
    case PLUMB_OP_SOFTMAX: return k.softmax ? "" : "softmax";
    case PLUMB_OP_GEMM: return k.gemm ? "" : "gemm";
    case PLUMB_OP_LMUL: return k.lmul_elementwise || k.lmul_dot || k.lmul_gemm ? "" : "one of lmul_elementwise, lmul_dot, lmul_gemm";
  }
  return "";
}

}  // namespace

const char* plugin_op_name(uint32_t op) {
  switch (op) {
    case PLUMB_OP_CONVERT: return "convert";
    case PLUMB_OP_BLOCK_QUANTIZE: return "block_quantize";
    case PLUMB_OP_SOFTMAX: return "softmax";
    case PLUMB_OP_GEMM: return "gemm";
    case PLUMB_OP_LMUL: return "lmul";
  }
  return "?";
}

bool PluginKernel::takes(const std::string& format_name) const {
  if (formats.empty()) return true;
  for (const auto& f : formats)
    if (f == format_name) return true;
  return false;
}

std::string PluginKernel::formats_text() const {
  if (formats.empty()) return "any";
  std::string s;
  for (const auto& f : formats) s += (s.empty() ? "" : ",") + f;
  return s;
}

LoadedPlugin load_plugin(const std::string& path) {
  const std::string who = "plugin " + path + ": ";
  // A path without a slash would make dlopen search the library path; plumb
  // loads exactly the file named.
  const std::string open_path = path.find('/') == std::string::npos ? "./" + path : path;
  LoadedPlugin p;
  p.path = path;
  p.handle = dlopen(open_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!p.handle) throw std::runtime_error(who + "cannot load: " + dlerror());
  const auto symbol = [&](const char* name) {
    dlerror();
    void* s = dlsym(p.handle, name);
    if (!s)
      throw std::runtime_error(who + "missing symbol " + name + " (is it a plumb plugin? see docs/PLUGINS.md)");
    return s;
  };
  auto version_fn = reinterpret_cast<plumb_plugin_abi_version_fn>(symbol(PLUMB_PLUGIN_ABI_VERSION_SYMBOL));
  p.abi_version = version_fn();
  if (p.abi_version != PLUMB_PLUGIN_ABI_VERSION)
    throw std::runtime_error(who + "ABI version " + std::to_string(p.abi_version) + ", but this plumb speaks " +
                             std::to_string(PLUMB_PLUGIN_ABI_VERSION) + " (rebuild it against this plumb/plugin.h)");
  auto kernels_fn = reinterpret_cast<plumb_plugin_kernels_fn>(symbol(PLUMB_PLUGIN_KERNELS_SYMBOL));
  size_t count = 0;
  const plumb_plugin_kernel* table = kernels_fn(&count);
  if (!table || count == 0) throw std::runtime_error(who + "its kernel table is empty");
  std::set<std::string> names;
  for (size_t i = 0; i < count; ++i) {
    const auto& d = table[i];
    const std::string entry = who + "kernel " + std::to_string(i) + (d.name ? " (" + std::string(d.name) + ")" : "");
    if (!valid_name(d.name)) throw std::runtime_error(entry + ": name must be non-empty [A-Za-z0-9_]");
    if (std::string(plugin_op_name(d.op)) == "?")
      throw std::runtime_error(entry + ": unknown op " + std::to_string(d.op));
    if (d.device != PLUMB_DEVICE_CPU && d.device != PLUMB_DEVICE_CUDA)
      throw std::runtime_error(entry + ": unknown device " + std::to_string(d.device));
    if (const auto m = missing_function(d); !m.empty())
      throw std::runtime_error(entry + ": op " + plugin_op_name(d.op) + " needs " + m);
    if (d.op == PLUMB_OP_SOFTMAX && (d.softmax_algorithm > PLUMB_SOFTMAX_ONLINE || d.softmax_lanes == 0))
      throw std::runtime_error(entry + ": softmax_algorithm must be 0..3 and softmax_lanes >= 1");
    if (!names.insert(d.name).second) throw std::runtime_error(entry + ": duplicate kernel name");
    p.kernels.push_back(PluginKernel{path, d, split_formats(d.formats)});
  }
  return p;
}

const std::deque<LoadedPlugin>& loaded_plugins() { return plugins(); }

const LoadedPlugin& keep_plugin(const std::string& path) {
  plugins().push_back(load_plugin(path));
  return plugins().back();
}

}  // namespace plumb::harness
