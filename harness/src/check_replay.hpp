// plumb harness: a user's outputs (`plumb check`) presented to the checks of
// suites/support as if a kernel had written them. The checks run a kernel and
// judge what it wrote; these "kernels" ignore their inputs and write the
// arrays set in replay_outputs(), so a user's results are judged by the very
// code that judges plumb's kernels. One check at a time (not thread-safe).
#pragma once

#include <cstdint>
#include <vector>

#include "plumb/kernels/block_kernel.hpp"
#include "plumb/kernels/convert_kernel.hpp"
#include "plumb/kernels/gemm_kernel.hpp"
#include "plumb/kernels/lmul_kernel.hpp"
#include "plumb/kernels/softmax_kernel.hpp"

namespace plumb::harness {

struct ReplayOutputs {
  std::vector<uint64_t> codes;            // convert, lmul, softmax: the output codes
  std::vector<uint8_t> flags;             // convert: returned as the kernel's flags (a
                                          // user's array has none)
  std::vector<uint8_t> elements, scales;  // block: element and scale codes
  float tensor_scale = 1.0f;
  std::vector<float> c_f32;    // gemm: C (fp32 out)
  std::vector<int32_t> c_i32;  // gemm: C (int8 operands)
};
ReplayOutputs& replay_outputs();

// Kernels named "user" on the CPU. A size that differs from the outputs set
// is a kernel error (the command checks shapes first).
kernels::ConvertKernel replay_convert_kernel();
kernels::SoftmaxKernel replay_softmax_kernel(const kernels::SoftmaxErrorModel& model, bool safe);
kernels::LmulKernel replay_lmul_kernel();
kernels::GemmKernel replay_gemm_kernel(int accumulator_bits);
// Its dequantisation is cpu_block's (formats/): the check also compares the
// dequantised oracle codes, which a user's arrays do not contain.
kernels::BlockKernel replay_block_kernel();

}  // namespace plumb::harness
