// plumb harness: the "fp8_accumulation" section of a result file
// (docs/RESULT_SCHEMA.md, FP8_ACCUMULATION).
#pragma once

#include <nlohmann/json.hpp>

#include "fp8_accum.hpp"

namespace plumb::harness {

// gamma_K = K u / (1 - K u), u = 2^-24: the bound on |error| / sum |a_k b_k|
// of any fp32 summation order (docs/GEMM_SEMANTICS.md, "Error bounds").
double gamma_fp32(size_t k);
nlohmann::json fp8_accum_json(const Fp8AccumResult& r);

}  // namespace plumb::harness
