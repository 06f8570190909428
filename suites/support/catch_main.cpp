// The one Catch2 runner of the CPU suites (compiling it costs ~15 s, once).
// The seed of the randomised suites is Catch's --rng-seed (printed at start;
// pass `--rng-seed N` to reproduce); with no seed given, plumb uses 1.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

int main(int argc, char* argv[]) {
  Catch::Session session;
  if (int rc = session.applyCommandLine(argc, argv)) return rc;
  auto& config = session.configData();
  if (config.rngSeed == 0) config.rngSeed = 1;
  const bool listing = config.listTests || config.listTestNamesOnly || config.listTags || config.listReporters;
  if (!listing) std::printf("plumb suites: seed %u (reproduce with --rng-seed %u)\n", config.rngSeed, config.rngSeed);
  return session.run();
}
