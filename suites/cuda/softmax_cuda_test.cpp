// CUDA softmax kernels against the MPFR reference (docs/SOFTMAX_SEMANTICS.md):
// every cuda softmax kernel of the registry, fp32 / bf16 / fp16 in and out,
// on every case of softmax_cases (special rows, the [90, 100] overflow trap,
// all-equal, length 1, Gaussian, wide, attention-like, sorted, a 10^5 row),
// within the bound of its error model plus half an ulp of a narrower output;
// and the special values of the semantics, element by element. Inputs come
// from Catch's --rng-seed, printed with every failure.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

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
  for (size_t cols : {size_t{64}, size_t{1024}, size_t{2048}, size_t{16384}, size_t{32768}, size_t{65536}, size_t{262144}}) {
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

// Long rows over clusters: 16-bit rows of 32,768 columns run on persistent
// clusters (softmax_cuda_fast.cu, stream_kernel: a cluster takes row after
// row, prefetching the next while it reduces this one), the others one row a
// cluster. More rows than clusters fit at once, special rows (all -inf, a
// NaN, +inf) mixed in, fp32 and bf16: each row of the batch is bit for bit
// that row launched alone, and the special rows give the special values.
TEST_CASE("CUDA fast paths: many long rows, each as if alone", "[softmax][cuda]") {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  const uint64_t seed = Catch::rngSeed();
  for (const auto& [rows, cols] : {std::pair<size_t, size_t>{300, 32768}, {40, 262144}}) {
    std::vector<float> x(rows * cols);
    uint64_t s = seed + cols;
    for (auto& v : x) {  // splitmix64, uniform in [-30, 30)
      uint64_t z = (s += 0x9e3779b97f4a7c15ull);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull, z = (z ^ (z >> 27)) * 0x94d049bb133111ebull, z ^= z >> 31;
      v = static_cast<float>(z >> 40) * 0x1p-24f * 60.0f - 30.0f;
    }
    const auto kind = [](size_t r) { return r % 7 == 3 ? 1 : r % 11 == 5 ? 2 : r % 13 == 6 ? 3 : 0; };
    for (size_t r = 0; r < rows; ++r) {
      float* row = x.data() + r * cols;
      if (kind(r) == 1) std::fill(row, row + cols, -kInf);
      if (kind(r) == 2) row[(r * 977) % cols] = std::nanf("");
      if (kind(r) == 3) row[(r * 131) % cols] = kInf;
    }
    // bf16: the kernels read and write bf16 bits (x rounded to nearest even).
    std::vector<uint16_t> xb(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      const uint32_t u = std::bit_cast<uint32_t>(x[i]);
      xb[i] = std::isnan(x[i]) ? uint16_t{0x7fc0} : static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
    }
    for (const bool bf16 : {false, true})
      for (const auto* k : cuda_kernels()) {
        if (k->model.algorithm == kernels::SoftmaxAlgorithm::three_pass_reload && bf16) continue;
        const auto& io = bf16 ? formats::bf16 : formats::fp32;
        const size_t width = bf16 ? 2 : 4;
        const auto* in = bf16 ? static_cast<const void*>(xb.data()) : static_cast<const void*>(x.data());
        const auto value = [&](const std::vector<uint32_t>& out, size_t i) {  // element i as a float
          const uint32_t w = bf16 ? (i % 2 ? out[i / 2] >> 16 : out[i / 2] & 0xffffu) << 16 : out[i];
          return std::bit_cast<float>(w);
        };
        INFO("seed " << seed << " " << k->name << (bf16 ? " bf16, " : " fp32, ") << rows << " rows of " << cols);
        std::vector<uint32_t> y(x.size() * width / 4), one(cols * width / 4);
        std::string msg;
        REQUIRE(k->fn(io, io, in, y.data(), rows, cols, &msg) == kernels::KernelStatus::ok);
        size_t special_bad = 0, differ = 0;
        for (size_t r = 0; r < rows; ++r) {
          for (size_t i = 0; i < cols; ++i) {
            const float v = value(y, r * cols + i);
            if (kind(r) == 1) special_bad += k->safe ? !(v == 0.0f && !std::signbit(v)) : !std::isnan(v);
            if (kind(r) >= 2) special_bad += !std::isnan(v);
          }
          if (r % 17 != 0 && r + 3 < rows) continue;  // alone: every 17th row and the last three
          const auto* row_in = static_cast<const char*>(in) + r * cols * width;
          REQUIRE(k->fn(io, io, row_in, one.data(), 1, cols, &msg) == kernels::KernelStatus::ok);
          for (size_t i = 0; i < cols; ++i) {
            const float a = value(one, i), b = value(y, r * cols + i);
            differ += !(std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b) || (std::isnan(a) && std::isnan(b)));
          }
        }
        CHECK(special_bad == 0);
        CHECK(differ == 0);
      }
  }
}
