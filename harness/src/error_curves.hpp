// plumb harness: error curves for the report: the rounding error of each mode
// across a format's range, in units of the format's quantum at the input.
#pragma once

#include <nlohmann/json.hpp>

#include "plumb/formats/format_desc.hpp"

namespace plumb::harness {

// One CURVE record per rounding mode (docs/RESULT_SCHEMA.md), from the MPFR
// oracle, fp64 inputs log-spaced from a quarter of the smallest positive value
// to 1.25x the largest finite one.
nlohmann::json error_curves(const FormatDesc& to, size_t points, uint64_t seed);

}  // namespace plumb::harness
