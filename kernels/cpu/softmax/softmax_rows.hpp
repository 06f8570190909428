// plumb CPU softmax kernels: the row loop they share, and the formats they
// take (fp32 in and out; anything else is not_supported).
#pragma once

#include <string>

#include "plumb/kernels/softmax_kernel.hpp"

namespace plumb::kernels::cpu::softmax_rows {

template <class Row>
KernelStatus fp32_rows(const FormatDesc& in_format, const FormatDesc& out_format, const void* in,
                       void* out, size_t rows, size_t cols, std::string* message, Row row) {
  if (!(in_format == formats::fp32) || !(out_format == formats::fp32)) {
    if (message) *message = "CPU softmax kernels take fp32 in and out";
    return KernelStatus::not_supported;
  }
  const auto* x = static_cast<const float*>(in);
  auto* y = static_cast<float*>(out);
  for (size_t r = 0; r < rows; ++r) row(x + r * cols, y + r * cols, cols);
  return KernelStatus::ok;
}

}  // namespace plumb::kernels::cpu::softmax_rows
