// plumb's Hopper block-scaled GEMM: the arguments every kernel of it takes,
// and the tensor-core instructions they share (mma.sync: sm_80 and later, so
// the sm_100a / sm_120a builds compile them too).
#pragma once

#include <cstdint>

namespace plumb::kernels::cuda::block_gemm {

struct Operand {
  const uint8_t* codes;   // rows x k element codes: one per byte, or two per byte when packed
  const uint8_t* scales;  // rows x nb scale codes
};

struct Params {
  Operand a, b;
  int m, n, k;
  int nb;          // blocks per row, ceil(k / block)
  float ga, gb;    // fp32(1 / S) of each operand (1 without a tensor scale)
  float* c;        // m x n fp32
  int k_slice;     // decode kernel: the K range of one block of threads (a multiple of 128)
  int k_pass;      // decode kernel: the part of it whose A is in shared memory at once (a multiple of 128)
  bool vec;        // 16-byte loads allowed (k % 32 == 0, pointers aligned)
};

__device__ __forceinline__ void mma_bf16(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// fp16 operands (the swapped decode kernel's nvfp4 path): same accumulation.
__device__ __forceinline__ void mma_f16(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// D = A B with a zero accumulator (the fp8 path's per-block partial products).
__device__ __forceinline__ void mma_e4m3_zero(float (&d)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                                              uint32_t b0, uint32_t b1) {
  const float z = 0.0f;
  asm volatile(
      "mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%10,%10,%10,%10};\n"
      : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
      : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1), "f"(z));
}

__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void* smem) {
  const uint32_t addr = static_cast<uint32_t>(__cvta_generic_to_shared(smem));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}

}  // namespace plumb::kernels::cuda::block_gemm
