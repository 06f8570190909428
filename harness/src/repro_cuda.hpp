// plumb repro on the GPU (--device cuda; docs/REPRO_SEMANTICS.md "GPU axes").
// Ops: sum and dot (default: a block-per-chunk reduction whose block count
// follows the rows per launch, partials added with atomicAdd; invariant: one
// block per row, fixed order) and gemm (default: cuBLAS / cuBLASLt under the
// configuration's recipe, workspace and atomics mode; invariant: plumb's
// plain tiled kernel, K in a fixed order whatever M). A build without CUDA
// has stubs: cuda_available() says why and cuda_run_call throws.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "repro_types.hpp"

namespace plumb::harness::repro {

// True when a CUDA device is usable; otherwise why_not says why.
bool cuda_available(std::string* why_not);
// Whether --device cuda implements the op (sum, dot, gemm); others throw in cuda_run_call.
bool cuda_supports(Op op);

// One call on the GPU: the rows' inputs uploaded, cfg.streams concurrent
// parts, the outputs copied back (rows.size() x outputs_per_row).
void cuda_run_call(const Inputs& in, const std::vector<size_t>& rows, Variant v, const ExecConfig& cfg, float* out);

// Median kernel time (CUDA events) of both variants on all rows in one call,
// the inputs uploaded once, `repeats` timed launches each after a warm-up.
struct CudaTiming {
  double default_ms = 0, invariant_ms = 0;
  size_t repeats = 0;
};
CudaTiming cuda_time_variants(const Inputs& in, const ExecConfig& cfg, size_t repeats);

}  // namespace plumb::harness::repro
