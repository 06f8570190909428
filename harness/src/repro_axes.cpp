// plumb repro: the axes' configuration lists (repro_axes.hpp).
#include "repro_axes.hpp"

#include <sstream>
#include <stdexcept>

namespace plumb::harness::repro {

namespace {
struct AxisName {
  AxisKind kind;
  const char* name;
};
constexpr AxisName kAxes[] = {{AxisKind::batch, "batch"},     {AxisKind::split, "split"},
                              {AxisKind::tile, "tile"},       {AxisKind::threads, "threads"},
                              {AxisKind::gpus, "gpus"},       {AxisKind::repeats, "repeats"},
                              {AxisKind::fresh, "fresh"},     {AxisKind::streams, "streams"},
                              {AxisKind::workspace, "workspace"}, {AxisKind::atomics, "atomics"},
                              {AxisKind::recipe, "recipe"}};
// cuBLAS workspace sizes of the workspace axis (bytes; -1: cuBLAS's default).
constexpr long long kWorkspaces[] = {-1, 0, 1ll << 20, 32ll << 20};
}  // namespace

std::vector<size_t> default_batches() {
  std::vector<size_t> b;
  for (size_t i = 1; i <= 16; ++i) b.push_back(i);
  for (size_t p = 32; p <= 4096; p *= 2) {
    b.push_back(p - 1);
    b.push_back(p);
    if (p < 4096) b.push_back(p + 1);
  }
  return b;
}

AxisKind parse_axis(const std::string& name) {
  for (const auto& a : kAxes)
    if (name == a.name) return a.kind;
  throw std::runtime_error("unknown --axis '" + name +
                           "' (batch, split, tile, threads, gpus, repeats, fresh, streams, workspace, atomics, "
                           "recipe, all)");
}

bool axis_supported(AxisKind kind, Device device) {
  switch (kind) {
    case AxisKind::batch:
    case AxisKind::repeats:
    case AxisKind::fresh: return true;
    case AxisKind::split:
    case AxisKind::tile:
    case AxisKind::threads:
    case AxisKind::gpus: return device == Device::cpu;
    case AxisKind::streams:
    case AxisKind::workspace:
    case AxisKind::atomics:
    case AxisKind::recipe: return device == Device::cuda;
  }
  return false;
}

void check_axes(const std::vector<AxisKind>& axes, Device device) {
  std::string supported;
  for (const auto& a : kAxes)
    if (axis_supported(a.kind, device)) supported += std::string(supported.empty() ? "" : ", ") + a.name;
  for (AxisKind k : axes)
    if (!axis_supported(k, device))
      for (const auto& a : kAxes)
        if (a.kind == k)
          throw std::runtime_error(std::string("--axis ") + a.name + " does not apply to --device " +
                                   device_name(device) + " (its axes: " + supported + ")");
}

std::vector<AxisKind> parse_axes(const std::string& list, Device device) {
  std::vector<AxisKind> out;
  if (list == "all") {
    for (const auto& a : kAxes)
      if (axis_supported(a.kind, device)) out.push_back(a.kind);
    return out;
  }
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(parse_axis(item));
  if (out.empty()) throw std::runtime_error("--axis needs at least one axis");
  return out;
}

ExecConfig base_config(Device device) {
  ExecConfig c;
  c.device = device;
  return c;
}

AxisSpec make_axis(AxisKind kind, const AxisOptions& o) {
  AxisSpec a;
  a.kind = kind;
  for (const auto& n : kAxes)
    if (n.kind == kind) a.name = n.name;
  const ExecConfig base = base_config(o.device);
  auto add = [&](ExecConfig c, std::string label) {
    a.configs.push_back(c);
    a.labels.push_back(std::move(label));
  };
  // One configuration per value of one size field of base, labelled "<name>=<value>".
  auto sweep = [&](size_t ExecConfig::*field, const std::vector<size_t>& values, const char* name) {
    for (size_t v : values) {
      ExecConfig c = base;
      c.*field = v;
      add(c, std::string(name) + "=" + std::to_string(v));
    }
  };
  switch (kind) {
    case AxisKind::batch: {
      a.varies = "rows per call: each row alone (batch=1), then inside batches, at every position";
      sweep(&ExecConfig::batch, o.batches.empty() ? default_batches() : o.batches, "batch");
      break;
    }
    case AxisKind::split:
      a.varies = "split-K / split-KV factor (parts of the reduced dimension, added left to right)";
      sweep(&ExecConfig::split, {1, 2, 3, 4, 8, 16}, "split");
      break;
    case AxisKind::tile:
      a.varies = "tile width: accumulator lanes of the inner loop, folded pairwise";
      sweep(&ExecConfig::tile, {8, 1, 2, 4, 16}, "tile");
      break;
    case AxisKind::threads:
      a.varies = "CPU threads (std::thread); the split heuristic targets 64 work items per thread";
      sweep(&ExecConfig::threads, {1, 2, 3, 4, 8}, "threads");
      break;
    case AxisKind::gpus:
      a.varies = "simulated tensor parallelism: the reduced dimension in 1, 2, 4, 8 shards, all-reduced in "
                 "NCCL ring / tree order";
      a.simulated = true;
      add(base, "tp=1");
      for (size_t d : {2, 4, 8})
        for (Collective col : {Collective::ring, Collective::tree}) {
          ExecConfig c = base;
          c.shards = d;
          c.collective = col;
          add(c, "tp=" + std::to_string(d) + " " + collective_name(col));
        }
      break;
    case AxisKind::repeats:
      a.varies = "the same configuration run again in this process";
      for (size_t i = 0; i < std::max<size_t>(o.repeats, 2); ++i) add(base, "run " + std::to_string(i + 1));
      break;
    case AxisKind::fresh:
      a.varies = "the same configuration in freshly started plumb processes";
      add(base, "this process");
      for (size_t i = 0; i < std::max<size_t>(o.fresh_processes, 1); ++i) add(base, "process " + std::to_string(i + 1));
      break;
    case AxisKind::streams:
      a.varies = "CUDA streams: each call's rows split into 1, 2, 4 parts launched concurrently on their own streams";
      sweep(&ExecConfig::streams, {1, 2, 4}, "streams");
      break;
    case AxisKind::workspace:
      a.varies = "cuBLAS workspace (cublasSetWorkspace): cuBLAS's default, 0, 1 MiB, 32 MiB";
      for (long long w : kWorkspaces) {
        ExecConfig c = base;
        c.workspace = w;
        add(c, w < 0 ? "workspace=default" : "workspace=" + std::to_string(w));
      }
      break;
    case AxisKind::atomics:
      a.varies = "cuBLAS atomics mode (cublasSetAtomicsMode): not allowed (cuBLAS's default), allowed";
      for (bool at : {false, true}) {
        ExecConfig c = base;
        c.atomics = at;
        add(c, at ? "atomics=allowed" : "atomics=not_allowed");
      }
      break;
    case AxisKind::recipe:
      a.varies = "named cuBLAS recipes: default, CUBLAS_WORKSPACE_CONFIG=:4096:8, cuBLASLt 1-byte workspace no split-K";
      for (CublasRecipe r : {CublasRecipe::standard, CublasRecipe::workspace_config, CublasRecipe::lt_no_splitk}) {
        ExecConfig c = base;
        c.recipe = r;
        add(c, recipe_name(r));
      }
      break;
  }
  return a;
}

}  // namespace plumb::harness::repro
