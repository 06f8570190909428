// plumb harness: the softmax and L-Mul benchmarks of `plumb bench --softmax /
// --lmul`. Each runs its Google Benchmark binary (plumb_softmax_bench,
// plumb_lmul_bench, next to plumb) and turns the rows into BENCH records
// (docs/RESULT_SCHEMA.md) that name their ceiling: the memcpy (CPU) or
// device copy (GPU) of the same binary and run.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace plumb::harness {

struct OpBenchRun {
  nlohmann::json records = nlohmann::json::array();
  nlohmann::json not_run = nlohmann::json::array();
  nlohmann::json context = nlohmann::json::object();
};

// binary: "plumb_softmax_bench" or "plumb_lmul_bench". filter: as plumb bench's
// --filter (the binary's ceilings always run). quick: one repetition, short.
// A missing binary is a not-run note, not an error.
OpBenchRun run_op_bench(const std::string& binary, const std::optional<std::string>& filter,
                        bool quick, const std::filesystem::path& tmp);

// Google Benchmark JSON of one of those binaries -> BENCH records (exposed for tests).
OpBenchRun op_bench_records(const nlohmann::json& gb, int repetitions);

// One table: G elem/s, GB/s and the fraction of the row's own ceiling.
void print_op_table(const nlohmann::json& records);

}  // namespace plumb::harness
