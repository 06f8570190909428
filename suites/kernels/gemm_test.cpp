// GEMM (docs/GEMM_SEMANTICS.md): the exact reference against independent
// computations (int64 sums, MPFR-dequantised operands, neighbouring floats),
// and every CPU GEMM kernel of the registry through the `gemm` suite; the
// planted kernel must be caught.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <set>

#include "plumb/checks/gemm_suite.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/reference/block_reference.hpp"

using namespace plumb;
using namespace plumb::checks;

namespace {
constexpr uint64_t kSeed = 11;

// |x - v| <= |y - v| for both neighbours y of x in a format of `prec` bits
// (normal range): x is a nearest value to v.
void require_nearest(float x, long double v, int prec) {
  if (x == 0 || std::isinf(x)) return;
  int e = 0;
  const float fr = std::frexp(std::fabs(x), &e);
  const long double ax = std::fabs(static_cast<long double>(x)), av = x < 0 ? -v : v;
  const long double q = std::ldexp(1.0L, e - prec);      // the step above |x|
  const long double below = fr == 0.5f ? q / 2 : q;      // the step halves below a power of two
  const long double d = std::fabs(ax - av);
  REQUIRE(d <= std::fabs(ax + q - av));
  REQUIRE(d <= std::fabs(ax - below - av));
}
}  // namespace

TEST_CASE("exact GEMM: integer-valued fp32 operands give the int64 sum", "[gemm][reference]") {
  std::cout << "gemm reference seed " << kSeed << "\n";
  GemmCase c = make_int8_gemm_case(5, 3, 777, kSeed);
  // The same values as fp32 operands: exact sums must agree with int64 sums.
  std::vector<float> a(c.a_i8.begin(), c.a_i8.end()), b(c.b_i8.begin(), c.b_i8.end());
  reference::GemmOperand oa{reference::GemmOperandKind::fp32, 5, 777, a.data()};
  reference::GemmOperand ob{reference::GemmOperandKind::fp32, 3, 777, b.data()};
  const auto e = reference::exact_gemm(oa, ob);
  const auto ei = reference::exact_gemm(c.a_operand(), c.b_operand());
  for (size_t i = 0; i < 5; ++i)
    for (size_t j = 0; j < 3; ++j) {
      int64_t s = 0, abs = 0;
      for (size_t k = 0; k < 777; ++k) {
        s += int64_t{c.a_i8[i * 777 + k]} * c.b_i8[j * 777 + k];
        abs += std::llabs(int64_t{c.a_i8[i * 777 + k]} * c.b_i8[j * 777 + k]);
      }
      REQUIRE(e[i * 3 + j].value == static_cast<long double>(s));
      REQUIRE(ei[i * 3 + j].value == static_cast<long double>(s));
      REQUIRE(e[i * 3 + j].abs_sum == static_cast<long double>(abs));
      REQUIRE(e[i * 3 + j].fp32 == static_cast<float>(s));  // |s| < 2^24: exact
      REQUIRE(reference::exact_gemm_compare(oa, ob, i, j, static_cast<double>(s)) == 0);
      REQUIRE(reference::exact_gemm_compare(oa, ob, i, j, s + 0.5) == 1);
      REQUIRE(reference::exact_gemm_compare(oa, ob, i, j, s - 0x1p-30) == -1);
    }
}

TEST_CASE("exact GEMM: fp32 / bf16 / fp16 results are nearest to the exact value", "[gemm][reference]") {
  std::cout << "gemm reference seed " << kSeed << "\n";
  const GemmCase c = make_fp32_gemm_case(6, 7, 300, kSeed);
  const auto a = c.a_operand(), b = c.b_operand();
  const auto e = reference::exact_gemm(a, b);
  for (size_t idx = 0; idx < e.size(); ++idx) {
    INFO("C[" << idx / 7 << "][" << idx % 7 << "] exact " << static_cast<double>(e[idx].value));
    require_nearest(e[idx].fp32, e[idx].value, 24);
    require_nearest(e[idx].bf16, e[idx].value, 8);
    require_nearest(e[idx].fp16, e[idx].value, 11);
    // The long double agrees with the exact comparison on the side of each fp32 neighbour.
    const float up = std::nextafter(e[idx].fp32, INFINITY), down = std::nextafter(e[idx].fp32, -INFINITY);
    REQUIRE(reference::exact_gemm_compare(a, b, idx / 7, idx % 7, up) == 1);
    REQUIRE(reference::exact_gemm_compare(a, b, idx / 7, idx % 7, down) == -1);
  }
}

TEST_CASE("exact GEMM of block operands = exact GEMM of MPFR-dequantised operands", "[gemm][reference]") {
  std::cout << "gemm reference seed " << kSeed << "\n";
  const std::pair<const char*, BlockFormat> list[] = {{"mxfp8_e4m3", block_formats::mxfp8_e4m3},
                                                      {"mxfp4", block_formats::mxfp4},
                                                      {"mxint8", block_formats::mxint8},
                                                      {"nvfp4", block_formats::nvfp4},
                                                      {"nvint4", block_formats::nvint4}};
  for (const auto& [name, f] : list) {
    const GemmCase c = make_block_gemm_case(f, name, 3, 4, 70, GemmSpecial::nan_inf, kSeed);
    INFO(c.label);
    const BlockOptions rows{};
    const auto x = reference::mpfr_block_dequantize(f, rows, c.a_elements.data(), c.a_scales.data(),
                                                    c.a_tensor_scale, 3, 70);
    const auto y = reference::mpfr_block_dequantize(f, rows, c.b_elements.data(), c.b_scales.data(),
                                                    c.b_tensor_scale, 4, 70);
    // NaN blocks: the dequantised NaN becomes a finite stand-in, checked separately.
    std::vector<float> xs(x), ys(y);
    for (auto& v : xs) v = std::isnan(v) ? 0.0f : v;
    for (auto& v : ys) v = std::isnan(v) ? 0.0f : v;
    const auto eb = reference::exact_gemm(c.a_operand(), c.b_operand());
    const auto ef = reference::exact_gemm({reference::GemmOperandKind::fp32, 3, 70, xs.data()},
                                          {reference::GemmOperandKind::fp32, 4, 70, ys.data()});
    for (size_t i = 0; i < 3; ++i)
      for (size_t j = 0; j < 4; ++j) {
        bool nan = false;
        for (size_t k = 0; k < 70; ++k) nan |= std::isnan(x[i * 70 + k]) || std::isnan(y[j * 70 + k]);
        REQUIRE(eb[i * 4 + j].nan == nan);
        if (nan) continue;
        if (!f.tensor_scale) {  // MX dequantisation is exact
          REQUIRE(eb[i * 4 + j].value == ef[i * 4 + j].value);
        } else {  // NV: three fp32 roundings per operand, one per product term
          REQUIRE(std::fabs(eb[i * 4 + j].value - ef[i * 4 + j].value) <= 7 * 0x1p-24L * eb[i * 4 + j].abs_sum);
        }
      }
  }
}

TEST_CASE("exact GEMM: bad operands are refused with a message", "[gemm][reference]") {
  float a[2] = {1, INFINITY}, b[3] = {1, 2, 3};
  REQUIRE_THROWS_AS(reference::exact_gemm({reference::GemmOperandKind::fp32, 1, 2, a},
                                          {reference::GemmOperandKind::fp32, 1, 3, b}),
                    std::invalid_argument);
  REQUIRE_THROWS_WITH(reference::exact_gemm({reference::GemmOperandKind::fp32, 1, 2, a},
                                            {reference::GemmOperandKind::fp32, 1, 2, b}),
                      Catch::Contains("non-finite"));
}

TEST_CASE("the gemm suite: every CPU kernel on every cell", "[gemm][kernels]") {
  std::cout << "gemm suite seed " << kSeed << "\n";
  GemmSuiteOptions o;
  o.seed = kSeed;
  o.kernels = registry_gemm_kernels("cpu");
  size_t planted = 0, planted_caught = 0, passed = 0;
  for (const auto* k : o.kernels) planted += k->planted_bug;
  std::set<std::string> caught_by;
  o.on_verdict = [&](const Verdict& v) {
    INFO(describe(v) << " " << v.label << ": " << v.cases << " cases, " << v.mismatches << " mismatches "
                     << v.message << (v.counterexamples.empty() ? "" : " first: " + v.counterexamples.front().detail));
    if (v.disposition == Disposition::not_supported) return;
    CHECK(v.cases > 0);
    if (v.expected_failure) {
      if (v.disposition == Disposition::incorrect && caught_by.insert(v.kernel).second) ++planted_caught;
      // K a multiple of the block (or K <= block): nothing is dropped, so the cell must pass.
    } else {
      REQUIRE(v.disposition == Disposition::passed);
      ++passed;
    }
  };
  const size_t cells = run_gemm_suite(o);
  REQUIRE(cells > 40);
  size_t cpu_cells = 0;  // cells of the kinds some CPU kernel takes (the others are for cuBLAS(Lt))
  for (const auto& c : gemm_suite_cases(kSeed))
    cpu_cells += c.kind == kernels::GemmKind::int8 || c.kind == kernels::GemmKind::fp32 || c.kind == kernels::GemmKind::block;
  REQUIRE(cpu_cells > 40);
  REQUIRE(passed >= cpu_cells);  // every such cell passed by at least one kernel of its kind
  REQUIRE(planted >= 1);
  REQUIRE(planted_caught == planted);
}

namespace {
// A kernel that loses NaNs: the block GEMM with every NaN output replaced by 0.
kernels::KernelStatus nan_to_zero(const kernels::GemmArgs& a, float* c, int32_t* ci, std::string* m) {
  const auto s = kernels::cpu::gemm_block_fp32(a, c, ci, m);
  for (size_t i = 0; i < a.m * a.n; ++i)
    if (std::isnan(c[i])) c[i] = 0.0f;
  return s;
}
}  // namespace

TEST_CASE("the gemm check catches a kernel that drops NaN blocks", "[gemm][kernels]") {
  std::cout << "gemm check seed " << kSeed << "\n";
  const kernels::GemmKernel k{"nan_to_zero", kernels::Device::cpu, "test", &nan_to_zero, true, nullptr, 24};
  const GemmCase clean = make_block_gemm_case(block_formats::nvfp4, "nvfp4", 4, 5, 70, GemmSpecial::none, kSeed);
  REQUIRE(check_gemm(k, clean).disposition == Disposition::passed);
  const GemmCase c = make_block_gemm_case(block_formats::nvfp4, "nvfp4", 4, 5, 70, GemmSpecial::nan_inf, kSeed);
  const Verdict v = check_gemm(k, c);
  INFO(v.message);
  REQUIRE(v.disposition == Disposition::incorrect);
  // A[3][0] = inf and B[0][69] = NaN poison row 3 and column 0: 5 + 4 - 1 outputs.
  REQUIRE(v.mismatches == 8);
  REQUIRE(v.counterexamples.front().detail.find("expected NaN") != std::string::npos);
  REQUIRE(v.message.find("gamma bound: max") != std::string::npos);
}

TEST_CASE("exact GEMM of bf16 / fp16 / fp8 / fp8_blockwise codes = exact GEMM of their fp32 values",
          "[gemm][reference]") {
  std::cout << "gemm reference seed " << kSeed << "\n";
  // Each case's operand values are exact in fp32 (multipliers set to powers of
  // two, a different one per block so a wrong block index shows).
  std::vector<GemmCase> cases = {make_half_gemm_case(kernels::GemmKind::bf16, 3, 4, 300, kSeed),
                                 make_half_gemm_case(kernels::GemmKind::fp16, 4, 3, 129, kSeed),
                                 make_fp8_gemm_case(formats::e4m3fn, formats::e5m2, 3, 5, 200, kSeed),
                                 make_fp8_gemm_case(formats::e5m2, formats::e4m3fn, 2, 2, 33, kSeed),
                                 make_fp8_blockwise_gemm_case(formats::e4m3fn, formats::e4m3fn, 3, 130, 300, kSeed)};
  cases[2].a_scale = 0.125f, cases[2].b_scale = 4.0f;
  cases[3].a_scale = 2.0f, cases[3].b_scale = 0.5f;
  for (size_t i = 0; i < cases[4].a_block_scales.size(); ++i)
    cases[4].a_block_scales[i] = std::ldexp(1.0f, static_cast<int>(i % 5) - 2);
  for (size_t i = 0; i < cases[4].b_block_scales.size(); ++i)
    cases[4].b_block_scales[i] = std::ldexp(1.0f, 3 - static_cast<int>(i % 7));
  for (const GemmCase& c : cases) {
    INFO(c.label);
    const auto value = [&](bool is_a, size_t r, size_t k) -> float {
      const size_t at = r * c.k + k, kb = (c.k + 127) / 128;
      switch (c.kind) {
        case kernels::GemmKind::bf16: return static_cast<float>(decode(formats::bf16, (is_a ? c.a_u16 : c.b_u16)[at]));
        case kernels::GemmKind::fp16: return static_cast<float>(decode(formats::fp16, (is_a ? c.a_u16 : c.b_u16)[at]));
        case kernels::GemmKind::fp8:
          return static_cast<float>(decode(is_a ? c.a_fp8 : c.b_fp8, (is_a ? c.a_elements : c.b_elements)[at]) *
                                    (is_a ? c.a_scale : c.b_scale));
        default:
          return static_cast<float>(decode(is_a ? c.a_fp8 : c.b_fp8, (is_a ? c.a_elements : c.b_elements)[at]) *
                                    (is_a ? c.a_block_scales[r * kb + k / 128]
                                          : c.b_block_scales[(r / 128) * kb + k / 128]));
      }
    };
    std::vector<float> x(c.m * c.k), y(c.n * c.k);
    for (size_t r = 0; r < c.m; ++r)
      for (size_t k = 0; k < c.k; ++k) x[r * c.k + k] = value(true, r, k);
    for (size_t r = 0; r < c.n; ++r)
      for (size_t k = 0; k < c.k; ++k) y[r * c.k + k] = value(false, r, k);
    const auto e = reference::exact_gemm(c.a_operand(), c.b_operand());
    const auto f = reference::exact_gemm({reference::GemmOperandKind::fp32, c.m, c.k, x.data()},
                                         {reference::GemmOperandKind::fp32, c.n, c.k, y.data()});
    for (size_t idx = 0; idx < e.size(); ++idx) {
      REQUIRE(!e[idx].nan);
      REQUIRE(e[idx].value == f[idx].value);
      REQUIRE(e[idx].abs_sum == f[idx].abs_sum);
    }
  }
  // fp8 operands take 3 roundings before the bound's sum (the multipliers).
  REQUIRE(reference::gemm_pre_roundings(cases[2].a_operand()) == 3);
  REQUIRE(reference::gemm_pre_roundings(cases[4].a_operand()) == 3);
  REQUIRE(reference::gemm_pre_roundings(cases[0].a_operand()) == 0);
}

TEST_CASE("exact GEMM refuses infinite fp8 codes and non-finite multipliers", "[gemm][reference]") {
  GemmCase c = make_fp8_gemm_case(formats::e5m2, formats::e4m3fn, 1, 1, 4, kSeed);
  c.a_elements[2] = 0x7c;  // e5m2 +infinity
  REQUIRE_THROWS_WITH(reference::exact_gemm(c.a_operand(), c.b_operand()), Catch::Contains("infinite"));
  c.a_elements[2] = 0x3c, c.b_scale = INFINITY;
  REQUIRE_THROWS_AS(reference::exact_gemm(c.a_operand(), c.b_operand()), std::invalid_argument);
}
