// NVIDIA's intrinsics over every fp32 code (cuda_nv_sweep.hpp). The same
// launch shape as exhaustive_sweep.cu (a persistent grid, warp w takes the 32
// codes 32 w + lane, the oracle's table in shared memory), with the
// intrinsic (nv_apply, the cuda_nv_intrinsics kernel's device function) on
// the vendor side. Differences are common here (every NaN input, half of all
// inputs into ue8m0), so the slow path is per class: one ballot per class,
// counts in lane 0's registers, example slots by one atomicAdd per warp and
// class while slots are left.
#include <cuda_runtime.h>

#include <algorithm>
#include <memory>
#include <string>

#include "nv_intrinsics.cuh"
#include "plumb/formats/value.hpp"
#include "plumb/kernels/cuda_nv_sweep.hpp"
#include "plumb/kernels/convert_kernel.hpp"
#include "plumb/reference/table_oracle.hpp"
#include "sweep_host.cuh"

namespace plumb::kernels::cuda {
namespace {

constexpr int kBlock = 256;
constexpr unsigned kFullMask = 0xffffffffu;

struct DeviceExample {
  uint32_t input, got, expected, expected_flags;
};

struct DeviceTally {
  unsigned long long count[kNvSweepClasses];
  unsigned int slots[kNvSweepClasses];  // may pass kNvSweepExamples
  long long max_ulp;                    // never-documented classes only
  unsigned int nan_mismatch;
  DeviceExample ex[kNvSweepClasses][kNvSweepExamples];
};

__host__ __device__ constexpr bool never_documented(NvSweepClass c) {
  return c == NvSweepClass::nan_other || c == NvSweepClass::inf_other || c == NvSweepClass::negative_other ||
         c == NvSweepClass::finite;
}

__global__ void __launch_bounds__(kBlock)
    nv_sweep_kernel(const NvPlan plan, const FormatDesc to, const RoundingSpec spec,
                    const reference::TableOracle* __restrict__ g_table, DeviceTally* __restrict__ tally) {
  extern __shared__ __align__(16) unsigned char smem[];
  {
    const uint32_t* src = reinterpret_cast<const uint32_t*>(g_table);
    uint32_t* dst = reinterpret_cast<uint32_t*>(smem);
    for (unsigned i = threadIdx.x; i < sizeof(reference::TableOracle) / 4; i += blockDim.x) dst[i] = src[i];
    __syncthreads();
  }
  const reference::TableOracle& table = *reinterpret_cast<const reference::TableOracle*>(smem);
  const unsigned lane = threadIdx.x & 31u;
  const uint64_t warp = (static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;

  unsigned long long count[kNvSweepClasses] = {};  // lane 0's
  long long max_ulp = 0;
  bool nan_mismatch = false;

  for (uint64_t base = warp * 32; base < kSweepCases; base += stride) {
    const uint32_t code = static_cast<uint32_t>(base) + lane;
    const uint32_t got = nv_apply(plan, code);
    const reference::TableResult want = reference::table_oracle_convert_fp32(table, code, spec, 0);
    const bool differs = (want.flags & kNoEncoding) || got != want.code;
    if (__ballot_sync(kFullMask, differs) == 0) continue;  // warp-uniform

    int cls = -1;
    if (differs) {
      const NvSweepClass c = nv_sweep_class(to, code, got, want.code, want.flags,
                                            [&](uint32_t mag, uint64_t& m_code, uint8_t& m_flags) {
                                              const auto m = reference::table_oracle_convert_fp32(table, mag, spec, 0);
                                              m_code = m.code;
                                              m_flags = m.flags;
                                            });
      cls = static_cast<int>(c);
      if (never_documented(c)) {
        const long long d = ulp_distance(to, got, want.code);
        if (d < 0 || (want.flags & kNoEncoding)) nan_mismatch = true;
        else if (d > max_ulp) max_ulp = d;
      }
    }
#pragma unroll
    for (int c = 0; c < kNvSweepClasses; ++c) {
      const unsigned mask = __ballot_sync(kFullMask, cls == c);
      if (mask == 0) continue;  // warp-uniform
      if (lane == 0) count[c] += __popc(mask);
      unsigned first = kNvSweepExamples;
      if (lane == 0 && *static_cast<volatile unsigned*>(&tally->slots[c]) < kNvSweepExamples)
        first = atomicAdd(&tally->slots[c], static_cast<unsigned>(__popc(mask)));
      first = __shfl_sync(kFullMask, first, 0);
      if (cls == c && first < kNvSweepExamples) {
        const unsigned slot = first + __popc(mask & ((1u << lane) - 1u));
        if (slot < kNvSweepExamples)
          tally->ex[c][slot] = {code, got, static_cast<uint32_t>(want.code), want.flags};
      }
    }
  }

  for (int offset = 16; offset > 0; offset /= 2)
    max_ulp = max(max_ulp, __shfl_down_sync(kFullMask, max_ulp, offset));
  const bool any_nan = __any_sync(kFullMask, nan_mismatch);
  if (lane == 0) {
#pragma unroll
    for (int c = 0; c < kNvSweepClasses; ++c)
      if (count[c]) atomicAdd(&tally->count[c], count[c]);
    if (max_ulp > 0) atomicMax(&tally->max_ulp, max_ulp);
    if (any_nan) atomicOr(&tally->nan_mismatch, 1u);
  }
}

bool run(const NvPlan& plan, const FormatDesc& to, const RoundingSpec& spec, NvSweepResult& r) {
  SweepRun<DeviceTally, NvSweepResult> run("nv_intrinsics_fp32_sweep", r);
  const auto tally = std::make_unique<DeviceTally>();
  if (!run.prepare(to) ||
      !run.timed_launch(nv_sweep_kernel, kBlock, [&](int grid) {
        nv_sweep_kernel<<<grid, kBlock, run.kTableBytes, nullptr>>>(plan, to, spec, run.table(), run.tally());
      }, "nv_sweep_kernel") ||
      !run.read_tally(*tally))
    return false;
  r.cases = kSweepCases;
  r.max_ulp = tally->nan_mismatch ? -1 : tally->max_ulp;
  for (int c = 0; c < kNvSweepClasses; ++c) {
    NvSweepClassTally& t = r.classes[c];
    t.count = tally->count[c];
    r.differences += t.count;
    const unsigned kept = std::min<unsigned>(tally->slots[c], kNvSweepExamples);
    for (unsigned i = 0; i < kept; ++i) {
      const DeviceExample& e = tally->ex[c][i];
      t.examples.push_back({e.input, 0, e.got, 0, e.expected, static_cast<uint8_t>(e.expected_flags)});
    }
    std::sort(t.examples.begin(), t.examples.end(),
              [](const SweepCounterexample& a, const SweepCounterexample& b) { return a.input < b.input; });
    if (kept != std::min<uint64_t>(t.count, kNvSweepExamples)) {
      r.error = "nv_intrinsics_fp32_sweep: " + std::to_string(kept) + " examples kept for " +
                std::to_string(t.count) + " differences of class " + kNvSweepClassNames[c] +
                " (a device-side bookkeeping error)";
      return false;
    }
  }
  return true;
}

}  // namespace

bool nv_sweep_offered(const FormatDesc& to, const RoundingSpec& spec, std::string* why) {
  if (to.bits() > 8) {
    if (why) *why = "nv_intrinsics_fp32_sweep: targets of at most 8 bits only";
    return false;
  }
  NvPlan plan;
  return make_nv_plan({formats::fp32, to, spec}, plan, why);
}

NvSweepResult nv_intrinsics_fp32_sweep(const FormatDesc& to, const RoundingSpec& spec) {
  return nv_intrinsics_fp32_sweep(to, spec, spec);
}

NvSweepResult nv_intrinsics_fp32_sweep(const FormatDesc& to, const RoundingSpec& spec,
                                       const RoundingSpec& oracle_spec) {
  NvSweepResult r;
  NvPlan plan;
  if (!nv_sweep_offered(to, spec, &r.error) || !make_nv_plan({formats::fp32, to, spec}, plan, &r.error)) return r;
  if (oracle_spec.rounding == Rounding::stochastic) {
    r.error = "nv_intrinsics_fp32_sweep: the oracle's spec may not be stochastic (the intrinsics take no bits)";
    return r;
  }
  if (cuda_device_count() == 0) {
    r.error = "nv_intrinsics_fp32_sweep: no CUDA device";
    return r;
  }
  r.ok = run(plan, to, oracle_spec, r) && r.error.empty();
  if (!r.ok) {
    r.cases = r.differences = 0;
    for (auto& t : r.classes) t = {};
  }
  return r;
}

}  // namespace plumb::kernels::cuda
