// Softmax suites: every CPU softmax kernel of the registry against the MPFR
// reference on every case of softmax_cases (special rows, the [90, 100]
// overflow trap, all-equal rows, length 1, Gaussian, wide ranges, sorted rows,
// a long row), within the bound of docs/SOFTMAX_SEMANTICS.md; the special
// values behave as the semantics say; the planted no-max kernel is caught.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

#include "plumb/checks/softmax_check.hpp"

using namespace plumb;
using namespace plumb::checks;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

std::string explain(const Verdict& v) {
  std::string s = v.kernel + " " + v.label + ": " + disposition_name(v.disposition) + " " +
                  std::to_string(v.mismatches) + "/" + std::to_string(v.cases) + " " + v.message;
  for (const auto& c : v.counterexamples) s += "\n  " + c.detail;
  return s;
}

std::vector<const kernels::SoftmaxKernel*> cpu_kernels(bool planted) {
  std::vector<const kernels::SoftmaxKernel*> out;
  for (const auto& k : kernels::softmax_kernels())
    if (k.device == kernels::Device::cpu && k.planted_bug == planted) out.push_back(&k);
  return out;
}

// nullopt-like empty result when the kernel's ISA is missing on this CPU.
std::vector<float> run(const kernels::SoftmaxKernel& k, const std::vector<float>& x) {
  std::vector<float> y(x.size());
  std::string msg;
  const auto status = k.fn(formats::fp32, formats::fp32, x.data(), y.data(), 1, x.size(), &msg);
  if (status == kernels::KernelStatus::not_supported) return {};
  REQUIRE(status == kernels::KernelStatus::ok);
  return y;
}

}  // namespace

TEST_CASE("every CPU softmax kernel is within its bound of the MPFR reference", "[softmax]") {
  const uint64_t seed = Catch::rngSeed();
  const auto cases = softmax_cases(seed, 100000);
  const auto ks = cpu_kernels(false);
  REQUIRE(ks.size() >= 5);
  for (const auto& c : cases) {
    std::map<bool, reference::SoftmaxReference> ref;
    for (bool safe : {false, true}) ref[safe] = softmax_reference(c, safe);
    for (const auto* k : ks) {
      SoftmaxErrors e;
      const Verdict v = check_softmax(*k, c, ref[k->safe], &e);
      INFO("seed " << seed << ": " << explain(v));
      if (v.disposition == Disposition::not_supported) {  // an ISA this CPU lacks, said so
        WARN(k->name << " skipped: " << v.message);
        continue;
      }
      CHECK(v.disposition == Disposition::passed);
      CHECK(v.cases == c.rows * c.cols);
      CHECK(e.max_bound_ratio <= 1.0);
    }
  }
}

TEST_CASE("softmax kernels: the special values of SOFTMAX_SEMANTICS.md", "[softmax]") {
  for (const auto* k : cpu_kernels(false)) {
    INFO(k->name);
    if (run(*k, {1.0f}).empty()) {
      WARN(k->name << " skipped: not supported on this CPU");
      continue;
    }
    for (float v : run(*k, {1, 2, kInf, 3})) CHECK(std::isnan(v));
    for (float v : run(*k, {1, std::nanf(""), 3})) CHECK(std::isnan(v));
    for (float v : run(*k, {-kInf, -kInf, -kInf})) {
      if (k->safe) CHECK((v == 0.0f && !std::signbit(v)));
      else CHECK(std::isnan(v));
    }
    // -inf before the first finite value: the online rescale sees -inf - (-inf).
    const auto y = run(*k, {-kInf, -kInf, 0.0f, -kInf, 0.0f});
    CHECK(y == std::vector<float>{0.0f, 0.0f, 0.5f, 0.0f, 0.5f});
    CHECK(run(*k, {42.0f}) == std::vector<float>{1.0f});
    const auto u = run(*k, {0.0f, -200.0f, -1e30f});  // exp underflows but at the max
    CHECK(u == std::vector<float>{1.0f, 0.0f, 0.0f});
  }
}

TEST_CASE("softmax on the overflow trap: bounds in ULPs and relative error", "[softmax]") {
  const uint64_t seed = Catch::rngSeed();
  const auto c = softmax_uniform_rows("overflow_trap", 16, 1000, 90.0f, 100.0f, seed);
  const auto ref = softmax_reference(c, false);
  for (const auto* k : cpu_kernels(false)) {
    SoftmaxErrors e;
    const Verdict v = check_softmax(*k, c, ref, &e);
    INFO("seed " << seed << ": " << explain(v));
    if (v.disposition == Disposition::not_supported) continue;
    CHECK(v.disposition == Disposition::passed);
    // The best-known CPU library's tolerance is 1e-6 relative; with |x - max|
    // <= 10 the bound of SOFTMAX_SEMANTICS.md is below 30u = 1.8e-6.
    CHECK(e.max_relative < 1.8e-6);
    CHECK(e.max_ulp <= 30);
  }
}

TEST_CASE("the planted no-max softmax kernel is caught", "[softmax][planted]") {
  const auto planted = cpu_kernels(true);
  REQUIRE(planted.size() == 1);
  const auto c = softmax_uniform_rows("overflow_trap", 4, 100, 90.0f, 100.0f, 1);
  const Verdict v = check_softmax(*planted[0], c, softmax_reference(c, false));
  INFO(explain(v));
  CHECK(v.disposition == Disposition::incorrect);
  CHECK(v.acceptable());
  REQUIRE_FALSE(v.counterexamples.empty());
  // On small inputs the planted kernel is right: the suite needs the trap.
  const auto small = softmax_uniform_rows("small", 4, 100, -5.0f, 5.0f, 1);
  CHECK(check_softmax(*planted[0], small, softmax_reference(small, false)).disposition == Disposition::passed);
}

TEST_CASE("softmax on a row of 10^7 elements", "[softmax][.long]") {
  const uint64_t seed = Catch::rngSeed();
  const auto c = softmax_uniform_rows("long_row", 1, 10000000, -30.0f, 30.0f, seed);
  const auto ref = softmax_reference(c, false);
  for (const auto* k : cpu_kernels(false)) {
    const Verdict v = check_softmax(*k, c, ref);
    INFO("seed " << seed << ": " << explain(v));
    CHECK((v.disposition == Disposition::passed || v.disposition == Disposition::not_supported));
  }
}
