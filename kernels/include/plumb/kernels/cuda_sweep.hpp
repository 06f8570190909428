// plumb kernels: the exhaustive fp32 sweep on the GPU. Every one of the 2^32
// fp32 codes is converted by cuda_plumb's definition (plumb::convert_code) and
// by the table oracle (reference/table_oracle.hpp) in the same thread; codes
// and flags must agree bit for bit.
//
// CUDA builds only: include it where PLUMB_HAVE_CUDA is defined (plumb_kernels
// defines it publicly when the CUDA kernels are built) or from .cu files.
#pragma once

#if !defined(__CUDACC__) && !defined(PLUMB_HAVE_CUDA)
#error "plumb/kernels/cuda_sweep.hpp is for CUDA builds: guard the include with #if defined(PLUMB_HAVE_CUDA)"
#endif

#include <cstdint>
#include <string>
#include <vector>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/rounding.hpp"

namespace plumb::kernels::cuda {

// Counterexamples a sweep records (the first ones found; see SweepResult).
inline constexpr int kSweepCounterexamples = 16;
// Inputs of one sweep: every fp32 code.
inline constexpr uint64_t kSweepCases = uint64_t{1} << 32;

// One input on which plumb and the oracle differ (code or flags).
struct SweepCounterexample {
  uint32_t input = 0;  // the fp32 code
  uint32_t rbits = 0;  // sweep_rbits(seed, input) under stochastic rounding, else 0
  uint64_t got = 0;    // plumb's result (cuda_plumb, or the planted bug)
  uint8_t got_flags = 0;
  uint64_t expected = 0;  // the oracle's result
  uint8_t expected_flags = 0;
};

struct SweepResult {
  bool ok = false;    // the sweep ran to the end; otherwise `error` says why
  std::string error;  // "" when ok
  uint64_t cases = 0;            // inputs compared: kSweepCases when ok
  uint64_t mismatches = 0;       // inputs whose code or flags differ
  uint64_t flag_mismatches = 0;  // of those, the ones with the right code
  int64_t max_ulp = 0;           // over the mismatches; -1 when a NaN met a non-NaN
  double seconds = 0;            // the kernel alone (cudaEvents; setup excluded)
  // At most kSweepCounterexamples: the first ones found (which ones depends on
  // the schedule when there are more), sorted by input.
  std::vector<SweepCounterexample> counterexamples;
  int grid = 0, block = 0;  // launch shape (blocks, threads per block)
};

// Sweeps all 2^32 fp32 codes into `to` (a format of at most 8 bits) under
// `spec`, on the current device; blocks until done. Stochastic rounding takes
// rbits = sweep_rbits(seed, input) (plumb/kernels/sweep_rbits.hpp) for both
// sides. planted_ties_away: plumb's side rounds nearest_away where
// nearest_even is asked for (a planted bug the sweep must catch; the oracle
// keeps the true spec). Every CUDA call is checked; a failure, a target wider
// than 8 bits, stochastic rounding with k outside 1..32, or no GPU gives
// ok = false and a message.
SweepResult exhaustive_fp32_sweep(const FormatDesc& to, const RoundingSpec& spec, uint64_t seed,
                                  bool planted_ties_away = false);

}  // namespace plumb::kernels::cuda
