// plumb harness: the "quant_error" section of a result file
// (docs/RESULT_SCHEMA.md, QUANT_ERROR), from the measurements and findings.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "quant_error.hpp"
#include "quant_findings.hpp"

namespace plumb::harness {

nlohmann::json quant_error_section(const QuantErrorOptions& options, const std::vector<QuantMeasurement>& ms,
                                   const std::vector<QuantFinding>& findings, double seconds);

}  // namespace plumb::harness
