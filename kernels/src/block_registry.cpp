// The block quantisation kernel registry: expands kernels/registry/block*.inc.
#include <string>
#include <vector>

#include "plumb/kernels/block_kernel.hpp"
#include "plumb/kernels/block_kernels_decl.hpp"

namespace plumb::kernels {

const std::vector<BlockKernel>& block_kernels() {
  static const std::vector<BlockKernel> list = {
#define PLUMB_BLOCK_KERNEL(name, device, quantize, dequantize, planted, description) \
  BlockKernel{#name, Device::device, description, &quantize, &dequantize, planted},
#include "registry/block.inc"
#if defined(PLUMB_HAVE_CUDA)
#include "registry/block_cuda.inc"
#endif
#undef PLUMB_BLOCK_KERNEL
  };
  return list;
}

const BlockKernel* find_block_kernel(const std::string& name) {
  for (const auto& k : block_kernels())
    if (name == k.name) return &k;
  return nullptr;
}

}  // namespace plumb::kernels
