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
// NVIDIA's intrinsics on the GPU (convert_nv_intrinsics.cu): not_supported for
// every (from, to, rounding, overflow) that no intrinsic performs.
PLUMB_DECLARE_CONVERT_FN(convert_nv_intrinsics);
// cuda_plumb with stochastic-rounding bits made on the device: element i gets
// index_rbits(seed, i) (plumb/kernels/sweep_rbits.hpp), the word that
// checks::case_rbits(seed, i) and `plumb convert --seed` give it on the host.
// Host arrays as ConvertFn; for other roundings the seed is unused.
KernelStatus convert_plumb_seeded(const ConvertArgs& args, const void* in, void* out, uint8_t* flags,
                                  size_t n, uint64_t seed, std::string* message);
}  // namespace plumb::kernels::cuda
