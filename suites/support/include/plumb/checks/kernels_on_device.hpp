// plumb checks: the kernels of a registry that run on a device, as every
// suite runner lists them ("" or "all": every kernel; "cpu"; "cuda").
#pragma once

#include <string>
#include <vector>

#include "plumb/kernels/convert_kernel.hpp"  // kernels::device_name

namespace plumb::checks {

template <class Kernel>
std::vector<const Kernel*> kernels_on_device(const std::vector<Kernel>& registry,
                                             const std::string& device) {
  std::vector<const Kernel*> out;
  for (const auto& k : registry)
    if (device.empty() || device == "all" || device == kernels::device_name(k.device))
      out.push_back(&k);
  return out;
}

}  // namespace plumb::checks
