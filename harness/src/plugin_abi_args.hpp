// plumb harness: plumb's C++ kernel arguments as the plain C structs of
// plumb/plugin.h (one function per argument type; docs/PLUGINS.md).
#pragma once

#include <cstddef>
#include <string>

#include "plumb/kernels/block_kernel.hpp"
#include "plumb/kernels/gemm_kernel.hpp"
#include "plumb/kernels/lmul_kernel.hpp"
#include "plumb/plugin.h"

namespace plumb::harness {

// name points at an interned string that lives as long as the process.
plumb_plugin_format c_format(const FormatDesc& f);
plumb_plugin_convert_args c_convert_args(const kernels::ConvertArgs& args);
// The named block format f belongs to ("nvfp4"; any rule), or "custom".
const char* block_family_name(const BlockFormat& f);
plumb_plugin_block_args c_block_args(const BlockFormat& f, const BlockOptions& o, size_t rows, size_t cols);
plumb_plugin_lmul_args c_lmul_args(const kernels::LmulArgs& args);
plumb_plugin_gemm_args c_gemm_args(const kernels::GemmArgs& args);

}  // namespace plumb::harness
