// The Catch2 main of the GPU suites (the one TU of plumb_cuda_tests that
// defines CATCH_CONFIG_RUNNER).
//
// List options (--list-test-names-only is what catch_discover_tests runs at
// build time), --help and --libidentify never touch the GPU. Otherwise, with
// no usable CUDA device the binary says so and returns 77, which CTest reports
// as "Skipped" (SKIP_RETURN_CODE 77): a GPU suite is never silently passed.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cuda_runtime_api.h>

#include <cstdio>

#include "plumb/kernels/convert_kernel.hpp"

namespace {

constexpr int kSkipped = 77;

void print_devices(int count) {
  int driver = 0, runtime = 0;
  (void)cudaDriverGetVersion(&driver);
  (void)cudaRuntimeGetVersion(&runtime);
  std::printf("plumb_cuda_tests: %d CUDA device(s), driver API %d, runtime %d\n", count, driver,
              runtime);
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp p{};
    if (cudaGetDeviceProperties(&p, d) != cudaSuccess) {
      (void)cudaGetLastError();
      continue;
    }
    std::printf("  device %d: %s, compute capability %d.%d, %d SMs, %.1f GiB%s\n", d, p.name,
                p.major, p.minor, p.multiProcessorCount,
                static_cast<double>(p.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0),
                d == 0 ? " (used)" : "");
  }
}

}  // namespace

int main(int argc, char* argv[]) {
  Catch::Session session;
  const int parse = session.applyCommandLine(argc, argv);
  if (parse != 0) return parse;

  const Catch::ConfigData& cfg = session.configData();
  const bool gpu_free = cfg.listTests || cfg.listTestNamesOnly || cfg.listTags ||
                        cfg.listReporters || cfg.showHelp || cfg.libIdentify;
  if (gpu_free) return session.run();

  if (!plumb::kernels::cuda_built()) {
    std::fprintf(stderr, "plumb_cuda_tests: SKIPPED: this build has no CUDA kernels\n");
    return kSkipped;
  }
  const int devices = plumb::kernels::cuda_device_count();
  if (devices == 0) {
    std::fprintf(stderr,
                 "plumb_cuda_tests: SKIPPED: no usable CUDA device (no GPU, no driver or an "
                 "insufficient driver); GPU suites did not run\n");
    return kSkipped;
  }
  print_devices(devices);
  std::printf("plumb_cuda_tests: rng seed %u (rerun with --rng-seed %u to repeat; "
              "--rng-seed time for a fresh one)\n",
              cfg.rngSeed, cfg.rngSeed);
  std::fflush(stdout);
  return session.run();
}
