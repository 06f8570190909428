// The softmax kernel registry: expands kernels/registry/softmax*.inc.
#include <string>
#include <vector>

#include "plumb/kernels/softmax_kernel.hpp"
#include "plumb/kernels/softmax_kernels_decl.hpp"

namespace plumb::kernels {

const char* softmax_algorithm_name(SoftmaxAlgorithm a) {
  switch (a) {
    case SoftmaxAlgorithm::three_pass_recompute: return "three_pass_recompute";
    case SoftmaxAlgorithm::three_pass_reload: return "three_pass_reload";
    case SoftmaxAlgorithm::two_pass: return "two_pass";
    default: return "online";
  }
}

const std::vector<SoftmaxKernel>& softmax_kernels() {
  static const std::vector<SoftmaxKernel> list = {
#define PLUMB_SOFTMAX_KERNEL(name, device, fn, algorithm, lanes, fp32_block, safe, planted, description) \
  SoftmaxKernel{#name, Device::device, description, &fn,                                               \
                SoftmaxErrorModel{SoftmaxAlgorithm::algorithm, lanes, fp32_block}, safe, planted},
#include "registry/softmax.inc"
#if defined(PLUMB_HAVE_CUDA)
#include "registry/softmax_cuda.inc"
#endif
#undef PLUMB_SOFTMAX_KERNEL
  };
  return list;
}

const SoftmaxKernel* find_softmax_kernel(const std::string& name) {
  for (const auto& k : softmax_kernels())
    if (name == k.name) return &k;
  return nullptr;
}

}  // namespace plumb::kernels
