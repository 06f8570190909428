// plumb repro --plugin (repro_plugin.hpp).
#include "repro_plugin.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "plugin_loader.hpp"
#include "plugin_registry.hpp"
#include "plumb/formats/format_desc.hpp"
#include "repro_ops.hpp"

namespace plumb::harness::repro {

namespace {

const kernels::GemmKernel* g_gemm = nullptr;
const kernels::SoftmaxKernel* g_softmax = nullptr;
PluginCallLog g_log;
std::mutex g_log_mutex;

// One kernel call on the gathered rows; a failed call leaves NaN outputs and a kernel_error entry.
void one_call(const Inputs& in, const std::vector<size_t>& rows, const ExecConfig& cfg, float* out) {
  const size_t k = in.shape.cols, b = rows.size(), m = outputs_per_row(in.op, in.shape);
  std::vector<float> a(b * k);
  for (size_t e = 0; e < b; ++e) std::memcpy(a.data() + e * k, in.x.data() + rows[e] * k, k * sizeof(float));
  std::string message;
  kernels::KernelStatus st;
  if (g_gemm) {
    kernels::GemmArgs args;
    args.kind = kernels::GemmKind::fp32;
    args.m = b;
    args.n = in.shape.n;
    args.k = k;
    args.a_f32 = a.data();
    args.b_f32 = in.w.data();
    st = g_gemm->fn(args, out, nullptr, &message);
  } else {
    st = g_softmax->fn(formats::fp32, formats::fp32, a.data(), out, b, k, &message);
  }
  const std::lock_guard lock(g_log_mutex);
  ++g_log.calls;
  if (st == kernels::KernelStatus::ok) return;
  std::fill(out, out + b * m, std::numeric_limits<float>::quiet_NaN());
  g_log.errors.push_back(cfg.label() + ", " + std::to_string(b) + " rows: " +
                         (st == kernels::KernelStatus::not_supported ? "not_supported: " : "") + message);
}

// threads = T > 1: T identical calls at once from T std::threads. The
// configuration's outputs are those of the first thread whose outputs differ
// bitwise from thread 0's (so a disagreement shows in the pair), else thread 0's.
void plugin_call(const Inputs& in, const std::vector<size_t>& rows, const ExecConfig& cfg, float* out) {
  if (cfg.threads <= 1) return one_call(in, rows, cfg, out);
  const size_t n = rows.size() * outputs_per_row(in.op, in.shape);
  std::vector<std::vector<float>> outs(cfg.threads, std::vector<float>(n));
  std::vector<std::thread> pool;
  for (size_t t = 0; t < cfg.threads; ++t) pool.emplace_back([&, t] { one_call(in, rows, cfg, outs[t].data()); });
  for (auto& th : pool) th.join();
  size_t pick = 0;
  for (size_t t = 1; t < cfg.threads && pick == 0; ++t)
    if (std::memcmp(outs[t].data(), outs[0].data(), n * sizeof(float)) != 0) pick = t;
  std::memcpy(out, outs[pick].data(), n * sizeof(float));
  const std::lock_guard lock(g_log_mutex);
  ++g_log.concurrent_groups;
  if (pick) ++g_log.disagreeing_groups;
}

}  // namespace

PluginReproOptions plugin_repro_options(const CliArgs& a) {
  PluginReproOptions o;
  o.path = a.value("plugin").value_or("");
  o.kernel = a.value("kernel").value_or("");
  o.isolation.in_process = a.has("plugin-in-process");
  if (const auto t = a.value("plugin-timeout")) {
    char* end = nullptr;
    const double s = std::strtod(t->c_str(), &end);
    if (t->empty() || *end != 0 || !std::isfinite(s) || s <= 0 || s > 86400)
      throw std::runtime_error("--plugin-timeout: expected seconds in (0, 86400], got '" + *t + "'");
    o.isolation.timeout_seconds = s;
  }
  if (o.path.empty() && (!o.kernel.empty() || a.has("plugin-in-process") || a.value("plugin-timeout")))
    throw std::runtime_error("--kernel, --plugin-timeout and --plugin-in-process need --plugin");
  return o;
}

std::string plugin_axis_not_applicable(AxisKind kind) {
  switch (kind) {
    case AxisKind::split: return "the plugin ABI exposes no split-K / split-KV factor";
    case AxisKind::tile: return "the plugin ABI exposes no tile width";
    case AxisKind::gpus: return "the plugin ABI has no sharded (tensor-parallel) call";
    case AxisKind::streams:
    case AxisKind::workspace:
    case AxisKind::atomics:
    case AxisKind::recipe: return "a --device cuda axis (plugin kernels run with --device cpu)";
    default: return "";
  }
}

std::string plugin_threads_note(const IsolationOptions& isolation) {
  return isolation.in_process
             ? "plugin kernel: threads=T makes T identical calls at once from T threads of plumb's process "
               "(--plugin-in-process): a test of the kernel's thread safety; the configuration shows the first "
               "thread whose outputs differ from thread 0's"
             : "plugin kernel: threads=T makes T identical calls at once from T threads, each in its own forked "
               "child (isolation): this tests concurrent isolated calls, not in-process thread safety (use "
               "--plugin-in-process for that)";
}

std::string use_plugin_kernel(const PluginReproOptions& o, Op op, Dtype dtype) {
  if (op != Op::gemm && op != Op::softmax)
    throw std::runtime_error(std::string("--plugin runs --op gemm or softmax (the ops the plugin ABI and repro "
                                         "share), not ") + op_name(op));
  if (dtype != Dtype::fp32)
    throw std::runtime_error("--plugin: the plugin kernel is called on fp32 operands (--dtype fp32)");
  const LoadedPlugin& p = keep_plugin(o.path);
  const PluginRegistry& r = register_plugin(p, o.isolation);
  const uint32_t want = op == Op::gemm ? PLUMB_OP_GEMM : PLUMB_OP_SOFTMAX;
  std::vector<std::string> names;
  for (const auto& k : p.kernels)
    if (k.desc.op == want && (o.kernel.empty() || o.kernel == k.desc.name)) names.push_back(k.desc.name);
  if (names.empty())
    throw std::runtime_error("plugin " + o.path + " has no " + op_name(op) + " kernel" +
                             (o.kernel.empty() ? "" : " named " + o.kernel));
  if (names.size() > 1) {
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw std::runtime_error("plugin " + o.path + " has several " + op_name(op) + " kernels (" + list +
                             "): pick one with --kernel");
  }
  g_gemm = nullptr;
  g_softmax = nullptr;
  for (const auto& k : r.gemm)
    if (op == Op::gemm && names[0] == k.name) g_gemm = &k;
  for (const auto& k : r.softmax)
    if (op == Op::softmax && names[0] == k.name) g_softmax = &k;
  if (!g_gemm && !g_softmax) throw std::runtime_error("plugin kernel " + names[0] + " is not in the registry");
  set_default_kernel(plugin_call);
  std::fprintf(stderr, "plumb repro: plugin %s (ABI %u): default kernel %s\n", o.path.c_str(), p.abi_version,
               names[0].c_str());
  return "plugin kernel " + names[0] + " (" + o.path + ")";
}

const PluginCallLog& plugin_call_log() { return g_log; }

}  // namespace plumb::harness::repro
