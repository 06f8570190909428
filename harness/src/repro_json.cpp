// plumb repro: the "repro" section of a result file (docs/RESULT_SCHEMA.md, REPRO).
#include "repro_print.hpp"

namespace plumb::harness::repro {

namespace {

nlohmann::json ulp_json(uint64_t u) { return u == kNanUlp ? nlohmann::json("nan") : nlohmann::json(u); }

nlohmann::json pair_json(const ReproResult& r, const AxisResult& a, const VariantAxisResult& v, size_t i) {
  const PairStats& p = v.pairs[i];
  nlohmann::json j = {{"a", a.spec.labels[0]},
                      {"b", a.spec.labels[i + 1]},
                      {"rows", p.rows},
                      {"rows_identical", p.rows_identical},
                      {"max_ulp", ulp_json(p.max_ulp)},
                      {"max_rel", p.max_rel},
                      {"witness_identical", static_cast<bool>(v.witness_identical[i])}};
  if (r.have_reference) {
    j["ref_ulp_a"] = ulp_json(p.ref_ulp_a);
    j["ref_ulp_b"] = ulp_json(p.ref_ulp_b);
    j["rows_b_closer"] = p.rows_b_closer;
    j["rows_b_farther"] = p.rows_b_farther;
  }
  nlohmann::json rows = nlohmann::json::array();
  for (uint64_t u : p.row_max_ulp) rows.push_back(ulp_json(u));
  j["row_max_ulp"] = rows;
  return j;
}

}  // namespace

nlohmann::json repro_section(const ReproResult& r, const std::string& gpus_real) {
  const ReproOptions& o = r.options;
  nlohmann::json s = {{"op", op_name(o.op)},
                      {"dtype", dtype_name(o.dtype)},
                      {"shape", {{"rows", o.shape.rows}, {"cols", o.shape.cols}, {"n", o.shape.n}, {"kv", o.shape.kv}}},
                      {"outputs_per_row", outputs_per_row(o.op, o.shape)},
                      {"seed", o.seed},
                      {"input", input_description(o.op, o.input)},
                      {"witness_input", input_description(o.op, InputKind::wide)},
                      {"reference", r.have_reference},
                      {"device", device_name(o.axis.device)}};
  if (!o.default_kernel.empty()) s["default_kernel"] = o.default_kernel;
  nlohmann::json axes = nlohmann::json::array();
  for (const AxisResult& a : r.axes) {
    nlohmann::json ja = {{"axis", a.spec.name},
                         {"varies", a.spec.varies},
                         {"simulated", a.spec.simulated},
                         {"configs", a.spec.labels},
                         {"vacuity",
                          {{"observable", a.vacuity.observable},
                           {"witness", a.vacuity.witness},
                           {"observed_on", !a.vacuity.observable    ? "nothing"
                                           : a.vacuity.pre_rounding ? "fp32 before bf16 rounding"
                                                                    : "outputs"}}}};
    if (!a.note.empty()) ja["note"] = a.note;
    for (int v = 0; v < 2; ++v) {
      nlohmann::json pairs = nlohmann::json::array();
      for (size_t i = 0; i < a.variant[v].pairs.size(); ++i) pairs.push_back(pair_json(r, a, a.variant[v], i));
      ja["variants"][variant_name(static_cast<Variant>(v))] = {
          {"verdict", a.variant[v].verdict}, {"worst_spread_ulp", ulp_json(a.variant[v].worst_spread)}, {"pairs", pairs}};
    }
    axes.push_back(ja);
  }
  s["axes"] = axes;
  for (int v = 0; v < 2; ++v) {
    nlohmann::json sv = {{"identical_fraction", r.summary.identical_fraction[v]},
                         {"distinct_outputs", r.summary.distinct_outputs[v]},
                         {"repeats", r.summary.repeats},
                         {"worst_spread_ulp", ulp_json(r.summary.worst_spread[v])}};
    if (r.have_reference) sv["reference_max_ulp"] = ulp_json(r.reference_ulp[v]);
    s["summary"][variant_name(static_cast<Variant>(v))] = sv;
  }
  s["timing"] = {{"default_ms", r.timing.default_ms},
                 {"invariant_ms", r.timing.invariant_ms},
                 {"invariant_over_default", r.timing.default_ms > 0 ? r.timing.invariant_ms / r.timing.default_ms : 0.0},
                 {"repeats", r.timing.repeats},
                 {"config", o.axis.device == Device::cuda ? "all rows in one call, one stream, kernel time (CUDA events)"
                                                          : "all rows in one call, 1 thread"}};
  if (!gpus_real.empty()) s["gpus_real"] = gpus_real;
  return s;
}

}  // namespace plumb::harness::repro
