// The conversion kernel registry: expands kernels/registry/*.inc.
#include <string>
#include <vector>

#include "plumb/kernels/convert_kernel.hpp"
#include "plumb/kernels/convert_kernels_decl.hpp"

namespace plumb::kernels {

const std::vector<ConvertKernel>& convert_kernels() {
  static const std::vector<ConvertKernel> list = {
#define PLUMB_CONVERT_KERNEL(name, device, fn, planted, description) \
  ConvertKernel{#name, Device::device, description, &fn, planted, Judged::exact},
// A vendor's conversions under test, judged by documented difference classes.
#define PLUMB_VENDOR_CONVERT_KERNEL(name, device, fn, judged, description) \
  ConvertKernel{#name, Device::device, description, &fn, false, Judged::judged},
#include "registry/convert.inc"
#if defined(PLUMB_HAVE_CUDA)
#include "registry/convert_cuda.inc"
#endif
#undef PLUMB_CONVERT_KERNEL
#undef PLUMB_VENDOR_CONVERT_KERNEL
  };
  return list;
}

const ConvertKernel* find_convert_kernel(const std::string& name) {
  for (const auto& k : convert_kernels())
    if (name == k.name) return &k;
  return nullptr;
}

}  // namespace plumb::kernels
