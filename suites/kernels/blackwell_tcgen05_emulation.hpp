// A host emulation of the sm_100a block-scaled tensor-core MMA (PTX ISA
// "tcgen05.mma.cta_group::1.kind::{mxf8f6f4,mxf4,mxf4nvf4}.block_scale", one
// CTA) and of cuda_sm100_block_mma, the GEMM that kernels/cuda/gemm/
// blackwell_sm100_block_mma.cu runs with it. The GEMM loop fills a shared-
// memory image and the tensor-memory scale columns with the kernel's own code
// (plumb/kernels/blackwell_tcgen05_layout.hpp) and builds its descriptors;
// the instruction below decodes the descriptors' fields (start address,
// leading / stride byte offsets, version, swizzle; formats, N, M, scale
// format, scale factor ids, majorness) and reads the operands back through the
// canonical K-major unswizzled layout ((8, m), (T, 2k)) : ((1T, SBO), (1, LBO))
// and the scales from lane m % 32, column m / 32 of the lane quarter of row m.
// What it cannot catch: a misreading of the ISA made the same way in both
// (notably the scale layout in tensor memory, docs/GEMM_SEMANTICS.md).
// Accumulation model as for the sm_120 emulation: each instruction's dot
// exactly, added to D with one fp32 rounding.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "blackwell_mma_emulation.hpp"
#include "plumb/kernels/blackwell_tcgen05_layout.hpp"

namespace plumb::emulation {

namespace t5 = kernels::blackwell::tcgen05;

struct Tcgen05Tile {
  std::vector<uint8_t> smem = std::vector<uint8_t>(8192, 0);  // A at 0, B at 4096
  uint32_t scale_a[128][4] = {}, scale_b[128][4] = {};      // tensor memory: [lane][column]
  float d[128][32] = {};                                    // tensor memory: [lane = row][column]
};

// Another reading of the scale layout in tensor memory, to show the check
// tells the two apart: row m's scales in lane m, column 0.
enum class Tcgen05Misread : uint8_t { none, scale_lane_is_row };

// One instruction. Returns a description of what the emulation refuses in the
// descriptors (empty when they are valid for this use).
inline std::string emulate_tcgen05_mma(bw::MmaKind kind, Tcgen05Tile& t, uint64_t a_desc, uint64_t b_desc,
                                       uint32_t idesc, bool accumulate,
                                       Tcgen05Misread misread = Tcgen05Misread::none) {
  for (const uint64_t desc : {a_desc, b_desc}) {
    if (((desc >> 46) & 3) != 1) return "smem descriptor version is not 1";
    if ((desc >> 61) != 0) return "smem descriptor is swizzled";
  }
  const auto field = [&](int lo, int bits) { return (idesc >> lo) & ((1u << bits) - 1); };
  const uint32_t a_fmt = field(7, 3), b_fmt = field(10, 3), n = field(17, 6) << 3, m = field(24, 5) << 4;
  const uint32_t want_fmt = kind == bw::MmaKind::mxf8f6f4_e4m3 ? 0 : 1;  // e4m3 0, e5m2 1; mxf4*: e2m1 1
  if (a_fmt != want_fmt || b_fmt != want_fmt) return "A / B format fields do not name the kind's element";
  if (m != 128 || n != 32) return "M, N fields are not 128, 32";
  if (field(23, 1) != (bw::ue4m3_scales(kind) ? 0u : 1u)) return "scale format field does not match";
  if (field(2, 1) || field(13, 2) || field(15, 2) || field(31, 1)) return "sparse, negate, MN-major or K flag set";
  const int sf_a = static_cast<int>(field(29, 2)), sf_b = static_cast<int>(field(4, 2));
  const bool fp4 = bw::is_fp4(kind);
  const int K = bw::mma_k(kind), V = bw::scale_vec(kind);
  const auto element = [&](uint64_t desc, int row, int k) {
    const uint32_t start = static_cast<uint32_t>(desc & 0x3FFF) << 4;
    const uint32_t lbo = static_cast<uint32_t>((desc >> 16) & 0x3FFF) << 4;
    const uint32_t sbo = static_cast<uint32_t>((desc >> 32) & 0x3FFF) << 4;
    const int byte = fp4 ? k / 2 : k;  // T = 16 bytes: 16 fp8 or 32 packed e2m1 elements
    const uint32_t at = start + static_cast<uint32_t>(row / 8) * sbo + static_cast<uint32_t>(byte / 16) * lbo +
                        static_cast<uint32_t>(row % 8) * 16 + static_cast<uint32_t>(byte % 16);
    const uint32_t v = t.smem.at(at);
    return element_value(kind, fp4 ? (k % 2 ? v >> 4 : v & 0xF) : v);
  };
  const auto scale = [&](const uint32_t (&sf)[128][4], int sf_id, int row, int s) {
    // lane row % 32 of quarter row / 32, column row / 32
    const uint32_t word = misread == Tcgen05Misread::scale_lane_is_row ? sf[row][0] : sf[row][row / 32];
    return scale_value(kind, (word >> (8 * (sf_id + s))) & 0xFF);
  };
  for (int i = 0; i < 128; ++i)
    for (int j = 0; j < 32; ++j) {
      long double sum = 0;
      for (int k = 0; k < K; ++k) {
        const int s = k / (K / V);
        sum += static_cast<long double>(element(a_desc, i, k) * scale(t.scale_a, sf_a, i, s)) *
               static_cast<long double>(element(b_desc, j, k) * scale(t.scale_b, sf_b, j, s));
      }
      t.d[i][j] = static_cast<float>((accumulate ? static_cast<long double>(t.d[i][j]) : 0.0L) + sum);
    }
  return {};
}

// cuda_sm100_block_mma's loop on the host: the same tiles, shared-memory and
// tensor-memory contents, descriptors and epilogue.
template <Tcgen05Misread Misread = Tcgen05Misread::none>
kernels::KernelStatus emulated_sm100_block_mma(const kernels::GemmArgs& args, float* c, int32_t* /*c_i32*/,
                                               std::string* message) {
  const bw::MmaKind kind = args.kind == kernels::GemmKind::block ? bw::mma_kind_for(args.format) : bw::MmaKind::none;
  if (kind == bw::MmaKind::none) {
    if (message) *message = "no sm_100 block-scaled MMA for this operand kind / format";
    return kernels::KernelStatus::not_supported;
  }
  const bw::BlockOperand a{args.a_elements, args.a_scales, args.m, args.k};
  const bw::BlockOperand b{args.b_elements, args.b_scales, args.n, args.k};
  const float g_a = bw::inverse_tensor_scale(args.format, args.a_tensor_scale);
  const float g_b = bw::inverse_tensor_scale(args.format, args.b_tensor_scale);
  const uint64_t a_desc = t5::smem_descriptor(0), b_desc = t5::smem_descriptor(4096);
  auto tile = std::make_unique<Tcgen05Tile>();
  for (size_t row0 = 0; row0 < args.m; row0 += t5::kTileM)
    for (size_t col0 = 0; col0 < args.n; col0 += t5::kTileN) {
      Tcgen05Tile& t = *tile;
      for (size_t s = 0; s < bw::mma_steps(kind, args.k); ++s) {
        const size_t k0 = s * bw::mma_k(kind);
        for (int tid = 0; tid < t5::kThreads; ++tid) {
          for (int byte = 0; byte < t5::kRowBytes; ++byte) {
            t.smem[t5::smem_offset(tid, byte)] = t5::operand_byte(kind, a, row0 + tid, k0, byte);
            if (tid < t5::kTileN)
              t.smem[4096 + t5::smem_offset(tid, byte)] = t5::operand_byte(kind, b, col0 + tid, k0, byte);
          }
          for (int col = 0; col < 4; ++col) {
            t.scale_a[tid][col] = t5::scale_word(kind, a, row0, tid % 32, col, k0);
            t.scale_b[tid][col] = t5::scale_word(kind, b, col0, tid % 32, col, k0);
          }
        }
        const std::string problem =
            emulate_tcgen05_mma(kind, t, a_desc, b_desc, t5::instruction_descriptor(kind), s > 0, Misread);
        if (!problem.empty()) {
          if (message) *message = "emulated tcgen05.mma refuses the kernel's descriptors: " + problem;
          return kernels::KernelStatus::error;
        }
      }
      for (int tid = 0; tid < t5::kThreads; ++tid)
        for (int j = 0; j < t5::kTileN; ++j)
          bw::store_output(kind, a, b, row0 + tid, col0 + j, t.d[tid][j], g_a, g_b, c);
    }
  return kernels::KernelStatus::ok;
}

}  // namespace plumb::emulation
