// plumb kernels: NVIDIA's conversion intrinsics over all 2^32 fp32 codes on
// the GPU. Each code goes through the intrinsic that the cuda_nv_intrinsics
// kernel uses for (fp32, to, spec) (nv_intrinsics.cuh: the same plan and the
// same device apply function) and through the table oracle, in the same
// thread; flags are not compared (the intrinsics report none). Every
// difference is put in a class on the device (nv_sweep_class.hpp), counted,
// and the first examples of each class are kept for the host to re-classify
// with the shared classifier.
//
// CUDA builds only, as cuda_sweep.hpp.
#pragma once

#if !defined(__CUDACC__) && !defined(PLUMB_HAVE_CUDA)
#error "plumb/kernels/cuda_nv_sweep.hpp is for CUDA builds: guard the include with #if defined(PLUMB_HAVE_CUDA)"
#endif

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/rounding.hpp"
#include "plumb/kernels/cuda_sweep.hpp"
#include "plumb/kernels/nv_sweep_class.hpp"

namespace plumb::kernels::cuda {

// Examples kept per class (the first ones found; which ones depends on the
// schedule when a class has more).
inline constexpr int kNvSweepExamples = 8;

struct NvSweepClassTally {
  uint64_t count = 0;
  std::vector<SweepCounterexample> examples;  // at most kNvSweepExamples, sorted by input; got_flags 0
};

struct NvSweepResult {
  bool ok = false;      // the sweep ran to the end; otherwise `error` says why
  std::string error;    // "" when ok
  uint64_t cases = 0;   // kSweepCases when ok
  uint64_t differences = 0;  // inputs whose code differs from the oracle's (or the oracle has no encoding)
  int64_t max_ulp = 0;  // over the differences of the never-documented classes (*_other, finite); -1: a NaN
  double seconds = 0;   // the kernel alone (cudaEvents)
  std::array<NvSweepClassTally, kNvSweepClasses> classes;  // indexed by NvSweepClass
  int grid = 0, block = 0;
};

// True when NVIDIA offers fp32 -> `to` under `spec` (the cuda_nv_intrinsics
// plan exists) and `to` has at most 8 bits; otherwise false and *why.
bool nv_sweep_offered(const FormatDesc& to, const RoundingSpec& spec, std::string* why);

// Sweeps all 2^32 fp32 codes through the intrinsic for (fp32, to, spec) on
// the current device; blocks until done. A conversion that is not offered,
// a failed CUDA call or no GPU gives ok = false and a message.
NvSweepResult nv_intrinsics_fp32_sweep(const FormatDesc& to, const RoundingSpec& spec);
// A planted mismatch, for tests: the intrinsic of `spec` judged by the oracle
// under oracle_spec (not stochastic), e.g. __NV_SATFINITE against plumb's nan
// policy, whose differences the sweep must report.
NvSweepResult nv_intrinsics_fp32_sweep(const FormatDesc& to, const RoundingSpec& spec,
                                       const RoundingSpec& oracle_spec);

}  // namespace plumb::kernels::cuda
