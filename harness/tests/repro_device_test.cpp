// plumb repro's device plumbing (repro_axes.hpp, repro_cuda.hpp), on the CPU:
// --device parsing, which axes each device honours, the GPU axes'
// configuration lists (every configuration carries the device), and that a
// CUDA configuration never runs silently on the CPU where no GPU is usable.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>

#include "repro_axes.hpp"
#include "repro_cuda.hpp"
#include "repro_inputs.hpp"
#include "repro_ops.hpp"

using namespace plumb::harness::repro;

TEST_CASE("repro device: --device names and the axes each device honours", "[repro]") {
  CHECK(parse_device("cpu") == Device::cpu);
  CHECK(parse_device("cuda") == Device::cuda);
  CHECK_THROWS_WITH(parse_device("gpu"), Catch::Contains("cpu, cuda"));

  const auto cpu_all = parse_axes("all", Device::cpu);
  const auto cuda_all = parse_axes("all", Device::cuda);
  CHECK(cpu_all == std::vector<AxisKind>{AxisKind::batch, AxisKind::split, AxisKind::tile, AxisKind::threads,
                                         AxisKind::gpus, AxisKind::repeats, AxisKind::fresh});
  CHECK(cuda_all == std::vector<AxisKind>{AxisKind::batch, AxisKind::repeats, AxisKind::fresh, AxisKind::streams,
                                          AxisKind::workspace, AxisKind::atomics, AxisKind::recipe});
  CHECK(parse_axes("streams,recipe", Device::cuda) == std::vector<AxisKind>{AxisKind::streams, AxisKind::recipe});
  CHECK_NOTHROW(check_axes(cpu_all, Device::cpu));
  CHECK_NOTHROW(check_axes(cuda_all, Device::cuda));
  CHECK_THROWS_WITH(check_axes({AxisKind::split}, Device::cuda), Catch::Contains("--axis split") &&
                                                                      Catch::Contains("streams, workspace"));
  CHECK_THROWS_WITH(check_axes({AxisKind::workspace}, Device::cpu), Catch::Contains("--axis workspace"));
}

TEST_CASE("repro device: the GPU axes' configurations", "[repro]") {
  AxisOptions o;
  o.device = Device::cuda;
  const AxisSpec streams = make_axis(AxisKind::streams, o);
  REQUIRE(streams.configs.size() == 3);
  CHECK(streams.configs[0].streams == 1);
  CHECK(streams.configs[1].streams == 2);
  CHECK(streams.configs[2].streams == 4);
  CHECK(streams.labels[2] == "streams=4");

  const AxisSpec ws = make_axis(AxisKind::workspace, o);
  REQUIRE(ws.configs.size() == 4);
  CHECK(ws.configs[0].workspace == -1);  // the baseline is cuBLAS's own default
  CHECK(ws.configs[1].workspace == 0);
  CHECK(ws.configs[3].workspace == 32ll << 20);

  const AxisSpec at = make_axis(AxisKind::atomics, o);
  REQUIRE(at.configs.size() == 2);
  CHECK_FALSE(at.configs[0].atomics);
  CHECK(at.configs[1].atomics);

  const AxisSpec rec = make_axis(AxisKind::recipe, o);
  REQUIRE(rec.labels == std::vector<std::string>{"cublas_default", "cublas_workspace_config=:4096:8",
                                                 "cublaslt_1byte_workspace_no_splitk"});
  CHECK(rec.configs[1].recipe == CublasRecipe::workspace_config);
  CHECK(rec.configs[2].recipe == CublasRecipe::lt_no_splitk);

  // Every configuration of every axis runs on the chosen device, and only the
  // axis's own field moves away from the base configuration.
  for (AxisKind k : parse_axes("all", Device::cuda)) {
    const AxisSpec a = make_axis(k, o);
    for (const ExecConfig& c : a.configs) {
      CHECK(c.device == Device::cuda);
      CHECK(c.split == 0);
      CHECK(c.threads == 1);
      CHECK(c.shards == 1);
    }
  }
  for (const ExecConfig& c : make_axis(AxisKind::batch, AxisOptions{}).configs) CHECK(c.device == Device::cpu);
  CHECK(base_config(Device::cuda).label().find("cuda streams=1 workspace=default") != std::string::npos);
}

TEST_CASE("repro device: a CUDA configuration never runs on the CPU in its place", "[repro]") {
  CHECK(cuda_supports(Op::gemm));
  CHECK(cuda_supports(Op::sum));
  CHECK_FALSE(cuda_supports(Op::softmax));
  std::string why;
  if (cuda_available(&why)) {
    SUCCEED("a CUDA device is usable here; the GPU paths are tested by plumb_cuda_tests [repro]");
    return;
  }
  INFO("no usable CUDA device: " << why);
  CHECK_FALSE(why.empty());
  const Inputs in = make_inputs(Op::gemm, Dtype::fp32, Shape{4, 64, 4, 8}, InputKind::normal, 1);
  CHECK_THROWS(run_config(in, Variant::standard, base_config(Device::cuda)));
  CHECK_THROWS(run_config(in, Variant::invariant, base_config(Device::cuda)));
}
