// plumb: the command. verify (CI gate), convert, formats, bench, report.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "commands.hpp"

namespace {

const char* kUsage =
    "usage: plumb <command> [options]   (plumb <command> --help for its options)\n"
    "  verify    run the suites against every kernel built here; table, JSON, JUnit; exit 1 on failure\n"
    "  convert   convert values read on stdin into a format, in any rounding mode and policy\n"
    "  formats   list every format with its parameters (or describe the ones named)\n"
    "  bench     time the conversion kernels next to memcpy and ml_dtypes (Google Benchmark)\n"
    "  report    write one self-contained HTML report from result files\n"
    "  quantize  block-quantise a .npy tensor (MXFP8/6/4, MXINT8, NVFP4, NVINT4); --check vs MPFR\n"
    "  quant-error  MSE / max relative error of every block format on seeded tensors, for the report\n"
    "  lmul-claims  the L-Mul paper's accuracy claims (vs e4m3 / e5m2) and GEMM errors, measured\n"
    "  check     judge a user's outputs (.npy: convert, quantize, softmax, lmul, gemm) against the reference\n"
    "  repro     an op under batch / split / tile / thread / GPU-count configurations: bitwise, ULP, vacuity\n"
    "  fp8-accum  fp8 GEMM error against K with fast accumulation, promotion, and the fitted accumulator bits\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  using namespace plumb::harness;
  try {
    if (command == "verify") return command_verify(args);
    if (command == "convert") return command_convert(args);
    if (command == "formats") return command_formats(args);
    if (command == "bench") return command_bench(args);
    if (command == "report") return command_report(args);
    if (command == "quant-error") return command_quant_error(args);
    if (command == "quantize") return command_quantize(args);
    if (command == "lmul-claims") return command_lmul_claims(args);
    if (command == "fp8-accum") return command_fp8_accum(args);
    if (command == "check") return command_check(args);
    if (command == "repro") return command_repro(args);
    std::fprintf(stderr, "plumb: unknown command '%s'\n%s", command.c_str(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "plumb %s: error: %s\n", command.c_str(), e.what());
    return 2;
  }
}
