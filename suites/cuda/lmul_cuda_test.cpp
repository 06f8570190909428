// cuda_lmul against the exact L-Mul reference, through the same checks as the
// CPU suite (suites/kernels/lmul_suites_test.cpp): elementwise bit for bit on
// every pair of 8-bit codes and on edge + seeded random pairs of wider
// formats, under every carry / subnormal / overflow parameter; dot and GEMM
// within lmul_kernel.hpp's fp32 accumulation bound (the GPU sums in a
// different order from the CPU, the bound holds for any order).
#include <catch2/catch.hpp>

#include "plumb/checks/lmul_check.hpp"

using namespace plumb;
using namespace plumb::checks;

namespace {
constexpr uint64_t kSeed = 5;
const kernels::LmulKernel& cuda_kernel() {
  const auto* k = kernels::find_lmul_kernel("cuda_lmul");
  REQUIRE(k);
  return *k;
}
void require_passed(const Verdict& v) {
  INFO(describe(v) << " " << v.label << ": " << v.cases << " cases, " << v.mismatches
                   << " mismatches " << v.message);
  if (!v.counterexamples.empty()) INFO("first: " << v.counterexamples.front().detail);
  REQUIRE(v.disposition == Disposition::passed);
}
std::vector<LmulSpec> specs() {
  std::vector<LmulSpec> list;
  for (LmulCarry c : {LmulCarry::paper, LmulCarry::int_add})
    for (LmulSubnormals s : {LmulSubnormals::flush, LmulSubnormals::gradual})
      for (Overflow o : {Overflow::saturate, Overflow::infinity, Overflow::nan}) list.push_back({c, s, o});
  return list;
}
}  // namespace

TEST_CASE("cuda_lmul elementwise == reference, bit for bit", "[lmul][cuda]") {
  INFO("seed " << kSeed);
  for (const FormatDesc f : {formats::e4m3fn, formats::e5m2, formats::e4m3fnuz, formats::e2m1fn,
                             formats::bf16, formats::fp16, formats::fp32, float_format(6, 9, Encoding::ieee)}) {
    const LmulPairs pairs = lmul_pairs(f, kSeed, 20000);
    for (const LmulSpec& spec : specs()) require_passed(check_lmul_elementwise(cuda_kernel(), f, spec, pairs));
  }
}

TEST_CASE("cuda_lmul dot and GEMM within the fp32 accumulation bound", "[lmul][cuda]") {
  INFO("seed " << kSeed);
  for (const FormatDesc f : {formats::e4m3fn, formats::e5m2, formats::bf16, formats::fp32})
    for (LmulCarry c : {LmulCarry::paper, LmulCarry::int_add}) {
      const LmulSpec spec{c, LmulSubnormals::flush, Overflow::saturate};
      require_passed(check_lmul_dot(cuda_kernel(), f, spec, 100000, 4, kSeed));  // > one block's slice
      require_passed(check_lmul_gemm(cuda_kernel(), f, spec, 33, 65, 257, kSeed));
    }
}
