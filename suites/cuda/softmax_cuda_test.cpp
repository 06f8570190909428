// CUDA softmax kernels against the MPFR reference (docs/SOFTMAX_SEMANTICS.md):
// every cuda softmax kernel of the registry, fp32 / bf16 / fp16 in and out,
// on every case of softmax_cases (special rows, the [90, 100] overflow trap,
// all-equal, length 1, Gaussian, wide, attention-like, sorted, a 10^5 row),
// within the bound of its error model plus half an ulp of a narrower output;
// and the special values of the semantics, element by element. Inputs come
// from Catch's --rng-seed, printed with every failure.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <limits>
#include <map>

#include "plumb/checks/softmax_check.hpp"

using namespace plumb;
using namespace plumb::checks;

namespace {

std::string explain(const Verdict& v) {
  std::string s = v.kernel + " " + v.label + ": " + disposition_name(v.disposition) + " " +
                  std::to_string(v.mismatches) + "/" + std::to_string(v.cases) + " " + v.message;
  for (const auto& c : v.counterexamples) s += "\n  " + c.detail;
  return s;
}

std::vector<const kernels::SoftmaxKernel*> cuda_kernels() {
  std::vector<const kernels::SoftmaxKernel*> out;
  for (const auto& k : kernels::softmax_kernels())
    if (k.device == kernels::Device::cuda) out.push_back(&k);
  return out;
}

}  // namespace

TEST_CASE("every CUDA softmax kernel is within its bound of the MPFR reference", "[softmax][cuda]") {
  const uint64_t seed = Catch::rngSeed();
  const auto ks = cuda_kernels();
  REQUIRE(ks.size() >= 5);
  const auto cases = softmax_cases(seed, 100000);
  for (const auto& io : {formats::fp32, formats::bf16, formats::fp16}) {
    size_t passed = 0;
    for (const auto& c : cases) {
      std::map<bool, reference::SoftmaxReference> ref;
      for (bool safe : {false, true}) ref[safe] = softmax_reference(c, safe, io);
      for (const auto* k : ks) {
        SoftmaxErrors e;
        const Verdict v = check_softmax(*k, c, ref[k->safe], &e, io);
        INFO("seed " << seed << " io " << io.storage_bytes() * 8 << "-bit mbits " << io.mbits << ": " << explain(v));
        // Only reload with a 16-bit output is refused (it keeps fp32 exp in the output).
        if (v.disposition == Disposition::not_supported) {
          CHECK(k->model.algorithm == kernels::SoftmaxAlgorithm::three_pass_reload);
          CHECK(!(io == formats::fp32));
          continue;
        }
        CHECK(v.disposition == Disposition::passed);
        passed += v.disposition == Disposition::passed;
      }
    }
    CHECK(passed > 0);
  }
}

TEST_CASE("CUDA softmax kernels: the special values of SOFTMAX_SEMANTICS.md", "[softmax][cuda]") {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {1,     2,     kInf,  3,                  // NaN
                                -kInf, -kInf, -kInf, -kInf,              // NaN, safe: +0
                                -kInf, -kInf, 0,     0,                  // online: -inf - (-inf)
                                1,     std::nanf(""), 3, 4};             // NaN
  for (const auto* k : cuda_kernels()) {
    INFO(k->name);
    std::vector<float> y(x.size());
    std::string msg;
    REQUIRE(k->fn(formats::fp32, formats::fp32, x.data(), y.data(), 4, 4, &msg) == kernels::KernelStatus::ok);
    for (int i = 0; i < 4; ++i) CHECK(std::isnan(y[i]));
    for (int i = 4; i < 8; ++i) {
      if (k->safe) CHECK((y[i] == 0.0f && !std::signbit(y[i])));
      else CHECK(std::isnan(y[i]));
    }
    CHECK(std::vector<float>(y.begin() + 8, y.begin() + 12) == std::vector<float>{0, 0, 0.5f, 0.5f});
    for (int i = 12; i < 16; ++i) CHECK(std::isnan(y[i]));
  }
}

// The fast paths (softmax_cuda_fast.cu), every algorithm: rows per group of
// lanes (<= 1024 columns), rows per block, rows split over a cluster (262,144
// columns take 16 blocks). Sorted ascending rows (online's worst case),
// uniform rows in [-20, 20] (every exp result normal: the exponent-add
// shortcut) and in [-60, 60] (threads with and without it), fp32 / bf16 /
// fp16, within each model's bound; a NaN, +inf or all -inf row split over a
// cluster gives the special values.
TEST_CASE("CUDA fast paths: every row length within the bound", "[softmax][cuda]") {
  const uint64_t seed = Catch::rngSeed();
  std::vector<SoftmaxCase> cases;
  for (size_t cols : {size_t{64}, size_t{1024}, size_t{2048}, size_t{16384}, size_t{65536}, size_t{262144}}) {
    const size_t rows = cols >= 65536 ? 1 : 3;
    cases.push_back(softmax_sorted_rows(rows, cols, -30.0f, 30.0f));
    cases.push_back(softmax_uniform_rows("uniform_" + std::to_string(cols), rows, cols, -20.0f, 20.0f, seed + cols));
    cases.push_back(softmax_uniform_rows("wide_" + std::to_string(cols), rows, cols, -60.0f, 60.0f, seed + 7 * cols));
  }
  for (const auto& io : {formats::fp32, formats::bf16, formats::fp16})
    for (const auto& c : cases) {
      std::map<bool, reference::SoftmaxReference> ref;
      for (bool safe : {false, true}) ref[safe] = softmax_reference(c, safe, io);
      for (const auto* k : cuda_kernels()) {
        if (k->model.algorithm == kernels::SoftmaxAlgorithm::three_pass_reload && !(io == formats::fp32)) continue;
        SoftmaxErrors e;
        const Verdict v = check_softmax(*k, c, ref[k->safe], &e, io);
        INFO("seed " << seed << " io " << io.storage_bytes() * 8 << "-bit mbits " << io.mbits << ": " << explain(v));
        CHECK(v.disposition == Disposition::passed);
      }
    }
}

TEST_CASE("CUDA fast paths: special rows split over a cluster", "[softmax][cuda]") {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  constexpr size_t n = 262144;
  std::vector<float> x(4 * n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = static_cast<float>(i % 97) * 0.25f;            // row 0: +inf at the end: NaN
    x[n + i] = -kInf;                                      // row 1: all -inf
    x[2 * n + i] = i < n - 2 ? -kInf : 0.0f;               // row 2: -inf, then [0, 0]
    x[3 * n + i] = static_cast<float>(i % 13);             // row 3: a NaN in the middle
  }
  x[n - 1] = kInf;
  x[3 * n + n / 2 + 5] = std::nanf("");
  for (const auto* k : cuda_kernels()) {
    INFO(k->name);
    std::vector<float> y(x.size());
    std::string msg;
    REQUIRE(k->fn(formats::fp32, formats::fp32, x.data(), y.data(), 4, n, &msg) == kernels::KernelStatus::ok);
    size_t bad = 0;
    for (size_t i = 0; i < n; ++i) {
      bad += !std::isnan(y[i]);
      bad += k->safe ? !(y[n + i] == 0.0f && !std::signbit(y[n + i])) : !std::isnan(y[n + i]);
      bad += y[2 * n + i] != (i < n - 2 ? 0.0f : 0.5f);
      bad += !std::isnan(y[3 * n + i]);
    }
    CHECK(bad == 0);
  }
}
