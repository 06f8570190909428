// plumb repro: the text report of a run (tables per axis, vacuity, summary,
// cost of invariance) and the "repro" section of a result file
// (docs/RESULT_SCHEMA.md, REPRO).
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "repro_run.hpp"

namespace plumb::harness::repro {

void print_repro(const ReproResult& r, std::FILE* out);
// gpus_real: "" or the sentence saying why real multi-GPU was not run.
nlohmann::json repro_section(const ReproResult& r, const std::string& gpus_real);
std::string ulp_text(uint64_t ulp);  // "nan" for kNanUlp

}  // namespace plumb::harness::repro
