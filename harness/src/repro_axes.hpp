// plumb repro: the axes (docs/REPRO_SEMANTICS.md "Axes"). An axis is a list
// of configurations; the first is the baseline every other one is compared
// with. repeats and fresh repeat the baseline (in this process / in new
// processes); gpus is simulated on one device. Later slices add CUDA axes
// (streams, cuBLAS workspace and atomics) as further AxisKind values.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "repro_types.hpp"

namespace plumb::harness::repro {

enum class AxisKind { batch, split, tile, threads, gpus, repeats, fresh, streams, workspace, atomics, recipe };

struct AxisSpec {
  AxisKind kind = AxisKind::batch;
  std::string name;    // the --axis name
  std::string varies;  // one line: what changes along it
  bool simulated = false;
  std::vector<ExecConfig> configs;
  std::vector<std::string> labels;  // one per config: "batch=7", "tp=4 ring"...
};

struct AxisOptions {
  std::vector<size_t> batches;  // empty: 1..16, then odd and even sizes up to 4096
  size_t repeats = 3;
  size_t fresh_processes = 2;
  Device device = Device::cpu;  // every configuration's device
};

std::vector<size_t> default_batches();
AxisKind parse_axis(const std::string& name);  // throws naming the choices
// "batch,split" or "all" (all: the axes the device supports).
std::vector<AxisKind> parse_axes(const std::string& list, Device device = Device::cpu);
// Whether the device's ops honour the axis: split, tile, threads and gpus are
// CPU-only; streams, workspace, atomics and recipe are CUDA-only.
bool axis_supported(AxisKind kind, Device device);
// Throws naming the axes the device supports when one of `axes` is not.
void check_axes(const std::vector<AxisKind>& axes, Device device);
AxisSpec make_axis(AxisKind kind, const AxisOptions& o);
// The configuration every axis other than batch starts from: all rows in one call.
ExecConfig base_config(Device device = Device::cpu);

}  // namespace plumb::harness::repro
