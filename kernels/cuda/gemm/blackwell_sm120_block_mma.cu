// cuda_sm120_block_mma: block-scaled GEMM on the sm_120a warp-level tensor-core
// instruction (PTX "mma.sync.aligned.kind::{mxf8f6f4,mxf4,mxf4nvf4}.block_scale",
// consumer Blackwell, compute capability 12.0). Correctness first, not tuned:
// one warp per 16 x 8 tile of C, operands and scales read straight from global
// memory into the registers the instruction takes, in the layout of
// plumb/kernels/blackwell_block_mma.hpp (shared with the host emulation that
// suites/kernels/blackwell_block_mma_test.cpp checks against the exact
// reference), fp32 accumulation in the instruction's C/D registers, the NV
// tensor scales and plumb's NaN blocks applied after the K loop.
//
// The instruction exists only in the sm_120a pass (__CUDA_ARCH_FEAT_SM120_ALL);
// the 90a / 100a passes compile a kernel that traps, which the host never
// launches there: on any other GPU fn and launch return not_supported.
#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "blackwell_host.cuh"
#include "plumb/kernels/gemm_kernels_decl.hpp"

namespace plumb::kernels::cuda {
namespace {

using blackwell::MmaKind;
using blackwell::MmaOperands;

constexpr blackwell_host::Target kTarget{"cuda_sm120_block_mma", 12, 0, "sm_120 (consumer Blackwell)"};

#if defined(__CUDA_ARCH_FEAT_SM120_ALL)
#define PLUMB_SM120_MMA_OPERANDS                                                                   \
  "{%0,%1,%2,%3},{%4,%5,%6,%7},{%8,%9},{%0,%1,%2,%3},{%10},{%11,%12},{%13},{%14,%15};"
#define PLUMB_SM120_MMA_ARGS(op, d)                                                               \
  : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])                                                 \
  : "r"(op.a[0]), "r"(op.a[1]), "r"(op.a[2]), "r"(op.a[3]), "r"(op.b[0]), "r"(op.b[1]),           \
    "r"(op.scale_a), "h"(kZero), "h"(kZero), "r"(op.scale_b), "h"(kZero), "h"(kZero)

// d += A B with scales; byte-id 0 and thread-id 0 for both operands.
template <MmaKind Kind>
__device__ inline void mma_block_scale(const MmaOperands& op, float (&d)[4]) {
  constexpr uint16_t kZero = 0;
  if constexpr (Kind == MmaKind::mxf8f6f4_e4m3) {
    asm volatile(
        "mma.sync.aligned.kind::mxf8f6f4.block_scale.scale_vec::1X.m16n8k32.row.col.f32.e4m3.e4m3.f32.ue8m0 "
        PLUMB_SM120_MMA_OPERANDS PLUMB_SM120_MMA_ARGS(op, d));
  } else if constexpr (Kind == MmaKind::mxf8f6f4_e5m2) {
    asm volatile(
        "mma.sync.aligned.kind::mxf8f6f4.block_scale.scale_vec::1X.m16n8k32.row.col.f32.e5m2.e5m2.f32.ue8m0 "
        PLUMB_SM120_MMA_OPERANDS PLUMB_SM120_MMA_ARGS(op, d));
  } else if constexpr (Kind == MmaKind::mxf4) {
    asm volatile(
        "mma.sync.aligned.kind::mxf4.block_scale.scale_vec::2X.m16n8k64.row.col.f32.e2m1.e2m1.f32.ue8m0 "
        PLUMB_SM120_MMA_OPERANDS PLUMB_SM120_MMA_ARGS(op, d));
  } else {
    asm volatile(
        "mma.sync.aligned.kind::mxf4nvf4.block_scale.scale_vec::4X.m16n8k64.row.col.f32.e2m1.e2m1.f32.ue4m3 "
        PLUMB_SM120_MMA_OPERANDS PLUMB_SM120_MMA_ARGS(op, d));
  }
}
#undef PLUMB_SM120_MMA_ARGS
#undef PLUMB_SM120_MMA_OPERANDS
#endif

// One warp (blockDim.x = 32) per 16 x 8 tile: blockIdx.x over N, blockIdx.y over M.
template <MmaKind Kind>
__global__ void sm120_block_mma_kernel(blackwell::BlockOperand a, blackwell::BlockOperand b, float g_a,
                                       float g_b, float* c) {
#if defined(__CUDA_ARCH_FEAT_SM120_ALL)
  const int lane = static_cast<int>(threadIdx.x);
  const size_t row0 = size_t{blockIdx.y} * blackwell::kTileM, col0 = size_t{blockIdx.x} * blackwell::kTileN;
  float d[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  const size_t steps = blackwell::mma_steps(Kind, a.k);
  for (size_t s = 0; s < steps; ++s) {
    const MmaOperands op =
        blackwell::load_mma_operands(Kind, a, b, row0, col0, s * blackwell::mma_k(Kind), lane);
    mma_block_scale<Kind>(op, d);
  }
  blackwell::store_tile(Kind, a, b, row0, col0, lane, d, g_a, g_b, c);
#else
  __trap();  // never launched: the host refuses every GPU but compute capability 12.0
#endif
}

template <MmaKind Kind>
void launch_kind(const GemmArgs& args, float g_a, float g_b, float* c, cudaStream_t stream) {
  const blackwell::BlockOperand a{args.a_elements, args.a_scales, args.m, args.k};
  const blackwell::BlockOperand b{args.b_elements, args.b_scales, args.n, args.k};
  const dim3 grid(static_cast<unsigned>((args.n + blackwell::kTileN - 1) / blackwell::kTileN),
                  static_cast<unsigned>((args.m + blackwell::kTileM - 1) / blackwell::kTileM));
  sm120_block_mma_kernel<Kind><<<grid, blackwell::kWarpLanes, 0, stream>>>(a, b, g_a, g_b, c);
}

}  // namespace

KernelStatus gemm_sm120_block_mma_launch(const GemmArgs& device_args, float* c_f32, int32_t* /*c_i32*/,
                                         void* stream, std::string* message) {
  static constexpr blackwell_host::KindLaunches launches{
      &launch_kind<MmaKind::mxf8f6f4_e4m3>, &launch_kind<MmaKind::mxf8f6f4_e5m2>, &launch_kind<MmaKind::mxf4>,
      &launch_kind<MmaKind::mxf4nvf4>};
  return blackwell_host::launch_device(kTarget, device_args, blackwell::kTileM, launches, c_f32, stream, message);
}

KernelStatus gemm_sm120_block_mma(const GemmArgs& args, float* c_f32, int32_t* /*c_i32*/, std::string* message) {
  return blackwell_host::run_on_host_arrays(kTarget, args, c_f32, message, &gemm_sm120_block_mma_launch);
}

}  // namespace plumb::kernels::cuda
