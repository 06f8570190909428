// cuda_sm100_block_mma: block-scaled GEMM on the sm_100a tensor-core
// instruction (PTX "tcgen05.mma.cta_group::1.kind::{mxf8f6f4,mxf4,mxf4nvf4}
// .block_scale", datacenter Blackwell, compute capability 10.0). Correctness
// first, not tuned: one CTA of 128 threads per 128 x 32 tile of C, one
// instruction in flight. Per K step (32 bytes of each row): the threads write
// the A and B tiles to shared memory and the scales to tensor memory
// (tcgen05.st) in the layout of plumb/kernels/blackwell_tcgen05_layout.hpp
// (shared with the host emulation of the Catch2 test), thread 0 issues the
// MMA and tcgen05.commit to an mbarrier, all wait on it. Then tcgen05.ld reads
// the fp32 accumulators (lane = row), the epilogue applies plumb's NaN blocks
// and the NV tensor scales, and the tensor memory is freed.
//
// The instructions exist only in the sm_100a pass (__CUDA_ARCH_FEAT_SM100_ALL);
// the 90a / 120a passes compile a kernel that traps, which the host never
// launches there: on any other GPU fn and launch return not_supported.
// Never run on hardware: see docs/GEMM_SEMANTICS.md "Blackwell paths".
#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "blackwell_host.cuh"
#include "plumb/kernels/blackwell_tcgen05_layout.hpp"
#include "plumb/kernels/gemm_kernels_decl.hpp"

namespace plumb::kernels::cuda {
namespace {

using blackwell::MmaKind;
namespace t5 = blackwell::tcgen05;

constexpr blackwell_host::Target kTarget{"cuda_sm100_block_mma", 10, 0, "sm_100 (datacenter Blackwell)"};

#if defined(__CUDA_ARCH_FEAT_SM100_ALL)
__device__ inline uint32_t smem_address(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

// d_tmem (+)= A B with the scales at scale_a / scale_b (scale factor id 0).
template <MmaKind Kind>
__device__ inline void mma_block_scale(uint32_t d_tmem, uint64_t a_desc, uint64_t b_desc, uint32_t idesc,
                                       uint32_t scale_a, uint32_t scale_b, uint32_t accumulate) {
#define PLUMB_TCGEN05_MMA(kind_and_vec)                                                             \
  asm volatile(                                                                                     \
      "{\n\t.reg .pred p;\n\tsetp.ne.b32 p, %6, 0;\n\t"                                           \
      "tcgen05.mma.cta_group::1." kind_and_vec " [%0], %1, %2, %3, [%4], [%5], p;\n\t}"            \
      :                                                                                             \
      : "r"(d_tmem), "l"(a_desc), "l"(b_desc), "r"(idesc), "r"(scale_a), "r"(scale_b), "r"(accumulate) \
      : "memory")
  if constexpr (Kind == MmaKind::mxf8f6f4_e4m3 || Kind == MmaKind::mxf8f6f4_e5m2) {
    PLUMB_TCGEN05_MMA("kind::mxf8f6f4.block_scale.scale_vec::1X");
  } else if constexpr (Kind == MmaKind::mxf4) {
    PLUMB_TCGEN05_MMA("kind::mxf4.block_scale.scale_vec::2X");
  } else {
    PLUMB_TCGEN05_MMA("kind::mxf4nvf4.block_scale.scale_vec::4X");
  }
#undef PLUMB_TCGEN05_MMA
}

__device__ inline void store_scales(uint32_t taddr, const uint32_t (&w)[4]) {
  asm volatile("tcgen05.st.sync.aligned.32x32b.x4.b32 [%0], {%1, %2, %3, %4};"
               :
               : "r"(taddr), "r"(w[0]), "r"(w[1]), "r"(w[2]), "r"(w[3])
               : "memory");
}

__device__ inline void wait_parity(uint32_t mbar, uint32_t parity) {
  uint32_t done = 0;
  while (!done)
    asm volatile(
        "{\n\t.reg .pred p;\n\tmbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n\tselp.u32 %0, 1, 0, p;\n\t}"
        : "=r"(done)
        : "r"(mbar), "r"(parity)
        : "memory");
}

__device__ inline void fence_before_sync() { asm volatile("tcgen05.fence::before_thread_sync;" ::: "memory"); }
__device__ inline void fence_after_sync() { asm volatile("tcgen05.fence::after_thread_sync;" ::: "memory"); }

// The 32 accumulator columns of this thread's lane (row).
__device__ inline void load_accumulators(uint32_t taddr, float (&v)[32]) {
  uint32_t r[32];
  asm volatile(
      "tcgen05.ld.sync.aligned.32x32b.x32.b32 {%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, "
      "%14, %15, %16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31}, [%32];"
      : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3]), "=r"(r[4]), "=r"(r[5]), "=r"(r[6]), "=r"(r[7]),
        "=r"(r[8]), "=r"(r[9]), "=r"(r[10]), "=r"(r[11]), "=r"(r[12]), "=r"(r[13]), "=r"(r[14]), "=r"(r[15]),
        "=r"(r[16]), "=r"(r[17]), "=r"(r[18]), "=r"(r[19]), "=r"(r[20]), "=r"(r[21]), "=r"(r[22]), "=r"(r[23]),
        "=r"(r[24]), "=r"(r[25]), "=r"(r[26]), "=r"(r[27]), "=r"(r[28]), "=r"(r[29]), "=r"(r[30]), "=r"(r[31])
      : "r"(taddr)
      : "memory");
  asm volatile("tcgen05.wait::ld.sync.aligned;" ::: "memory");
  for (int j = 0; j < 32; ++j) v[j] = __uint_as_float(r[j]);
}
#endif

// One CTA (t5::kThreads) per 128 x 32 tile: blockIdx.x over N, blockIdx.y over M.
template <MmaKind Kind>
__global__ void __launch_bounds__(t5::kThreads) sm100_block_mma_kernel(blackwell::BlockOperand a,
                                                                       blackwell::BlockOperand b, float g_a,
                                                                       float g_b, float* c) {
#if defined(__CUDA_ARCH_FEAT_SM100_ALL)
  __shared__ alignas(128) uint8_t tile_a[t5::kTileM * t5::kRowBytes];
  __shared__ alignas(128) uint8_t tile_b[t5::kTileN * t5::kRowBytes];
  __shared__ alignas(8) uint64_t mma_done;
  __shared__ uint32_t tmem_base;
  const int tid = static_cast<int>(threadIdx.x), warp = tid / 32, lane = tid % 32;
  const size_t row0 = size_t{blockIdx.y} * t5::kTileM, col0 = size_t{blockIdx.x} * t5::kTileN;
  const uint32_t mbar = smem_address(&mma_done);

  if (warp == 0) {
    asm volatile("tcgen05.alloc.cta_group::1.sync.aligned.shared::cta.b32 [%0], %1;" ::"r"(smem_address(&tmem_base)),
                 "r"(t5::kTmemColumns)
                 : "memory");
    asm volatile("tcgen05.relinquish_alloc_permit.cta_group::1.sync.aligned;" ::: "memory");
  }
  if (tid == 0) {
    asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;" ::"r"(mbar) : "memory");
    asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
  }
  fence_before_sync();
  __syncthreads();
  fence_after_sync();
  const uint32_t tmem = tmem_base;
  const uint32_t quarter = static_cast<uint32_t>(32 * warp) << 16;  // this warp's lanes
  const uint64_t a_desc = t5::smem_descriptor(smem_address(tile_a));
  const uint64_t b_desc = t5::smem_descriptor(smem_address(tile_b));
  const uint32_t idesc = t5::instruction_descriptor(Kind);

  const size_t steps = blackwell::mma_steps(Kind, a.k);
  for (size_t s = 0; s < steps; ++s) {
    const size_t k0 = s * blackwell::mma_k(Kind);
    for (int byte = 0; byte < t5::kRowBytes; ++byte) {
      tile_a[t5::smem_offset(tid, byte)] = t5::operand_byte(Kind, a, row0 + tid, k0, byte);
      if (tid < t5::kTileN) tile_b[t5::smem_offset(tid, byte)] = t5::operand_byte(Kind, b, col0 + tid, k0, byte);
    }
    uint32_t wa[4], wb[4];
    for (int col = 0; col < 4; ++col) {
      wa[col] = t5::scale_word(Kind, a, row0, lane, col, k0);
      wb[col] = t5::scale_word(Kind, b, col0, lane, col, k0);
    }
    store_scales(tmem + quarter + t5::kScaleAColumn, wa);
    store_scales(tmem + quarter + t5::kScaleBColumn, wb);
    asm volatile("tcgen05.wait::st.sync.aligned;" ::: "memory");
    asm volatile("fence.proxy.async.shared::cta;" ::: "memory");  // the tiles, for the tensor core
    fence_before_sync();
    __syncthreads();
    fence_after_sync();
    if (tid == 0) {
      mma_block_scale<Kind>(tmem, a_desc, b_desc, idesc, tmem + t5::kScaleAColumn, tmem + t5::kScaleBColumn,
                            s > 0 ? 1u : 0u);
      asm volatile("tcgen05.commit.cta_group::1.mbarrier::arrive::one.shared::cluster.b64 [%0];" ::"r"(mbar)
                   : "memory");
    }
    wait_parity(mbar, static_cast<uint32_t>(s & 1));
    fence_after_sync();
  }

  float acc[32];
  load_accumulators(tmem + quarter, acc);
  for (int j = 0; j < t5::kTileN; ++j)
    blackwell::store_output(Kind, a, b, row0 + tid, col0 + j, acc[j], g_a, g_b, c);
  fence_before_sync();
  __syncthreads();
  fence_after_sync();
  if (warp == 0)
    asm volatile("tcgen05.dealloc.cta_group::1.sync.aligned.b32 %0, %1;" ::"r"(tmem), "r"(t5::kTmemColumns)
                 : "memory");
#else
  __trap();  // never launched: the host refuses every GPU but compute capability 10.0
#endif
}

template <MmaKind Kind>
void launch_kind(const GemmArgs& args, float g_a, float g_b, float* c, cudaStream_t stream) {
  const blackwell::BlockOperand a{args.a_elements, args.a_scales, args.m, args.k};
  const blackwell::BlockOperand b{args.b_elements, args.b_scales, args.n, args.k};
  const dim3 grid(static_cast<unsigned>((args.n + t5::kTileN - 1) / t5::kTileN),
                  static_cast<unsigned>((args.m + t5::kTileM - 1) / t5::kTileM));
  sm100_block_mma_kernel<Kind><<<grid, t5::kThreads, 0, stream>>>(a, b, g_a, g_b, c);
}

}  // namespace

KernelStatus gemm_sm100_block_mma_launch(const GemmArgs& device_args, float* c_f32, int32_t* /*c_i32*/,
                                         void* stream, std::string* message) {
  static constexpr blackwell_host::KindLaunches launches{
      &launch_kind<MmaKind::mxf8f6f4_e4m3>, &launch_kind<MmaKind::mxf8f6f4_e5m2>, &launch_kind<MmaKind::mxf4>,
      &launch_kind<MmaKind::mxf4nvf4>};
  return blackwell_host::launch_device(kTarget, device_args, t5::kTileM, launches, c_f32, stream, message);
}

KernelStatus gemm_sm100_block_mma(const GemmArgs& args, float* c_f32, int32_t* /*c_i32*/, std::string* message) {
  return blackwell_host::run_on_host_arrays(kTarget, args, c_f32, message, &gemm_sm100_block_mma_launch);
}

}  // namespace plumb::kernels::cuda
