// plumb checks: the GEMM suite `gemm` (docs/GEMM_SEMANTICS.md): its cells and
// its runner, shared by `plumb verify` and the Catch2 suites.
//
// Cells: int8 (bit for bit; K up to 4099), fp32 (K up to 4096, M or N of 1),
// and block-scaled GEMMs of mxfp8_e4m3, mxfp4, mxint8, nvfp4, nvint4 on shapes
// with K not a multiple of the block, K = 1, M or N of 1, a zero block, and
// NaN-scale blocks (inputs with inf and NaN); bf16 and fp16 codes, fp8 (every
// e4m3fn / e5m2 pair, per-tensor multipliers) and fp8_blockwise (e4m3fn, 1 x
// 128 and 128 x 128 multipliers). Every element of every cell is judged
// against the exact reference.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "plumb/checks/gemm_check.hpp"

namespace plumb::checks {

inline constexpr const char* kGemmSuite = "gemm";
inline constexpr const char* kGemmSuiteDescription =
    "every GEMM kernel against the exact (Boost cpp_int) reference: int8 bit for bit, fp32 and "
    "block-scaled (mxfp8_e4m3, mxfp4, mxint8, nvfp4, nvint4), bf16, fp16, fp8 and fp8_blockwise within the gamma "
    "bound of each kernel's accumulator, NaN blocks";

// The suite's cases for a seed (cell i uses seed * 1000003 + i).
std::vector<GemmCase> gemm_suite_cases(uint64_t seed);

struct GemmSuiteOptions {
  uint64_t seed = 1;
  std::vector<const kernels::GemmKernel*> kernels;
  // A planted kernel that no cell catches gets one failing verdict of its own.
  bool require_planted_caught = true;
  std::function<void(const Verdict&)> on_verdict;
};
// Runs every cell on every kernel. A kernel that does not take an operand kind
// (or one variant of it: a block format, an fp8 pair) gets one not_supported
// verdict for that kind and variant. Returns the number of cells.
size_t run_gemm_suite(const GemmSuiteOptions& options);

// The GEMM kernels of the registry for a device ("" or "all": every device).
std::vector<const kernels::GemmKernel*> registry_gemm_kernels(const std::string& device);

}  // namespace plumb::checks
