// plumb harness: the "fp8_accumulation" section of a result file
// (docs/RESULT_SCHEMA.md, FP8_ACCUMULATION) from a measurement.
#include "fp8_accum_json.hpp"

#include <algorithm>
#include <cmath>

namespace plumb::harness {
namespace {

nlohmann::json number_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(); }

nlohmann::json candidate_json(const Fp8FitCandidate& c) {
  return {{"model", c.model},           {"precision_bits", c.precision_bits},
          {"rounding", accum_rounding_name(c.rounding)}, {"group", c.group}, {"score", number_or_null(c.score)},
          {"agreement", c.agreement}};
}

}  // namespace

double gamma_fp32(size_t k) {
  const double nu = static_cast<double>(k) * std::ldexp(1.0, -24);
  return nu / (1 - nu);
}

nlohmann::json fp8_accum_json(const Fp8AccumResult& r) {
  const auto& c = r.config;
  nlohmann::json j = {{"semantics", "docs/GEMM_SEMANTICS.md#fp8-accumulation"},
                      {"seed", c.seed},
                      {"m", c.m},
                      {"n", c.n},
                      {"k_values", c.k_values},
                      {"format", "e4m3fn"},
                      {"scales", {1.0, 1.0}},
                      {"promote_every", c.promote_every},
                      {"model_groups", c.groups},
                      {"compared_outputs", std::min(c.compared_outputs, c.m * c.n)},
                      {"model_outputs", std::min({c.model_outputs, c.compared_outputs, c.m * c.n})},
                      {"threads", c.threads},
                      {"seconds", r.seconds},
                      {"fit_metric", kFp8FitMetric},
                      {"distributions", nlohmann::json::array()},
                      {"series", nlohmann::json::array()},
                      {"fits", nlohmann::json::array()}};
  for (const auto& d : r.distributions)
    j["distributions"].push_back(
        {{"name", d},
         {"description", fp8_inputs_description(d == "gaussian" ? Fp8Inputs::gaussian : Fp8Inputs::positive_uniform)}});
  nlohmann::json gamma = nlohmann::json::array();
  for (size_t k : c.k_values) gamma.push_back(gamma_fp32(k));
  j["bound"] = {{"unit_roundoff_bits", 24}, {"gamma", gamma}};
  for (const auto& s : r.series) {
    const bool model = s.kind == "model";
    nlohmann::json sj = {{"name", s.name},
                         {"kind", s.kind},
                         {"kernel", s.kernel},
                         {"precision_bits", model ? nlohmann::json(s.model.precision_bits) : nlohmann::json()},
                         {"rounding", model ? nlohmann::json(accum_rounding_name(s.model.rounding)) : nlohmann::json()},
                         {"group", model ? nlohmann::json(s.model.group) : nlohmann::json()},
                         {"promote_every", s.model.promote_every},
                         {"status", s.status},
                         {"message", s.message},
                         {"points", nlohmann::json::array()}};
    for (const auto& p : s.points)
      sj["points"].push_back({{"distribution", p.distribution},
                              {"k", p.k},
                              {"outputs", p.outputs},
                              {"zero_exact", p.zero_exact},
                              {"exact_outputs", p.exact_outputs},
                              {"max_rel_error", number_or_null(p.max_rel)},
                              {"mean_rel_error", number_or_null(p.mean_rel)},
                              {"max_scaled_error", number_or_null(p.max_scaled)},
                              {"mean_scaled_error", number_or_null(p.mean_scaled)},
                              {"max_bound_fraction", number_or_null(p.max_bound_fraction)},
                              {"mean_bound_fraction", number_or_null(p.mean_bound_fraction)},
                              {"sample_mean_scaled_error", number_or_null(p.sample_mean_scaled)}});
    j["series"].push_back(sj);
  }
  for (const auto& f : r.fits) {
    nlohmann::json fj = {{"target", f.target},
                         {"promote_every", f.promote_every},
                         {"evaluated", f.evaluated},
                         {"reason", f.reason},
                         {"best", f.ranking.empty() ? nlohmann::json() : candidate_json(f.ranking.front())},
                         {"ranking", nlohmann::json::array()}};
    for (const auto& cand : f.ranking) fj["ranking"].push_back(candidate_json(cand));
    j["fits"].push_back(fj);
  }
  return j;
}

}  // namespace plumb::harness
