// plumb peers: NVIDIA's conversion intrinsics as a peer, on the CPU.
//
// The host paths of the __host__ __device__ conversion functions in the CUDA
// headers (cuda_fp8.h, cuda_fp6.h, cuda_fp4.h, cuda_bf16.h, cuda_fp16.h),
// compiled by the host C++ compiler with no CUDA runtime, are run on every fp16
// and bf16 code, seeded fp32 / fp64 edge values and random bit patterns, and
// compared with plumb's MPFR oracle. Every difference is put in a named class
// that docs/VENDOR_DIFFERENCES.md ("CUDA intrinsics") documents. Built only
// when the CUDA headers were found (kernels/peers/CMakeLists.txt).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace plumb::peers {

// "CUDA 13.0 headers (host)": the toolkit version the peer was compiled with.
std::string cuda_headers_peer_name();

// One PEER record (docs/RESULT_SCHEMA.md) per intrinsic x format x rounding x
// saturation, as a JSON array. Each record names the plumb overflow policy the
// intrinsic matches best (all three are tried; `differ_by_overflow` has the
// counts) and its differences by class, each with a count, one example and the
// anchor in docs/VENDOR_DIFFERENCES.md (empty for an unexplained class).
// quick: fewer fp16/bf16 codes and random values (a smoke run).
nlohmann::json cuda_headers_peer_records(bool quick, uint64_t seed = 12345);

}  // namespace plumb::peers
