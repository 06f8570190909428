// plumb kernels: the host side shared by the exhaustive 2^32 fp32 sweeps
// (exhaustive_sweep.cu: cuda_plumb; nv_intrinsics_sweep.cu: NVIDIA's
// intrinsics): the target's table oracle uploaded to the device, a zeroed
// device tally, one timed launch on a persistent grid, and every CUDA call
// checked, with the device memory and events released on every path.
//
// R is the sweep's result (std::string error; int grid, block; double
// seconds); Tally its device-side tally.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <memory>
#include <string>

#include "plumb/formats/format_desc.hpp"
#include "plumb/reference/table_oracle.hpp"

namespace plumb::kernels::cuda {

template <class Tally, class R>
class SweepRun {
 public:
  static_assert(sizeof(reference::TableOracle) <= 48 * 1024,
                "the table must fit the default shared-memory limit of a block");
  // Shared memory a sweep kernel needs for its copy of the table.
  static constexpr size_t kTableBytes = sizeof(reference::TableOracle);

  // who: the sweep's name, the prefix of every error message.
  SweepRun(const char* who, R& result) : who_(who), r_(result) {}
  ~SweepRun() {
    if (table_) ok(cudaFree(table_), "cudaFree(table)");
    if (tally_) ok(cudaFree(tally_), "cudaFree(tally)");
    if (start_) ok(cudaEventDestroy(start_), "cudaEventDestroy(start)");
    if (stop_) ok(cudaEventDestroy(stop_), "cudaEventDestroy(stop)");
  }
  SweepRun(const SweepRun&) = delete;
  SweepRun& operator=(const SweepRun&) = delete;

  // Checks one CUDA call; on failure fills r.error (the first error only)
  // and returns false.
  bool ok(cudaError_t e, const char* call) {
    if (e == cudaSuccess) return true;
    if (r_.error.empty())
      r_.error = std::string(who_) + ": " + call + " failed: " + cudaGetErrorName(e) + ": " +
                 cudaGetErrorString(e);
    (void)cudaGetLastError();  // clear a non-sticky error for the next call
    return false;
  }

  // The target's table oracle, built on the host and copied to the device,
  // and a zeroed tally.
  bool prepare(const FormatDesc& to) {
    const auto host_table = std::make_unique<reference::TableOracle>();  // a few KB: not on the stack
    if (!reference::make_table_oracle(to, *host_table)) {
      r_.error = std::string(who_) + ": make_table_oracle refused the target format";
      return false;
    }
    return ok(cudaMalloc(&table_, sizeof *host_table), "cudaMalloc(table)") &&
           ok(cudaMemcpy(table_, host_table.get(), sizeof *host_table, cudaMemcpyHostToDevice),
              "cudaMemcpy(table, host to device)") &&
           ok(cudaMalloc(&tally_, sizeof(Tally)), "cudaMalloc(tally)") &&
           ok(cudaMemset(tally_, 0, sizeof(Tally)), "cudaMemset(tally)");
  }

  // One launch of `kernel` on a persistent grid (as many blocks of `block`
  // threads as fit at once on every multiprocessor), timed with CUDA events;
  // launch(grid) makes the launch. The occupancy query also loads the kernel,
  // so the timing excludes it. Sets r.block, r.grid and r.seconds.
  template <class Kernel, class Launch>
  bool timed_launch(Kernel kernel, int block, Launch launch, const char* name) {
    int device = 0, sms = 0, per_sm = 0;
    if (!ok(cudaGetDevice(&device), "cudaGetDevice") ||
        !ok(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device),
            "cudaDeviceGetAttribute(multiprocessor count)") ||
        !ok(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, block, kTableBytes),
            "cudaOccupancyMaxActiveBlocksPerMultiprocessor"))
      return false;
    r_.block = block;
    r_.grid = std::max(1, sms) * std::max(1, per_sm);
    if (!ok(cudaEventCreate(&start_), "cudaEventCreate(start)") ||
        !ok(cudaEventCreate(&stop_), "cudaEventCreate(stop)") ||
        !ok(cudaDeviceSynchronize(), "cudaDeviceSynchronize (before the sweep)") ||
        !ok(cudaEventRecord(start_, nullptr), "cudaEventRecord(start)"))
      return false;
    launch(r_.grid);
    const std::string launched = std::string(name) + " launch";
    const std::string synced = std::string(name) + " (cudaEventSynchronize)";
    if (!ok(cudaGetLastError(), launched.c_str()) || !ok(cudaEventRecord(stop_, nullptr), "cudaEventRecord(stop)") ||
        !ok(cudaEventSynchronize(stop_), synced.c_str()))
      return false;
    float ms = 0;
    if (!ok(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime")) return false;
    r_.seconds = ms / 1000.0;
    return true;
  }

  // The device tally, copied into `host`.
  bool read_tally(Tally& host) {
    return ok(cudaMemcpy(&host, tally_, sizeof(Tally), cudaMemcpyDeviceToHost),
              "cudaMemcpy(tally, device to host)");
  }

  const reference::TableOracle* table() const { return table_; }
  Tally* tally() const { return tally_; }

 private:
  const char* who_;
  R& r_;
  reference::TableOracle* table_ = nullptr;
  Tally* tally_ = nullptr;
  cudaEvent_t start_ = nullptr, stop_ = nullptr;
};

}  // namespace plumb::kernels::cuda
