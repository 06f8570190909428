// plumb repro: the vocabulary shared by the ops, axes and the runner
// (docs/REPRO_SEMANTICS.md). An op maps input rows to output rows; a
// configuration (ExecConfig) says how one run is executed; an axis is a list
// of configurations that differ in one respect.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace plumb::harness::repro {

enum class Op { sum, dot, gemm, softmax, rmsnorm, attention };
enum class Dtype { fp32, bf16 };
// standard: the reduction order follows batch, split, tile, threads and
// shards the way real kernels' heuristics do. invariant: one fixed order.
enum class Variant { standard, invariant };
// How the shards' partials of a simulated tensor-parallel run are combined.
enum class Collective { ring, tree };
// Where the op runs (--device). cuda: sum, dot and gemm on the GPU (repro_cuda.hpp).
enum class Device { cpu, cuda };
// The cuBLAS GEMM recipes of the recipe axis (docs/REPRO_SEMANTICS.md "GPU axes"):
// cublas_default; cublas_workspace_config=:4096:8 (the env var set before the
// handle is created); cublaslt_1byte_workspace_no_splitk (cuBLASLt, 1-byte
// workspace, a heuristic result with split-K 1 and no reduction scheme).
enum class CublasRecipe { standard, workspace_config, lt_no_splitk };

const char* op_name(Op op);
const char* dtype_name(Dtype d);
const char* variant_name(Variant v);  // "default" / "invariant"
const char* collective_name(Collective c);
const char* device_name(Device d);
const char* recipe_name(CublasRecipe r);
Device parse_device(const std::string& name);  // throws naming the choices
Op parse_op(const std::string& name);        // throws naming the choices
Dtype parse_dtype(const std::string& name);  // throws naming the choices

// rows: output rows (queries for attention); cols: the reduced length (sum,
// dot, gemm: K; softmax, rmsnorm: row length; attention: head dimension);
// n: gemm outputs per row; kv: attention keys and values.
struct Shape {
  size_t rows = 64, cols = 1024, n = 8, kv = 512;
};
size_t outputs_per_row(Op op, const Shape& s);

// One run's execution. batch 0: all rows in one call; split 0: the kernel's
// own heuristic; shards 1: unsharded.
struct ExecConfig {
  size_t batch = 0;
  size_t split = 0;
  size_t tile = 8;
  size_t threads = 1;
  size_t shards = 1;
  Collective collective = Collective::ring;
  // GPU only (device cuda): the call's rows split over `streams` CUDA streams
  // running concurrently; cuBLAS workspace bytes (-1: cuBLAS's own default),
  // atomics mode, recipe.
  Device device = Device::cpu;
  size_t streams = 1;
  long long workspace = -1;
  bool atomics = false;
  CublasRecipe recipe = CublasRecipe::standard;
  std::string label() const;  // "batch=7", "split=4 tile=8", "tp=4 ring"...
};

// The inputs of one op, every value exact in dtype (bf16 values held in
// floats). x: rows x cols (attention: q). w: dot: cols; gemm: n x cols;
// attention: k (kv x cols). v: attention values (kv x cols).
struct Inputs {
  Op op = Op::sum;
  Dtype dtype = Dtype::fp32;
  Shape shape;
  std::vector<float> x, w, v;
};

// rows x outputs_per_row values (bf16 outputs exact bf16 values in floats).
using Outputs = std::vector<float>;

}  // namespace plumb::harness::repro
