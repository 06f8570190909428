// plumb's Hopper block-scaled GEMM: which block formats each path takes, and
// the range of MX scales inside which its products are exact
// (docs/GEMM_SEMANTICS.md "plumb's block GEMM on Hopper"). Host only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "plumb/formats/block_format.hpp"
#include "plumb/formats/block_names.hpp"

namespace plumb::kernels::cuda::block_gemm {

// The named format the path takes, as the value of block_gemm_dequant.cuh's
// Fmt, or nullopt with *why set.
std::optional<int> plan_format(const BlockFormat& f, bool fp8_path, std::string* why);

// MX block exponents outside [-kMxSafeExp, kMxSafeExp] (blocks with a nonzero
// element) can make a folded bf16 operand or an fp32 product leave the range
// where it is exact: the host entry refuses such inputs with a message.
inline constexpr int kMxSafeExp = 50;
std::string mx_scale_problem(const BlockFormat& f, const uint8_t* elements, const uint8_t* scales, size_t rows,
                             size_t k, const char* operand);

}  // namespace plumb::kernels::cuda::block_gemm
