// The exhaustive fp32 sweep (cuda_sweep.hpp): every fp32 code through
// plumb::convert_code (the definition cuda_plumb runs) and through the table
// oracle, in the same thread, compared code and flags.
//
// Design. One launch of a persistent grid (the blocks that fit at once on
// every multiprocessor). Warp w takes the 32 consecutive codes 32 w + lane,
// then strides by 32 x (warps in the grid): 2^32 is a multiple of 32, so a
// warp's lanes always run the same iterations and the warp collectives below
// see all 32 lanes. The oracle's table (a few KB) is copied into each block's
// shared memory once; neighbouring codes search the same table entries, so a
// warp's loads are broadcasts. Mismatches are rare: each iteration costs one
// __ballot_sync; only a warp with a mismatch takes the slow path (counts in
// lane 0's registers, one atomicAdd per warp at the end; counterexample slots
// by one atomicAdd per warp, while slots are left). Nothing goes to device
// memory per input: the sweep is bound by integer (and some fp64) issue.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "plumb/formats/round_to_format.hpp"
#include "plumb/formats/value.hpp"
#include "plumb/kernels/convert_kernel.hpp"
#include "plumb/kernels/cuda_sweep.hpp"
#include "plumb/kernels/sweep_rbits.hpp"
#include "plumb/reference/table_oracle.hpp"
#include "sweep_host.cuh"

namespace plumb::kernels::cuda {
namespace {

constexpr int kBlock = 256;  // threads per block
constexpr unsigned kFullMask = 0xffffffffu;

// A counterexample as the device writes it (targets have at most 8 bits).
struct DeviceCounterexample {
  uint32_t input, rbits, got, expected;
  uint32_t got_flags, expected_flags;
};

// The sweep's tallies in device memory (zeroed before the launch).
struct DeviceTally {
  unsigned long long mismatches;
  unsigned long long flag_mismatches;
  long long max_ulp;          // over mismatches between two non-NaN codes
  unsigned int nan_mismatch;  // nonzero: a NaN met a non-NaN
  unsigned int slots;         // counterexample slots taken (may pass the limit)
  DeviceCounterexample cex[kSweepCounterexamples];
};

struct SweepParams {
  FormatDesc to;
  RoundingSpec spec;        // the oracle's
  RoundingSpec plumb_spec;  // plumb's: spec, or the planted bug's
  uint64_t seed;
  bool stochastic;
};

__global__ void __launch_bounds__(kBlock)
    sweep_kernel(const SweepParams p, const reference::TableOracle* __restrict__ g_table,
                 DeviceTally* __restrict__ tally) {
  // The oracle's table, copied into shared memory once per block.
  extern __shared__ __align__(16) unsigned char smem[];
  {
    static_assert(sizeof(reference::TableOracle) % 4 == 0, "table is copied in 4-byte words");
    const uint32_t* src = reinterpret_cast<const uint32_t*>(g_table);
    uint32_t* dst = reinterpret_cast<uint32_t*>(smem);
    for (unsigned i = threadIdx.x; i < sizeof(reference::TableOracle) / 4; i += blockDim.x)
      dst[i] = src[i];
    __syncthreads();
  }
  const reference::TableOracle& table = *reinterpret_cast<const reference::TableOracle*>(smem);

  constexpr FormatDesc from = formats::fp32;
  const unsigned lane = threadIdx.x & 31u;
  const uint64_t warp = (static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;  // 32 x warps

  // Lane 0 of each warp keeps the warp's counts; every lane its max ULP.
  unsigned long long mismatches = 0, flag_mismatches = 0;
  long long max_ulp = 0;
  bool nan_mismatch = false;

  for (uint64_t base = warp * 32; base < kSweepCases; base += stride) {
    const uint32_t code = static_cast<uint32_t>(base) + lane;
    const uint32_t rbits = p.stochastic ? sweep_rbits(p.seed, code) : 0u;
    const Converted got = convert_code(from, p.to, code, p.plumb_spec, rbits);
    const reference::TableResult want = reference::table_oracle_convert_fp32(table, code, p.spec, rbits);
    const bool code_ok = got.code == want.code;
    const bool bad = !code_ok || got.flags != want.flags;
    const unsigned bad_mask = __ballot_sync(kFullMask, bad);
    if (bad_mask == 0) continue;  // warp-uniform: the common case

    // Slow path, taken by whole warps only.
    const unsigned flag_only_mask = __ballot_sync(kFullMask, bad && code_ok);
    if (lane == 0) {
      mismatches += __popc(bad_mask);
      flag_mismatches += __popc(flag_only_mask);
    }
    if (bad) {
      const long long d = ulp_distance(p.to, got.code, want.code);
      if (d < 0) nan_mismatch = true;
      else if (d > max_ulp) max_ulp = d;
    }
    unsigned first_slot = kSweepCounterexamples;
    if (lane == 0 && *static_cast<volatile unsigned*>(&tally->slots) < kSweepCounterexamples)
      first_slot = atomicAdd(&tally->slots, static_cast<unsigned>(__popc(bad_mask)));
    first_slot = __shfl_sync(kFullMask, first_slot, 0);
    if (bad && first_slot < kSweepCounterexamples) {
      const unsigned slot = first_slot + __popc(bad_mask & ((1u << lane) - 1u));
      if (slot < kSweepCounterexamples)
        tally->cex[slot] = {code, rbits, static_cast<uint32_t>(got.code),
                            static_cast<uint32_t>(want.code), got.flags, want.flags};
    }
  }

  // One atomic per warp (and none when the warp saw no mismatch).
  for (int offset = 16; offset > 0; offset /= 2)
    max_ulp = max(max_ulp, __shfl_down_sync(kFullMask, max_ulp, offset));
  const bool any_nan = __any_sync(kFullMask, nan_mismatch);
  if (lane == 0 && mismatches != 0) {
    atomicAdd(&tally->mismatches, mismatches);
    atomicAdd(&tally->flag_mismatches, flag_mismatches);
    atomicMax(&tally->max_ulp, max_ulp);
    if (any_nan) atomicOr(&tally->nan_mismatch, 1u);
  }
}

bool run_sweep(const FormatDesc& to, const RoundingSpec& spec, uint64_t seed,
               bool planted_ties_away, SweepResult& r) {
  SweepParams p{};
  p.to = to;
  p.spec = spec;
  p.plumb_spec = spec;
  if (planted_ties_away && spec.rounding == Rounding::nearest_even)
    p.plumb_spec.rounding = Rounding::nearest_away;  // the planted bug
  p.seed = seed;
  p.stochastic = spec.rounding == Rounding::stochastic;

  SweepRun<DeviceTally, SweepResult> run("exhaustive_fp32_sweep", r);
  DeviceTally tally{};
  if (!run.prepare(to) ||
      !run.timed_launch(sweep_kernel, kBlock, [&](int grid) {
        sweep_kernel<<<grid, kBlock, run.kTableBytes, nullptr>>>(p, run.table(), run.tally());
      }, "sweep_kernel") ||
      !run.read_tally(tally))
    return false;
  r.cases = kSweepCases;
  r.mismatches = tally.mismatches;
  r.flag_mismatches = tally.flag_mismatches;
  r.max_ulp = tally.nan_mismatch ? -1 : tally.max_ulp;
  const unsigned recorded = std::min<unsigned>(tally.slots, kSweepCounterexamples);
  for (unsigned i = 0; i < recorded; ++i) {
    const DeviceCounterexample& c = tally.cex[i];
    r.counterexamples.push_back({c.input, c.rbits, c.got, static_cast<uint8_t>(c.got_flags),
                                 c.expected, static_cast<uint8_t>(c.expected_flags)});
  }
  std::sort(r.counterexamples.begin(), r.counterexamples.end(),
            [](const SweepCounterexample& a, const SweepCounterexample& b) { return a.input < b.input; });
  if (recorded != std::min<uint64_t>(r.mismatches, kSweepCounterexamples)) {
    r.error = "exhaustive_fp32_sweep: " + std::to_string(recorded) + " counterexamples recorded for " +
              std::to_string(r.mismatches) + " mismatches (a device-side bookkeeping error)";
    return false;
  }
  return true;
}

}  // namespace

SweepResult exhaustive_fp32_sweep(const FormatDesc& to, const RoundingSpec& spec, uint64_t seed,
                                  bool planted_ties_away) {
  SweepResult r;
  if (to.bits() > 8) {
    r.error = "exhaustive_fp32_sweep: targets of at most 8 bits only (this one has " +
              std::to_string(to.bits()) + ")";
    return r;
  }
  if (spec.rounding == Rounding::stochastic && (spec.sr_bits < 1 || spec.sr_bits > 32)) {
    r.error = "exhaustive_fp32_sweep: stochastic rounding needs 1 <= k <= 32 random bits (k = " +
              std::to_string(spec.sr_bits) + ")";
    return r;
  }
  if (cuda_device_count() == 0) {
    r.error = "exhaustive_fp32_sweep: no CUDA device";
    return r;
  }
  r.ok = run_sweep(to, spec, seed, planted_ties_away, r) && r.error.empty();
  if (!r.ok) {
    r.cases = r.mismatches = r.flag_mismatches = 0;
    r.counterexamples.clear();
  }
  return r;
}

}  // namespace plumb::kernels::cuda
