// plumb_lmul_bench: Google Benchmark timings of the L-Mul kernels of the
// registry (kernels/registry/lmul.inc, lmul_cuda.inc; planted bugs left out),
// next to a memcpy of the same bytes and an fp32 multiply of the same number
// of elements, measured in the same run. One thread. `plumb bench --lmul`
// runs it and turns its rows into BENCH records (docs/RESULT_SCHEMA.md).
//
// Operands: N(0,1) fp32 rounded nearest-even to e8m<m> (the operand formats of
// `plumb lmul-claims`, so a row matches its method lmul_m<m>_<carry>), seed
// 12345. Elementwise: 1M products per iteration (the same buffers: in cache
// for the narrow formats); GEMM: 256 x 256 x 256, fp32 C.
//
// Names: memcpy/lmul, mul/fp32, lmul/<kernel>/elementwise/e8m<m>/<carry>,
// lmul/<kernel>/gemm/e8m<m>/<carry>. Counters: elements (products per
// iteration), items/s and bytes/s (bytes: the operands read and the output
// written). CUDA builds time cuda_lmul on device arrays instead of through its
// host-array registry entry (cuda_lmul_bench.cpp: larger sizes, next to a
// device-to-device copy); without a GPU those rows are skipped with the reason.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "plumb/formats/format_desc.hpp"
#include "plumb/formats/round_to_format.hpp"
#include "plumb/kernels/lmul_kernel.hpp"

#if defined(PLUMB_HAVE_CUDA)
using LmulOperandsFn = void (*)(int m, size_t n, const std::vector<uint8_t>** a, const std::vector<uint8_t>** b);
void plumb_lmul_bench_cuda_register(LmulOperandsFn operands);  // cuda_lmul_bench.cpp
#endif

namespace {

using plumb::FormatDesc;

constexpr size_t kElements = size_t{1} << 20;
constexpr size_t kGemm = 256;

struct Operands {
  std::vector<uint8_t> a, b;  // codes, storage_bytes() each
};

FormatDesc operand_format(int m) { return plumb::float_format(8, m, plumb::Encoding::ieee); }

// n codes of e8m<m> per operand, from N(0,1) fp32 (nearest-even).
const Operands& operands(int m, size_t n) {
  static std::vector<std::pair<std::pair<int, size_t>, Operands>> cache;
  for (const auto& [key, ops] : cache)
    if (key == std::pair{m, n}) return ops;
  const FormatDesc f = operand_format(m);
  const size_t sb = static_cast<size_t>(f.storage_bytes());
  Operands ops;
  ops.a.resize(n * sb);
  ops.b.resize(n * sb);
  std::mt19937 rng(12345 + static_cast<unsigned>(m));
  std::normal_distribution<float> g(0.0f, 1.0f);
  for (auto* v : {&ops.a, &ops.b})
    for (size_t i = 0; i < n; ++i) {
      const float x = g(rng);
      uint32_t bits;
      std::memcpy(&bits, &x, 4);
      const uint64_t code = plumb::convert_code(plumb::formats::fp32, f, bits, {}).code;
      std::memcpy(v->data() + i * sb, &code, sb);  // little-endian: the low bytes
    }
  cache.emplace_back(std::pair{m, n}, std::move(ops));
  return cache.back().second;
}

[[maybe_unused]] void operand_vectors(int m, size_t n, const std::vector<uint8_t>** a,
                                      const std::vector<uint8_t>** b) {
  const Operands& ops = operands(m, n);
  *a = &ops.a, *b = &ops.b;
}

void counters(benchmark::State& state, size_t elements, size_t bytes) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * elements));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["elements"] = static_cast<double>(elements);
}

void bench_memcpy(benchmark::State& state) {
  std::vector<float> in(2 * kElements, 1.0f), out(kElements);
  for (auto _ : state) {
    std::memcpy(out.data(), in.data(), kElements * sizeof(float));
    benchmark::ClobberMemory();
  }
  counters(state, kElements, 2 * kElements * sizeof(float));
}

void bench_fp32_mul(benchmark::State& state) {
  std::vector<float> a(kElements, 1.5f), b(kElements, 0.75f), c(kElements);
  for (auto _ : state) {
    for (size_t i = 0; i < kElements; ++i) c[i] = a[i] * b[i];
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  counters(state, kElements, 3 * kElements * sizeof(float));
}

void bench_elementwise(benchmark::State& state, const plumb::kernels::LmulKernel* k, int m,
                       plumb::LmulCarry carry) {
  const plumb::kernels::LmulArgs args{operand_format(m), {carry}};
  const Operands& ops = operands(m, kElements);
  const size_t sb = static_cast<size_t>(args.format.storage_bytes());
  std::vector<uint8_t> out(kElements * sb);
  std::string message;
  for (auto _ : state) {
    if (k->elementwise(args, ops.a.data(), ops.b.data(), out.data(), kElements, &message) !=
        plumb::kernels::KernelStatus::ok) {
      state.SkipWithError(message.empty() ? "kernel did not run" : message.c_str());
      break;
    }
    benchmark::ClobberMemory();
  }
  counters(state, kElements, 3 * kElements * sb);
}

void bench_gemm(benchmark::State& state, const plumb::kernels::LmulKernel* k, int m,
                plumb::LmulCarry carry) {
  const plumb::kernels::LmulArgs args{operand_format(m), {carry}};
  const Operands& ops = operands(m, kGemm * kGemm);
  const size_t sb = static_cast<size_t>(args.format.storage_bytes());
  std::vector<float> c(kGemm * kGemm);
  std::string message;
  for (auto _ : state) {
    if (k->gemm(args, ops.a.data(), ops.b.data(), kGemm, kGemm, kGemm, c.data(), &message) !=
        plumb::kernels::KernelStatus::ok) {
      state.SkipWithError(message.empty() ? "kernel did not run" : message.c_str());
      break;
    }
    benchmark::ClobberMemory();
  }
  counters(state, kGemm * kGemm * kGemm, kGemm * kGemm * (2 * sb + sizeof(float)));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::RegisterBenchmark("memcpy/lmul", bench_memcpy)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("mul/fp32", bench_fp32_mul)->Unit(benchmark::kMicrosecond);
  for (const auto& k : plumb::kernels::lmul_kernels()) {
    // CUDA kernels: on device arrays below, not through their host-array entry.
    if (k.planted_bug || k.device == plumb::kernels::Device::cuda) continue;
    for (const auto carry : {plumb::LmulCarry::paper, plumb::LmulCarry::int_add})
      for (int m : {3, 4, 7}) {
        const std::string tail = "/e8m" + std::to_string(m) + "/" + plumb::lmul_carry_name(carry);
        benchmark::RegisterBenchmark(("lmul/" + std::string(k.name) + "/elementwise" + tail).c_str(),
                                     bench_elementwise, &k, m, carry)
            ->Unit(benchmark::kMicrosecond);
        if (carry == plumb::LmulCarry::paper && m != 3)
          benchmark::RegisterBenchmark(("lmul/" + std::string(k.name) + "/gemm" + tail).c_str(),
                                       bench_gemm, &k, m, carry)
              ->Unit(benchmark::kMicrosecond);
      }
  }
#if defined(PLUMB_HAVE_CUDA)
  plumb_lmul_bench_cuda_register(&operand_vectors);
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("plumb_lmul_data", "N(0,1) fp32 rounded to e8m<m>, seed 12345 + m");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
