// plumb harness: the quant_error section of the result file.
#include "quant_error_json.hpp"

#include "plumb/formats/format_names.hpp"

namespace plumb::harness {

namespace {

nlohmann::json measurement_json(const QuantMeasurement& m, size_t cols) {
  const BlockFormat& f = m.variant.desc;
  nlohmann::json j = {{"format", m.variant.format},
                      {"rule", scale_rule_name(f.rule)},
                      {"default_rule", m.variant.default_rule},
                      {"element", format_name(f.element)},
                      {"scale", format_name(f.scale)},
                      {"block_size", f.block_size},
                      {"tensor_scale", f.tensor_scale},
                      {"bits_per_element", bits_per_element(f)},
                      {"distribution", distribution_name(m.distribution)},
                      {"hadamard", m.hadamard},
                      {"status", m.ok ? "ok" : "error"},
                      {"message", m.message},
                      {"elements", m.elements}};
  if (!m.ok) {
    for (const char* k : {"mse", "mean_square", "nmse", "max_rel_error"}) j[k] = nullptr;
    return j;
  }
  j["mse"] = m.mse;
  j["mean_square"] = m.mean_square;
  j["nmse"] = m.nmse;
  j["max_rel_error"] = m.max_rel_error;
  j["max_rel_at"] = {{"index", m.max_rel_index},
                     {"row", m.max_rel_index / cols},
                     {"col", m.max_rel_index % cols},
                     {"x", m.max_rel_x},
                     {"y", m.max_rel_y}};
  j["flushed_to_zero"] = m.flushed;
  return j;
}

nlohmann::json finding_json(const QuantFinding& f) {
  nlohmann::json values = nlohmann::json::object();
  for (const auto& d : f.distributions)
    values[d] = {{f.lower, f.lower_values.at(d)},
                 {f.higher, f.higher_values.at(d)},
                 {"agrees", f.agrees_by_distribution.at(d)}};
  return {{"id", f.id},
          {"claim", f.claim},
          {"source", f.source},
          {"metric", f.metric},
          {"hadamard", f.hadamard},
          {"lower", f.lower},
          {"higher", f.higher},
          {"holds_when", f.holds_when},
          {"require_all", f.require_all},
          {"values", values},
          {"evaluated", f.evaluated},
          {"agrees", f.evaluated ? nlohmann::json(f.agrees) : nlohmann::json(nullptr)}};
}

}  // namespace

nlohmann::json quant_error_section(const QuantErrorOptions& o, const std::vector<QuantMeasurement>& ms,
                                   const std::vector<QuantFinding>& findings, double seconds) {
  nlohmann::json s;
  s["kernel"] = o.kernel;
  s["seed"] = o.seed;
  s["rows"] = o.rows;
  s["cols"] = o.cols;
  s["layout"] = "rows";
  s["rounding"] = "nearest_even";
  s["hadamard_seed"] = hadamard_seed_for(o.seed);
  s["rel_error_floor"] = kRelErrorFloor;
  s["definitions"] = {
      {"mse", "sum (y - x)^2 / n, y = dequantise(quantise(x)), sums in double in element order"},
      {"nmse", "mse / mean_square, mean_square = sum x^2 / n (SQNR dB = -10 log10 nmse)"},
      {"max_rel_error", "max |y - x| / |x| over the elements with |x| >= rel_error_floor * sqrt(mean_square)"},
      {"bits_per_element", "element bits + scale bits / block size (the fp32 tensor scale not counted)"},
      {"flushed_to_zero", "elements with x != 0 and y == 0"}};
  s["distributions"] = nlohmann::json::array();
  std::vector<InputDistribution> seen;
  for (const auto& m : ms) {
    bool known = false;
    for (auto d : seen) known |= d == m.distribution;
    if (known) continue;
    seen.push_back(m.distribution);
    s["distributions"].push_back(
        {{"name", distribution_name(m.distribution)}, {"description", distribution_description(m.distribution)}});
  }
  s["measurements"] = nlohmann::json::array();
  for (const auto& m : ms) s["measurements"].push_back(measurement_json(m, o.cols));
  s["findings"] = nlohmann::json::array();
  for (const auto& f : findings) s["findings"].push_back(finding_json(f));
  s["seconds"] = seconds;
  return s;
}

}  // namespace plumb::harness
