// Declarations of every softmax function named in kernels/registry/softmax*.inc.
#pragma once

#include "plumb/kernels/softmax_kernel.hpp"

#define PLUMB_DECLARE_SOFTMAX_FN(fn)                                                         \
  KernelStatus fn(const FormatDesc& in_format, const FormatDesc& out_format, const void* in, \
                  void* out, size_t rows, size_t cols, std::string* message)

namespace plumb::kernels::cpu {
PLUMB_DECLARE_SOFTMAX_FN(softmax_three_pass_recompute);
PLUMB_DECLARE_SOFTMAX_FN(softmax_three_pass_reload);
PLUMB_DECLARE_SOFTMAX_FN(softmax_two_pass);
PLUMB_DECLARE_SOFTMAX_FN(softmax_online);
PLUMB_DECLARE_SOFTMAX_FN(softmax_online_safe);
PLUMB_DECLARE_SOFTMAX_FN(softmax_planted_no_max);
PLUMB_DECLARE_SOFTMAX_FN(softmax_avx2_three_pass_recompute);
PLUMB_DECLARE_SOFTMAX_FN(softmax_avx2_three_pass_reload);
PLUMB_DECLARE_SOFTMAX_FN(softmax_avx2_two_pass);
PLUMB_DECLARE_SOFTMAX_FN(softmax_avx2_online);
PLUMB_DECLARE_SOFTMAX_FN(softmax_avx512_three_pass_recompute);
PLUMB_DECLARE_SOFTMAX_FN(softmax_avx512_three_pass_reload);
PLUMB_DECLARE_SOFTMAX_FN(softmax_avx512_two_pass);
PLUMB_DECLARE_SOFTMAX_FN(softmax_avx512_online);
}  // namespace plumb::kernels::cpu

namespace plumb::kernels::cuda {
PLUMB_DECLARE_SOFTMAX_FN(softmax_three_pass_recompute);
PLUMB_DECLARE_SOFTMAX_FN(softmax_three_pass_reload);
PLUMB_DECLARE_SOFTMAX_FN(softmax_two_pass);
PLUMB_DECLARE_SOFTMAX_FN(softmax_online);
PLUMB_DECLARE_SOFTMAX_FN(softmax_online_safe);
}  // namespace plumb::kernels::cuda
