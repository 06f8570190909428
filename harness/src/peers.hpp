// plumb harness: peer cross-checks run from plumb verify (ml_dtypes, CUDA headers, torch).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "plumb/checks/verdict.hpp"

namespace plumb::harness {

// Runs kernels/peers/ml_dtypes_crosscheck.py; appends its PEER records to
// result["peers"] and one verdict per record (passed when every difference is
// of a documented class). Without the venv: one skipped verdict saying why.
void run_ml_dtypes_peer(nlohmann::json& result, std::vector<checks::Verdict>& verdicts);

// Runs NVIDIA's conversion intrinsics (host paths of the CUDA headers, built
// in when the headers were found; kernels/peers/cuda_headers_peer.hpp) against
// the oracle; PEER records and verdicts as above. Without the headers at build
// time: one skipped verdict saying so.
void run_cuda_headers_peer(nlohmann::json& result, std::vector<checks::Verdict>& verdicts);

// Runs kernels/peers/torch_crosscheck.py (torch's .to(dtype) on the CPU and,
// when torch sees a GPU, on CUDA; device "cpu", "cuda" or "all"); PEER records
// and verdicts as above, a not_supported verdict per conversion torch cannot
// do. Without the project's Python or without torch: one skipped verdict
// saying why.
void run_torch_peer(nlohmann::json& result, std::vector<checks::Verdict>& verdicts,
                    const std::string& device);

}  // namespace plumb::harness
