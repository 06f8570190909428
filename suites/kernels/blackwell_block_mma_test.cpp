// The native Blackwell block-scaled GEMM paths, checked on the CPU: the data
// layout code the kernels run (plumb/kernels/blackwell_block_mma.hpp for
// sm_120a mma.sync, blackwell_tcgen05_layout.hpp for sm_100a tcgen05.mma)
// driven through host emulations of the PTX instructions
// (blackwell_mma_emulation.hpp, blackwell_tcgen05_emulation.hpp) and judged by
// the gemm check against the exact reference, on seeded cases with K tails and
// partial tiles; deliberate misreadings of the scale operands must be caught.
// The registered CUDA kernels must refuse, with a message, every GPU they
// cannot run on.
#include <catch2/catch.hpp>

#include <array>
#include <iostream>
#include <string>
#include <vector>

#include "blackwell_mma_emulation.hpp"
#include "blackwell_tcgen05_emulation.hpp"
#include "plumb/checks/gemm_check.hpp"
#include "plumb/formats/block_names.hpp"
#include "plumb/kernels/convert_kernel.hpp"

using namespace plumb;
using namespace plumb::checks;
namespace bw = plumb::kernels::blackwell;

namespace {
constexpr uint64_t kSeed = 61;

struct NamedFormat {
  const char* name;
  BlockFormat format;
};
const NamedFormat kFormats[] = {{"mxfp8_e4m3", block_formats::mxfp8_e4m3},
                                {"mxfp8_e5m2", block_formats::mxfp8_e5m2},
                                {"mxfp4", block_formats::mxfp4},
                                {"nvfp4", block_formats::nvfp4}};

kernels::GemmKernel emulated(kernels::GemmFn fn, bool planted) {
  return {"emulated_block_mma", kernels::Device::cpu, "host emulation of a native Blackwell GEMM", fn, planted,
          nullptr, 24};
}

// Every format on seeded cases: K tails (not a multiple of the block or of the
// instruction's K), partial tiles in M and N, one-element dots, zero blocks and
// NaN blocks. Returns the number of cells, each required to pass.
size_t require_agreement(const kernels::GemmKernel& k, const std::vector<std::array<size_t, 3>>& shapes) {
  size_t cells = 0;
  for (const auto& f : kFormats)
    for (const auto& s : shapes)
      for (const auto special : {GemmSpecial::none, GemmSpecial::zero_block, GemmSpecial::nan_inf}) {
        const GemmCase c = make_block_gemm_case(f.format, f.name, s[0], s[1], s[2], special, kSeed + cells);
        const Verdict v = check_gemm(k, c);
        INFO(c.label << ": " << v.message
                     << (v.counterexamples.empty() ? "" : " first: " + v.counterexamples.front().detail));
        REQUIRE(v.disposition == Disposition::passed);
        REQUIRE(v.cases == s[0] * s[1]);
        ++cells;
      }
  return cells;
}
}  // namespace

TEST_CASE("sm120 block MMA layout: formats map to the documented instruction shapes", "[gemm][blackwell]") {
  REQUIRE(bw::mma_kind_for(block_formats::mxfp8_e4m3) == bw::MmaKind::mxf8f6f4_e4m3);
  REQUIRE(bw::mma_kind_for(block_formats::mxfp4) == bw::MmaKind::mxf4);
  REQUIRE(bw::mma_kind_for(block_formats::nvfp4) == bw::MmaKind::mxf4nvf4);
  REQUIRE(bw::mma_kind_for(block_formats::mxint8) == bw::MmaKind::none);
  REQUIRE(bw::mma_kind_for(block_formats::nvint4) == bw::MmaKind::none);
  REQUIRE(bw::mma_kind_for(block_formats::mxfp6_e3m2) == bw::MmaKind::none);
  BlockFormat mx16 = block_formats::mxfp8_e4m3;
  mx16.block_size = 16;
  REQUIRE(bw::mma_kind_for(mx16) == bw::MmaKind::none);  // scale_vec fixes 32 per ue8m0 scale
  // Scale blocks equal the formats' block sizes: 1X 32, 2X 32, 4X 16.
  REQUIRE(bw::scale_block(bw::MmaKind::mxf8f6f4_e4m3) == 32);
  REQUIRE(bw::scale_block(bw::MmaKind::mxf4) == 32);
  REQUIRE(bw::scale_block(bw::MmaKind::mxf4nvf4) == 16);
  // Every (row, k) of A and (n, k) of B is held by exactly one lane / register / slot.
  for (const auto kind : {bw::MmaKind::mxf8f6f4_e4m3, bw::MmaKind::mxf4}) {
    const int K = bw::mma_k(kind), per = bw::elements_per_register(kind);
    std::vector<int> a_hits(16 * K, 0), b_hits(8 * K, 0);
    for (int lane = 0; lane < 32; ++lane)
      for (int s = 0; s < per; ++s) {
        for (int r = 0; r < 4; ++r) {
          const auto c = bw::a_fragment_coord(kind, lane, r, s);
          ++a_hits[c.row * K + c.k];
        }
        for (int r = 0; r < 2; ++r) {
          const auto c = bw::b_fragment_coord(kind, lane, r, s);
          ++b_hits[c.row * K + c.k];
        }
      }
    for (int h : a_hits) REQUIRE(h == 1);
    for (int h : b_hits) REQUIRE(h == 1);
  }
}

TEST_CASE("sm120 block MMA emulated on the host agrees with the exact GEMM", "[gemm][blackwell]") {
  std::cout << "blackwell emulation seed " << kSeed << "\n";
  const auto k = emulated(&emulation::emulated_sm120_block_mma<>, false);
  const size_t cells = require_agreement(k, {{16, 8, 32}, {16, 8, 64}, {17, 9, 70}, {33, 20, 100},
                                             {5, 3, 129}, {3, 11, 1}, {40, 24, 256}, {16, 8, 48}});
  REQUIRE(cells == 4 * 8 * 3);
}

TEST_CASE("sm100 tcgen05 block MMA emulated on the host agrees with the exact GEMM", "[gemm][blackwell]") {
  std::cout << "blackwell emulation seed " << kSeed << "\n";
  const auto k = emulated(&emulation::emulated_sm100_block_mma<>, false);
  const size_t cells = require_agreement(k, {{128, 32, 64}, {130, 40, 70}, {5, 3, 129}, {3, 33, 1}, {129, 8, 200}});
  REQUIRE(cells == 4 * 5 * 3);
}

TEST_CASE("sm120 block MMA emulation: misread scale operands are caught", "[gemm][blackwell]") {
  std::cout << "blackwell emulation seed " << kSeed << "\n";
  // Bytes in reverse order: wrong for 2X / 4X as soon as the K ranges' scales differ.
  const auto reversed = emulated(&emulation::emulated_sm120_block_mma<emulation::ScaleMisread::reversed_bytes>, true);
  for (const auto* name : {"mxfp4", "nvfp4"}) {
    const BlockFormat f = *find_block_format(name);
    const Verdict v = check_gemm(reversed, make_block_gemm_case(f, name, 16, 8, 128, GemmSpecial::none, kSeed));
    INFO(name << ": " << v.message);
    REQUIRE(v.disposition == Disposition::incorrect);
  }
  // tcgen05: row m's scales read from lane m, column 0 instead of lane m % 32, column m / 32.
  const auto lane_is_row =
      emulated(&emulation::emulated_sm100_block_mma<emulation::Tcgen05Misread::scale_lane_is_row>, true);
  for (const auto& f : kFormats) {
    const GemmCase c = make_block_gemm_case(f.format, f.name, 128, 32, 64, GemmSpecial::none, kSeed);
    const Verdict v = check_gemm(lane_is_row, c);
    INFO(f.name << ": " << v.message);
    REQUIRE(v.disposition == Disposition::incorrect);
  }
  // Rows g and g + 8 swapped: wrong wherever their scales differ.
  const auto swapped = emulated(&emulation::emulated_sm120_block_mma<emulation::ScaleMisread::swapped_rows>, true);
  for (const auto& f : kFormats) {
    const Verdict v = check_gemm(swapped, make_block_gemm_case(f.format, f.name, 16, 8, 96, GemmSpecial::none, kSeed));
    INFO(f.name << ": " << v.message);
    REQUIRE(v.disposition == Disposition::incorrect);
  }
}

TEST_CASE("native Blackwell GEMM kernels refuse GPUs they cannot run on", "[gemm][blackwell]") {
  if (!kernels::cuda_built()) {
    std::cout << "CUDA not built: no native Blackwell kernels to ask\n";
    REQUIRE(kernels::find_gemm_kernel("cuda_sm120_block_mma") == nullptr);
    return;
  }
  const GemmCase c = make_block_gemm_case(block_formats::nvfp4, "nvfp4", 16, 8, 64, GemmSpecial::none, kSeed);
  const GemmCase fp32 = make_fp32_gemm_case(4, 4, 4, kSeed);
  for (const auto* name : {"cuda_sm120_block_mma", "cuda_sm100_block_mma"}) {
    const kernels::GemmKernel* k = kernels::find_gemm_kernel(name);
    REQUIRE(k != nullptr);
    std::vector<float> out(16 * 8);
    std::string message;
    // Not a block operand: refused whatever the GPU.
    REQUIRE(k->fn(fp32.args(), out.data(), nullptr, &message) == kernels::KernelStatus::not_supported);
    REQUIRE(message.find("block operands only") != std::string::npos);
    if (kernels::cuda_device_count() > 0) continue;  // a GPU: its capability decides (GPU suites)
    message.clear();
    REQUIRE(k->fn(c.args(), out.data(), nullptr, &message) == kernels::KernelStatus::not_supported);
    INFO(message);
    REQUIRE(message.find(std::string(name) + ": needs sm_1") == 0);
  }
}
