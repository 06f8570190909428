// plumb's Hopper block GEMM (cuda_block_gemm_bf16, cuda_block_gemm_fp8) against
// the exact reference through gemm_check (docs/GEMM_SEMANTICS.md), on shapes
// beyond the gemm suite's: m > 16 (the tile kernels), several K slices of the
// decode kernel (atomics), tails in m, n and k, zero and NaN/inf blocks.
// Seed: PLUMB_GEMM_SEED in the environment, else 11 (printed on failure).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "plumb/checks/gemm_check.hpp"
#include "plumb/formats/block_names.hpp"

using namespace plumb;
using namespace plumb::checks;

namespace {
uint64_t seed() {
  const char* s = std::getenv("PLUMB_GEMM_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 11;
}
}  // namespace

TEST_CASE("plumb's Hopper block GEMM within the gamma bound of the exact reference", "[gemm][block_gemm][cuda]") {
  const uint64_t base = seed();
  INFO("seed " << base << " (set PLUMB_GEMM_SEED to change)");
  struct Shape {
    size_t m, n, k;
    GemmSpecial special;
  };
  const Shape shapes[] = {{1, 7, 100, GemmSpecial::none},     {16, 130, 300, GemmSpecial::none},
                          {9, 3, 4099, GemmSpecial::none},    {40, 24, 260, GemmSpecial::none},
                          {130, 129, 96, GemmSpecial::none},  {33, 20, 70, GemmSpecial::zero_block},
                          {33, 20, 70, GemmSpecial::nan_inf}, {3, 20, 70, GemmSpecial::nan_inf},
                          // the streaming decode kernels (k a multiple of 256 or 512)
                          {8, 130, 1024, GemmSpecial::none},  {16, 20, 512, GemmSpecial::nan_inf},
                          {3, 40, 512, GemmSpecial::zero_block},
                          // the operand-swapped one: several K slices, m 9..16, a column tail
                          {12, 200, 4096, GemmSpecial::none}, {1, 136, 2048, GemmSpecial::nan_inf}};
  for (const char* kernel_name : {"cuda_block_gemm_bf16", "cuda_block_gemm_fp8"}) {
    const auto* kernel = kernels::find_gemm_kernel(kernel_name);
    REQUIRE(kernel);
    for (const char* format : {"mxfp8_e4m3", "mxfp4", "mxint8", "nvfp4", "nvint4"}) {
      const bool supported = std::string(format) != "mxint8" &&
                             !(std::string(format) == "mxfp8_e4m3" && std::string(kernel_name) == "cuda_block_gemm_fp8");
      uint64_t i = 0;
      for (const Shape& s : shapes) {
        const GemmCase c = make_block_gemm_case(parse_block_format(format), format, s.m, s.n, s.k, s.special,
                                                base * 1000003 + i++);
        const Verdict v = check_gemm(*kernel, c);
        INFO(kernel_name << " " << v.label << ": " << v.mismatches << " mismatches; " << v.message);
        if (!v.counterexamples.empty()) INFO("first: " << v.counterexamples.front().detail);
        REQUIRE(v.disposition == (supported ? Disposition::passed : Disposition::not_supported));
      }
    }
  }
}

TEST_CASE("plumb's Hopper block GEMM refuses MX scales outside its exact range", "[gemm][block_gemm][cuda]") {
  // A block of A with a nonzero element and scale 2^60: the folded bf16
  // products could leave fp32's range, so the host entry says not_supported.
  GemmCase c = make_block_gemm_case(block_formats::mxfp4, "mxfp4", 3, 4, 64, GemmSpecial::none, seed());
  c.a_elements[0] = 1;       // e2m1 0.5
  c.a_scales[0] = 127 + 60;  // ue8m0 2^60
  for (const char* kernel_name : {"cuda_block_gemm_bf16", "cuda_block_gemm_fp8"}) {
    const auto* kernel = kernels::find_gemm_kernel(kernel_name);
    REQUIRE(kernel);
    const Verdict v = check_gemm(*kernel, c);
    INFO(kernel_name << ": " << v.message);
    REQUIRE(v.disposition == Disposition::not_supported);
    REQUIRE(v.message.find("2^60") != std::string::npos);
  }
}
