// plumb repro: run-to-run comparison metrics (repro_metrics.hpp).
#include "repro_metrics.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace plumb::harness::repro {

bool bf16_outputs(Op op, Dtype dtype) {
  return dtype == Dtype::bf16 && (op == Op::softmax || op == Op::rmsnorm || op == Op::attention);
}

int64_t ordinal(float x, bool bf16) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  int64_t mag = bits & 0x7fffffffu;
  if (bf16) mag >>= 16;
  return (bits >> 31) ? -mag : mag;
}

uint64_t ulp_distance(float a, float b, bool bf16) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : kNanUlp;
  const int64_t d = ordinal(a, bf16) - ordinal(b, bf16);
  return static_cast<uint64_t>(d < 0 ? -d : d);
}

double rel_diff(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0.0 : INFINITY;
  const double m = std::max(std::fabs(double(a)), std::fabs(double(b)));
  return m == 0 ? 0.0 : std::fabs(double(a) - double(b)) / m;
}

size_t first_difference(const Outputs& a, const Outputs& b) {
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    if (std::bit_cast<uint32_t>(a[i]) != std::bit_cast<uint32_t>(b[i])) return i;
  return a.size() == b.size() ? static_cast<size_t>(-1) : std::min(a.size(), b.size());
}

PairStats compare_runs(const Outputs& a, const Outputs& b, const Outputs* reference, size_t m, bool bf16) {
  if (m == 0 || a.size() != b.size() || a.size() % m || (reference && reference->size() != a.size()))
    throw std::invalid_argument("compare_runs: outputs of different sizes (" + std::to_string(a.size()) + " vs " +
                                std::to_string(b.size()) + ")");
  PairStats s;
  s.rows = a.size() / m;
  for (size_t r = 0; r < s.rows; ++r) {
    bool same = true;
    uint64_t row_ulp = 0, ra = 0, rb = 0;
    for (size_t j = r * m; j < (r + 1) * m; ++j) {
      same = same && std::bit_cast<uint32_t>(a[j]) == std::bit_cast<uint32_t>(b[j]);
      row_ulp = std::max(row_ulp, ulp_distance(a[j], b[j], bf16));
      s.max_rel = std::max(s.max_rel, rel_diff(a[j], b[j]));
      if (reference) {
        ra = std::max(ra, ulp_distance(a[j], (*reference)[j], bf16));
        rb = std::max(rb, ulp_distance(b[j], (*reference)[j], bf16));
      }
    }
    s.rows_identical += same;
    s.max_ulp = std::max(s.max_ulp, row_ulp);
    s.ref_ulp_a = std::max(s.ref_ulp_a, ra);
    s.ref_ulp_b = std::max(s.ref_ulp_b, rb);
    s.rows_b_closer += rb < ra;
    s.rows_b_farther += rb > ra;
    s.row_max_ulp.push_back(row_ulp);
    s.row_identical.push_back(same);
  }
  return s;
}

}  // namespace plumb::harness::repro
