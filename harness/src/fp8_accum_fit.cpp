// plumb harness: the fit of the fp8 accumulation study (fp8_accum.hpp):
// which accumulator model's error curve is closest to a measured one.
#include <algorithm>
#include <cmath>

#include "fp8_accum.hpp"

namespace plumb::harness {
namespace {

const Fp8ErrorPoint* find_point(const Fp8Series& s, const std::string& distribution, size_t k) {
  for (const auto& p : s.points)
    if (p.distribution == distribution && p.k == k) return &p;
  return nullptr;
}

}  // namespace

Fp8Fit fit_accumulator(const Fp8Series& target, const std::vector<Fp8Series>& models, size_t promote_every) {
  Fp8Fit fit;
  fit.target = target.name;
  fit.promote_every = promote_every;
  if (target.status != "ok") {
    fit.reason = target.name + " was not measured (" + target.status + (target.message.empty() ? "" : ": ") +
                 target.message + ")";
    return fit;
  }
  const double floor = std::ldexp(1.0, -40);
  for (const auto& model : models) {
    if (model.kind != "model" || model.status != "ok" || model.model.promote_every != promote_every) continue;
    double sum_sq = 0, agree = 0, compared = 0;
    size_t points = 0;
    bool complete = true;
    for (const auto& tp : target.points) {
      const Fp8ErrorPoint* mp = find_point(model, tp.distribution, tp.k);
      if (!mp) {
        complete = false;
        break;
      }
      const double d = std::log2((mp->sample_mean_scaled + floor) / (tp.sample_mean_scaled + floor));
      sum_sq += d * d;
      ++points;
      const size_t n = std::min(mp->sample_values.size(), tp.sample_values.size());
      for (size_t i = 0; i < n; ++i) agree += mp->sample_values[i] == tp.sample_values[i] ? 1 : 0;
      compared += static_cast<double>(n);
    }
    if (!complete || points == 0) continue;
    fit.ranking.push_back({model.name, model.model.precision_bits, model.model.rounding, model.model.group,
                           std::sqrt(sum_sq / static_cast<double>(points)), compared > 0 ? agree / compared : 0});
  }
  std::stable_sort(fit.ranking.begin(), fit.ranking.end(),
                   [](const Fp8FitCandidate& x, const Fp8FitCandidate& y) { return x.score < y.score; });
  fit.evaluated = !fit.ranking.empty();
  if (!fit.evaluated)
    fit.reason = "no model with promote_every = " + std::to_string(promote_every) + " covers every point of " + target.name;
  return fit;
}

}  // namespace plumb::harness
