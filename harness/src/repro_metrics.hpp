// plumb repro: comparing two runs' outputs, and each against the reference
// (docs/REPRO_SEMANTICS.md "Metrics"). ULP distances count representable
// values of the output format between two values (bf16 outputs in bf16
// ulps); NaN against NaN is 0, NaN against a number is kNanUlp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "repro_types.hpp"

namespace plumb::harness::repro {

inline constexpr uint64_t kNanUlp = UINT64_MAX;

// bf16 outputs: values with the low 16 bits zero (as round_to_bf16 gives).
bool bf16_outputs(Op op, Dtype dtype);
int64_t ordinal(float x, bool bf16);  // monotonic in x; -0 and +0 both 0
uint64_t ulp_distance(float a, float b, bool bf16);
double rel_diff(float a, float b);  // |a - b| / max(|a|, |b|); 0 when equal

// Runs a and b (rows x m), with the reference when it is given.
struct PairStats {
  size_t rows = 0, rows_identical = 0;
  uint64_t max_ulp = 0;
  double max_rel = 0;
  uint64_t ref_ulp_a = 0, ref_ulp_b = 0;  // max over outputs of each side vs the reference
  size_t rows_b_closer = 0, rows_b_farther = 0;  // rows whose max ref ULP b improves / worsens
  std::vector<uint64_t> row_max_ulp;             // per row: 0 = bitwise identical row (up to -0/+0: no)
  std::vector<bool> row_identical;
  double identical_fraction() const { return rows ? double(rows_identical) / double(rows) : 1.0; }
};
// Throws std::invalid_argument when the sizes differ or are not rows x m.
PairStats compare_runs(const Outputs& a, const Outputs& b, const Outputs* reference, size_t m, bool bf16);

// The first output where a and b differ bitwise, or npos.
size_t first_difference(const Outputs& a, const Outputs& b);

}  // namespace plumb::harness::repro
