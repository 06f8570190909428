// plumb checks: run a conversion kernel over a case set and compare every
// code and flag with an oracle. Used by the Catch2 suites and `plumb verify`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "plumb/checks/cases.hpp"
#include "plumb/checks/verdict.hpp"
#include "plumb/kernels/convert_kernel.hpp"

namespace plumb::checks {

enum class Oracle : uint8_t { mpfr, boost };

// The oracles wrapped as kernels ("mpfr", "boost", "table"), so that `plumb convert
// --kernel mpfr` and the oracle-agreement suite use the same machinery.
const std::vector<kernels::ConvertKernel>& oracle_kernels();
// A registered kernel or an oracle by name; nullptr if none.
const kernels::ConvertKernel* find_kernel(const std::string& name);

// Stochastic-rounding bits of case i for a seed (reproducible per case).
uint32_t case_rbits(uint64_t seed, size_t i);

struct Expected {
  std::vector<uint64_t> codes;
  std::vector<uint8_t> flags;
  std::vector<uint32_t> rbits;  // empty unless stochastic
};

struct CheckSettings {
  uint64_t seed = 1;
  unsigned threads = 0;            // 0: std::thread::hardware_concurrency()
  size_t max_counterexamples = 4;
};

// The oracle's result for every case (computed on settings.threads threads).
Expected oracle_results(Oracle oracle, const CaseSet& cases, const FormatDesc& to,
                        const RoundingSpec& spec, const CheckSettings& settings);

// Runs the kernel on every case and compares with `expected`.
Verdict check_convert(const kernels::ConvertKernel& kernel, const CaseSet& cases,
                      const FormatDesc& to, const RoundingSpec& spec, const Expected& expected,
                      const CheckSettings& settings);

// Every (rounding, overflow) combination a suite sweeps; stochastic uses k bits.
std::vector<RoundingSpec> all_rounding_specs(int sr_bits = 8);

// Runs body(begin, end) over [0, n) split across threads.
void parallel_for(size_t n, unsigned threads, const std::function<void(size_t, size_t)>& body);

}  // namespace plumb::checks
