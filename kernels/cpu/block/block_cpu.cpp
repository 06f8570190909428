// cpu_block: formats/ block_tensor.hpp (block_quantize.hpp one block at a time)
// as a kernel under test on host arrays.
#include <string>

#include "plumb/formats/block_tensor.hpp"
#include "plumb/kernels/block_kernels_decl.hpp"

namespace plumb::kernels::cpu {
namespace {
KernelStatus status_of(const std::string& problem, std::string* message) {
  if (problem.empty()) return KernelStatus::ok;
  if (message) *message = problem;
  return KernelStatus::error;
}
}  // namespace

PLUMB_DECLARE_BLOCK_QUANTIZE_FN(block_quantize) {
  if (!x || !elements || !scales) return status_of("cpu_block: null array", message);
  return status_of(
      quantize_tensor(format, options, x, rows, cols, elements, scales, tensor_scale), message);
}

PLUMB_DECLARE_BLOCK_DEQUANTIZE_FN(block_dequantize) {
  if (!elements || !scales || !out) return status_of("cpu_block: null array", message);
  return status_of(
      dequantize_tensor(format, options, elements, scales, tensor_scale, rows, cols, out), message);
}

}  // namespace plumb::kernels::cpu
