// plumb harness: the user's outputs as kernels (see check_replay.hpp).
#include "check_replay.hpp"

#include <algorithm>

namespace plumb::harness {

namespace {

using kernels::KernelStatus;

KernelStatus size_error(size_t want, size_t have, std::string* message) {
  if (message)
    *message = "the check asked for " + std::to_string(want) + " outputs, the user's array has " + std::to_string(have);
  return KernelStatus::error;
}

KernelStatus write_codes(const FormatDesc& f, void* out, size_t n, std::string* message) {
  const auto& codes = replay_outputs().codes;
  if (codes.size() != n) return size_error(n, codes.size(), message);
  for (size_t i = 0; i < n; ++i) kernels::store_code(out, f.storage_bytes(), i, codes[i]);
  return KernelStatus::ok;
}

KernelStatus convert(const kernels::ConvertArgs& args, const void*, void* out, uint8_t* flags, size_t n,
                     const uint32_t*, std::string* message) {
  const auto& given = replay_outputs().flags;
  if (flags && given.size() != n) return size_error(n, given.size(), message);
  if (flags) std::copy(given.begin(), given.end(), flags);
  return write_codes(args.to, out, n, message);
}

KernelStatus softmax(const FormatDesc&, const FormatDesc& out_format, const void*, void* out, size_t rows, size_t cols,
                     std::string* message) {
  return write_codes(out_format, out, rows * cols, message);
}

KernelStatus lmul(const kernels::LmulArgs& args, const void*, const void*, void* out, size_t n, std::string* message) {
  return write_codes(args.format, out, n, message);
}

KernelStatus gemm(const kernels::GemmArgs& args, float* c_f32, int32_t* c_i32, std::string* message) {
  const auto& r = replay_outputs();
  const size_t n = args.m * args.n;
  if (args.kind == kernels::GemmKind::int8) {
    if (r.c_i32.size() != n) return size_error(n, r.c_i32.size(), message);
    std::copy(r.c_i32.begin(), r.c_i32.end(), c_i32);
  } else {
    if (r.c_f32.size() != n) return size_error(n, r.c_f32.size(), message);
    std::copy(r.c_f32.begin(), r.c_f32.end(), c_f32);
  }
  return KernelStatus::ok;
}

KernelStatus quantize(const BlockFormat& f, const BlockOptions& o, const float*, size_t rows, size_t cols,
                      uint8_t* elements, uint8_t* scales, float* tensor_scale, std::string* message) {
  const auto& r = replay_outputs();
  const auto grid = kernels::scale_grid(f, o.layout, rows, cols);
  if (r.elements.size() != rows * cols) return size_error(rows * cols, r.elements.size(), message);
  if (r.scales.size() != grid.rows * grid.cols) return size_error(grid.rows * grid.cols, r.scales.size(), message);
  std::copy(r.elements.begin(), r.elements.end(), elements);
  std::copy(r.scales.begin(), r.scales.end(), scales);
  *tensor_scale = r.tensor_scale;
  return KernelStatus::ok;
}

KernelStatus dequantize(const BlockFormat& f, const BlockOptions& o, const uint8_t* elements, const uint8_t* scales,
                        float tensor_scale, size_t rows, size_t cols, float* out, std::string* message) {
  const kernels::BlockKernel* k = kernels::find_block_kernel("cpu_block");
  if (!k) {
    if (message) *message = "this build has no cpu_block kernel";
    return KernelStatus::error;
  }
  return k->dequantize(f, o, elements, scales, tensor_scale, rows, cols, out, message);
}

}  // namespace

ReplayOutputs& replay_outputs() {
  static ReplayOutputs outputs;
  return outputs;
}

kernels::ConvertKernel replay_convert_kernel() {
  return {"user", kernels::Device::cpu, "the user's output array", &convert, false};
}

kernels::SoftmaxKernel replay_softmax_kernel(const kernels::SoftmaxErrorModel& model, bool safe) {
  return {"user", kernels::Device::cpu, "the user's output array", &softmax, model, safe, false};
}

kernels::LmulKernel replay_lmul_kernel() {
  return {"user", kernels::Device::cpu, "the user's output array", &lmul, nullptr, nullptr, false};
}

kernels::GemmKernel replay_gemm_kernel(int accumulator_bits) {
  return {"user", kernels::Device::cpu, "the user's output array", &gemm, false, nullptr, accumulator_bits};
}

kernels::BlockKernel replay_block_kernel() {
  return {"user", kernels::Device::cpu, "the user's output arrays", &quantize, &dequantize, false};
}

}  // namespace plumb::harness
