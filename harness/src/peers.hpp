// plumb harness: peer cross-checks run from plumb verify (ml_dtypes).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "plumb/checks/verdict.hpp"

namespace plumb::harness {

// Runs kernels/peers/ml_dtypes_crosscheck.py; appends its PEER records to
// result["peers"] and one verdict per record (passed when every difference is
// of a documented class). Without the venv: one skipped verdict saying why.
void run_ml_dtypes_peer(nlohmann::json& result, std::vector<checks::Verdict>& verdicts);

}  // namespace plumb::harness
