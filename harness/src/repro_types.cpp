// plumb repro: names of the vocabulary (repro_types.hpp).
#include "repro_types.hpp"

#include <stdexcept>

namespace plumb::harness::repro {

namespace {
constexpr Op kOps[] = {Op::sum, Op::dot, Op::gemm, Op::softmax, Op::rmsnorm, Op::attention};
}

const char* op_name(Op op) {
  switch (op) {
    case Op::sum: return "sum";
    case Op::dot: return "dot";
    case Op::gemm: return "gemm";
    case Op::softmax: return "softmax";
    case Op::rmsnorm: return "rmsnorm";
    case Op::attention: return "attention";
  }
  return "?";
}
const char* dtype_name(Dtype d) { return d == Dtype::fp32 ? "fp32" : "bf16"; }
const char* variant_name(Variant v) { return v == Variant::standard ? "default" : "invariant"; }
const char* collective_name(Collective c) { return c == Collective::ring ? "ring" : "tree"; }
const char* device_name(Device d) { return d == Device::cpu ? "cpu" : "cuda"; }
const char* recipe_name(CublasRecipe r) {
  switch (r) {
    case CublasRecipe::standard: return "cublas_default";
    case CublasRecipe::workspace_config: return "cublas_workspace_config=:4096:8";
    case CublasRecipe::lt_no_splitk: return "cublaslt_1byte_workspace_no_splitk";
  }
  return "?";
}

Device parse_device(const std::string& name) {
  if (name == "cpu") return Device::cpu;
  if (name == "cuda") return Device::cuda;
  throw std::runtime_error("unknown --device '" + name + "' (cpu, cuda)");
}

Op parse_op(const std::string& name) {
  for (Op op : kOps)
    if (name == op_name(op)) return op;
  throw std::runtime_error("unknown --op '" + name + "' (sum, dot, gemm, softmax, rmsnorm, attention)");
}

Dtype parse_dtype(const std::string& name) {
  if (name == "fp32") return Dtype::fp32;
  if (name == "bf16") return Dtype::bf16;
  throw std::runtime_error("unknown --dtype '" + name + "' (fp32, bf16)");
}

size_t outputs_per_row(Op op, const Shape& s) {
  switch (op) {
    case Op::sum:
    case Op::dot: return 1;
    case Op::gemm: return s.n;
    default: return s.cols;
  }
}

std::string ExecConfig::label() const {
  std::string s = batch ? "batch=" + std::to_string(batch) : "batch=all";
  s += split ? " split=" + std::to_string(split) : " split=auto";
  s += " tile=" + std::to_string(tile) + " threads=" + std::to_string(threads);
  if (shards > 1) s += " tp=" + std::to_string(shards) + " " + collective_name(collective);
  if (device == Device::cuda) {
    s += " cuda streams=" + std::to_string(streams);
    s += workspace < 0 ? " workspace=default" : " workspace=" + std::to_string(workspace);
    s += atomics ? " atomics=allowed " : " atomics=not_allowed ";
    s += recipe_name(recipe);
  }
  return s;
}

}  // namespace plumb::harness::repro
