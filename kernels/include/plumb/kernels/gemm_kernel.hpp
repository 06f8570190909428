// plumb kernels: the interface every GEMM kernel under test implements, and
// its registry (kernels/registry/gemm.inc), read by the suites and `plumb`
// alike. docs/GEMM_SEMANTICS.md defines the operation:
//   C (m x n, row-major) = sum_k A[i][k] B[j][k], A m x k and B n x k, both
//   row-major (K contiguous).
// Operand kinds: fp32 (fp32 out), int8 (int32 out, exact), block (each of A and
// B a block-quantised tensor of `format`, layout rows: blocks along K; fp32
// out), bf16 / fp16 (16-bit codes, fp32 out), fp8 (e4m3fn / e5m2 codes with a
// per-tensor fp32 multiplier each, fp32 out), fp8_blockwise (fp8 codes with
// fp32 multipliers per 1 x 128 block of A and per 128 x 128 block of B, the
// Hopper block-scaled mode of cuBLASLt; fp32 out). A kernel returns
// KernelStatus::not_supported for a kind it lacks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/block_format.hpp"
#include "plumb/kernels/convert_kernel.hpp"

namespace plumb::kernels {

enum class GemmKind : uint8_t { fp32, int8, block, bf16, fp16, fp8, fp8_blockwise };
const char* gemm_kind_name(GemmKind k);

struct GemmArgs {
  GemmKind kind = GemmKind::fp32;
  size_t m = 0, n = 0, k = 0;
  const float* a_f32 = nullptr;  // fp32: m x k and n x k
  const float* b_f32 = nullptr;
  const int8_t* a_i8 = nullptr;  // int8: m x k and n x k
  const int8_t* b_i8 = nullptr;
  BlockFormat format{};  // block: codes of A and B, scale grids rows x ceil(k / block)
  const uint8_t* a_elements = nullptr;
  const uint8_t* a_scales = nullptr;
  const uint8_t* b_elements = nullptr;
  const uint8_t* b_scales = nullptr;
  float a_tensor_scale = 1.0f, b_tensor_scale = 1.0f;
  const uint16_t* a_u16 = nullptr;  // bf16 / fp16: codes, m x k and n x k
  const uint16_t* b_u16 = nullptr;
  // fp8 / fp8_blockwise: codes of a_fp8 / b_fp8 (e4m3fn or e5m2) in a_elements /
  // b_elements; fp8: value = decode(code) x a_scale (cuBLASLt's A_SCALE).
  FormatDesc a_fp8{}, b_fp8{};
  float a_scale = 1.0f, b_scale = 1.0f;
  // fp8_blockwise: fp32 multipliers, A: m x ceil(k / 128) (1 x 128 blocks),
  // B: ceil(n / 128) x ceil(k / 128) (128 x 128 blocks), both row-major.
  const float* a_block_scales = nullptr;
  const float* b_block_scales = nullptr;
};

// c_f32 (m x n) for fp32 and block, c_i32 (m x n) for int8; the other is unused.
using GemmFn = KernelStatus (*)(const GemmArgs& args, float* c_f32, int32_t* c_i32, std::string* message);

// CUDA kernels also run on device arrays, for benchmarks: every pointer of
// `device_args` and c_f32 / c_i32 are device pointers; `stream` is a
// cudaStream_t. Enqueues the GEMM and returns without waiting (setup that
// must not be timed, such as plan creation, may be cached between calls).
using GemmDeviceLaunch = KernelStatus (*)(const GemmArgs& device_args, float* c_f32, int32_t* c_i32,
                                          void* stream, std::string* message);

struct GemmKernel {
  const char* name;
  Device device;
  const char* description;
  GemmFn fn;
  bool planted_bug;  // a deliberately wrong kernel that the suites must catch
  GemmDeviceLaunch launch;  // CUDA kernels: the same GEMM on device arrays; nullptr on the CPU
  // The accumulation the kernel's bound assumes: unit roundoff u =
  // 2^-accumulator_bits (24 for fp32 round to nearest, the CPU kernels).
  int accumulator_bits;
};

const std::vector<GemmKernel>& gemm_kernels();
const GemmKernel* find_gemm_kernel(const std::string& name);

namespace cpu {
KernelStatus gemm_int8(const GemmArgs& args, float* c_f32, int32_t* c_i32, std::string* message);
KernelStatus gemm_fp32_naive(const GemmArgs& args, float* c_f32, int32_t* c_i32, std::string* message);
KernelStatus gemm_fp32_pairwise(const GemmArgs& args, float* c_f32, int32_t* c_i32, std::string* message);
KernelStatus gemm_fp32_kahan(const GemmArgs& args, float* c_f32, int32_t* c_i32, std::string* message);
KernelStatus gemm_block_fp32(const GemmArgs& args, float* c_f32, int32_t* c_i32, std::string* message);
KernelStatus gemm_planted_block_drop_tail(const GemmArgs& args, float* c_f32, int32_t* c_i32,
                                          std::string* message);
}  // namespace cpu

}  // namespace plumb::kernels
