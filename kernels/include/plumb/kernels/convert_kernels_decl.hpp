// Declarations of every conversion kernel function named in the registry.
#pragma once

#include "plumb/kernels/convert_kernel.hpp"

#define PLUMB_DECLARE_CONVERT_FN(fn)                                                  \
  KernelStatus fn(const ConvertArgs& args, const void* in, void* out, uint8_t* flags, \
                  size_t n, const uint32_t* rbits, std::string* message)

namespace plumb::kernels::cpu {
PLUMB_DECLARE_CONVERT_FN(convert_scalar);
PLUMB_DECLARE_CONVERT_FN(convert_fast);
PLUMB_DECLARE_CONVERT_FN(convert_planted_ties_away);
}  // namespace plumb::kernels::cpu

namespace plumb::kernels::cuda {
PLUMB_DECLARE_CONVERT_FN(convert_plumb);
PLUMB_DECLARE_CONVERT_FN(convert_fast);
PLUMB_DECLARE_CONVERT_FN(convert_planted_ties_away);
}  // namespace plumb::kernels::cuda
