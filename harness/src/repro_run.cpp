// plumb repro: the runner (repro_run.hpp).
#include "repro_run.hpp"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "repro_cuda.hpp"
#include "repro_ops.hpp"
#include "repro_reference.hpp"

namespace plumb::harness::repro {

namespace {

constexpr int kUser = 0, kWitness = 1;

std::string value_text(float x) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.9g", x);
  return buf;
}

// runs[input][config] for one variant.
using AxisRuns = std::vector<std::vector<Outputs>>;

AxisRuns run_axis(const AxisSpec& a, Variant v, const Inputs* in[2], const FreshSource& fresh,
                  std::vector<BaselineRuns>& fresh_cache) {
  AxisRuns runs(2);
  const auto start = std::chrono::steady_clock::now();
  auto last = start;
  for (size_t i = 0; i < a.configs.size(); ++i) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last > std::chrono::seconds(5)) {  // progress for long axes (batch up to 4096 rows)
      last = now;
      std::fprintf(stderr, "repro: axis %s, %s variant, configuration %zu/%zu (%s), %.0f s\n", a.name.c_str(),
                   variant_name(v), i + 1, a.configs.size(), a.labels[i].c_str(),
                   std::chrono::duration<double>(now - start).count());
    }
    for (int k = 0; k < 2; ++k) {
      if (a.kind == AxisKind::fresh && i > 0) {
        if (!fresh) throw std::runtime_error("the fresh axis needs a way to start processes");
        if (fresh_cache.size() < i) fresh_cache.push_back(fresh(i));
        runs[k].push_back(fresh_cache[i - 1].run[static_cast<int>(v)][k]);
      } else {
        runs[k].push_back(run_config(*in[k], v, a.configs[i]));
      }
    }
  }
  return runs;
}

uint64_t spread(const std::vector<Outputs>& runs, bool bf16) {
  uint64_t worst = 0;
  for (size_t j = 0; j < runs[0].size(); ++j) {
    int64_t lo = ordinal(runs[0][j], bf16), hi = lo;
    size_t nans = 0;
    for (const auto& r : runs) nans += std::isnan(r[j]) ? 1 : 0;
    if (nans && nans < runs.size()) return kNanUlp;  // NaN against a number (a failed plugin call, say)
    for (const auto& r : runs) {
      lo = std::min(lo, ordinal(r[j], bf16));
      hi = std::max(hi, ordinal(r[j], bf16));
    }
    worst = std::max(worst, static_cast<uint64_t>(hi - lo));
  }
  return worst;
}

// bf16-output ops (docs/REPRO_SEMANTICS.md "Vacuity check"): the values
// before the bf16 output rounding are the op's fp32 outputs on the same
// (bf16-valued) input. The first configuration i >= 1 whose pre-rounding
// values differ from configuration 0's, and the output; config 0: none.
struct PreRoundingDiff {
  size_t config = 0, at = 0;
  float a = 0, b = 0;
};
PreRoundingDiff pre_rounding_difference(const AxisSpec& a, const Inputs& witness, Variant v) {
  PreRoundingDiff d;
  if (a.kind == AxisKind::fresh) return d;  // other processes report rounded outputs only
  Inputs pre = witness;
  pre.dtype = Dtype::fp32;
  const Outputs base = run_config(pre, v, a.configs[0]);
  for (size_t i = 1; i < a.configs.size(); ++i) {
    const Outputs other = run_config(pre, v, a.configs[i]);
    const size_t at = first_difference(base, other);
    if (at != static_cast<size_t>(-1)) return {i, at, base[at], other[at]};
  }
  return d;
}

Vacuity find_witness(const AxisSpec& a, const AxisRuns& standard, const ReproOptions& o, size_t m,
                     const Inputs& witness) {
  Vacuity vac;
  for (int k : {kWitness, kUser}) {
    for (size_t i = 1; i < a.configs.size(); ++i) {
      const size_t at = first_difference(standard[k][0], standard[k][i]);
      if (at == static_cast<size_t>(-1)) continue;
      vac.observable = true;
      vac.witness = std::string(k == kWitness ? "witness" : "user") + " input (" +
                    input_description(o.op, k == kWitness ? InputKind::wide : o.input) + ", seed " +
                    std::to_string(o.seed) + "), row " + std::to_string(at / m) + " output " +
                    std::to_string(at % m) + ": " + a.labels[0] + " gives " + value_text(standard[k][0][at]) +
                    ", " + a.labels[i] + " gives " + value_text(standard[k][i][at]);
      return vac;
    }
  }
  if (bf16_outputs(o.op, o.dtype)) {
    const PreRoundingDiff d = pre_rounding_difference(a, witness, Variant::standard);
    if (d.config) {
      vac.observable = vac.pre_rounding = true;
      vac.witness = "witness input (" + input_description(o.op, InputKind::wide) + ", seed " + std::to_string(o.seed) +
                    "), fp32 value before the bf16 output rounding (no bf16 output changed), row " +
                    std::to_string(d.at / m) + " output " + std::to_string(d.at % m) + ": " + a.labels[0] +
                    " gives " + value_text(d.a) + ", " + a.labels[d.config] + " gives " + value_text(d.b);
      return vac;
    }
  }
  vac.witness = "no configuration of this axis changed any output of the default kernel on the witness input (" +
                input_description(o.op, InputKind::wide) + ") or the user input";
  if ((a.kind == AxisKind::repeats || a.kind == AxisKind::fresh) && o.axis.device == Device::cpu)
    vac.witness += " (these CPU kernels' order is fixed by their configuration)";
  else if (bf16_outputs(o.op, o.dtype))
    vac.witness += " (bf16 outputs: an order change reaches them only near a rounding boundary)";
  return vac;
}

double median_ms(std::vector<double> t) {
  std::sort(t.begin(), t.end());
  return t.empty() ? 0.0 : t[t.size() / 2];
}

size_t distinct_rows(const std::vector<Outputs>& runs, size_t m) {
  size_t worst = 1;
  for (size_t r = 0; r < runs[0].size() / m; ++r) {
    std::map<std::vector<uint32_t>, int> seen;
    for (const auto& run : runs) {
      std::vector<uint32_t> key(m);
      for (size_t j = 0; j < m; ++j) key[j] = std::bit_cast<uint32_t>(run[r * m + j]);
      seen[key] = 1;
    }
    worst = std::max(worst, seen.size());
  }
  return worst;
}

}  // namespace

BaselineRuns baseline_runs(const ReproOptions& o) {
  const Inputs user = make_inputs(o.op, o.dtype, o.shape, o.input, o.seed);
  const Inputs witness = make_inputs(o.op, o.dtype, o.shape, InputKind::wide, o.seed);
  BaselineRuns b;
  for (Variant v : {Variant::standard, Variant::invariant}) {
    b.run[static_cast<int>(v)][kUser] = run_config(user, v, base_config(o.axis.device));
    b.run[static_cast<int>(v)][kWitness] = run_config(witness, v, base_config(o.axis.device));
  }
  return b;
}

ReproResult run_repro(const ReproOptions& o, const FreshSource& fresh) {
  ReproResult res;
  res.options = o;
  const Inputs user = make_inputs(o.op, o.dtype, o.shape, o.input, o.seed);
  const Inputs witness = make_inputs(o.op, o.dtype, o.shape, InputKind::wide, o.seed);
  const Inputs* in[2] = {&user, &witness};
  const size_t m = outputs_per_row(o.op, o.shape);
  const bool bf16 = bf16_outputs(o.op, o.dtype);
  Outputs ref;
  if (o.reference) {
    std::fprintf(stderr, "repro: reference (%s, %zu rows)...\n", op_name(o.op), o.shape.rows);
    ref = reference_outputs(user);
    res.have_reference = true;
  }
  size_t rows_total[2] = {0, 0}, rows_same[2] = {0, 0};
  std::vector<BaselineRuns> fresh_cache;
  for (AxisKind kind : o.axes) {
    AxisResult ar;
    ar.spec = make_axis(kind, o.axis);
    std::fprintf(stderr, "repro: axis %s (%zu configurations)...\n", ar.spec.name.c_str(), ar.spec.configs.size());
    if (kind == AxisKind::gpus && o.op == Op::attention)
      ar.note = "tensor parallelism splits attention by heads: no cross-rank reduction inside the block "
                "(the output projection's all-reduce is the gemm op), so this axis cannot change it";
    for (const auto& [k, text] : o.notes)
      if (k == kind) ar.note += (ar.note.empty() ? "" : "; ") + text;
    AxisRuns runs[2];
    for (Variant v : {Variant::standard, Variant::invariant})
      runs[static_cast<int>(v)] = run_axis(ar.spec, v, in, fresh, fresh_cache);
    if (default_kernel_replaced()) {
      // The witness is the built-in default kernel's: it shows the axis can
      // change a result at all; failing that, the replacement's own variation.
      AxisRuns builtin;
      {
        const BuiltinDefaultScope scope;
        std::vector<BaselineRuns> none;
        AxisSpec local = ar.spec;
        if (kind == AxisKind::fresh) local.kind = AxisKind::repeats;  // built-in CPU kernels: same process is enough
        builtin = run_axis(local, Variant::standard, in, fresh, none);
        ar.vacuity = find_witness(ar.spec, builtin, o, m, witness);
      }
      if (ar.vacuity.observable) {
        ar.vacuity.witness = "built-in default kernel's witness: " + ar.vacuity.witness;
      } else {
        const Vacuity own = find_witness(ar.spec, runs[0], o, m, witness);
        if (own.observable) ar.vacuity.witness = "the " + o.default_kernel + " itself: " + own.witness;
        else ar.vacuity.witness = "built-in default kernel: " + ar.vacuity.witness + "; nor did any output of the " +
                                  o.default_kernel;
        ar.vacuity.observable = own.observable;
      }
    } else {
      ar.vacuity = find_witness(ar.spec, runs[0], o, m, witness);
    }
    for (int v = 0; v < 2; ++v) {
      VariantAxisResult& vr = ar.variant[v];
      bool all_same = true;
      for (size_t i = 1; i < ar.spec.configs.size(); ++i) {
        vr.pairs.push_back(compare_runs(runs[v][kUser][0], runs[v][kUser][i], o.reference ? &ref : nullptr, m, bf16));
        const bool w_same = first_difference(runs[v][kWitness][0], runs[v][kWitness][i]) == static_cast<size_t>(-1);
        vr.witness_identical.push_back(w_same);
        all_same = all_same && w_same && vr.pairs.back().rows_identical == vr.pairs.back().rows;
        rows_total[v] += vr.pairs.back().rows;
        rows_same[v] += vr.pairs.back().rows_identical;
      }
      vr.worst_spread = std::max(spread(runs[v][kUser], bf16), spread(runs[v][kWitness], bf16));
      res.summary.worst_spread[v] = std::max(res.summary.worst_spread[v], vr.worst_spread);
      // Observed before the bf16 rounding: the default kernel's pre-rounding
      // values vary (that is the witness); the invariant kernel's must not.
      if (ar.vacuity.pre_rounding)
        all_same = all_same && v == static_cast<int>(Variant::invariant) &&
                   pre_rounding_difference(ar.spec, witness, Variant::invariant).config == 0;
      vr.verdict = !ar.vacuity.observable ? "not observable" : all_same ? "invariant" : "varies";
      // A replacement kernel under repeats / fresh: no built-in CPU kernel varies
      // run to run, so there is no witness; bitwise-identical runs are reported
      // as "repeatable" (evidence, not a proof), different runs as "varies".
      if (v == 0 && default_kernel_replaced() && !ar.vacuity.observable &&
          (kind == AxisKind::repeats || kind == AxisKind::fresh))
        vr.verdict = all_same ? "repeatable" : "varies";
    }
    res.axes.push_back(std::move(ar));
  }
  for (int v = 0; v < 2; ++v)
    res.summary.identical_fraction[v] = rows_total[v] ? double(rows_same[v]) / double(rows_total[v]) : 1.0;

  // Repeated runs of the baseline (distinct outputs) and the cost of invariance.
  res.summary.repeats = std::max<size_t>(o.axis.repeats, 2);
  std::vector<double> times[2];
  std::vector<Outputs> repeated[2];
  for (size_t r = 0; r < std::max(res.summary.repeats, o.timing_repeats); ++r)
    for (Variant v : {Variant::standard, Variant::invariant}) {
      const auto t0 = std::chrono::steady_clock::now();
      Outputs out = run_config(user, v, base_config(o.axis.device));
      times[static_cast<int>(v)].push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      if (r < res.summary.repeats) repeated[static_cast<int>(v)].push_back(std::move(out));
    }
  for (int v = 0; v < 2; ++v) {
    res.summary.distinct_outputs[v] = distinct_rows(repeated[v], m);
    if (o.reference) res.reference_ulp[v] = compare_runs(repeated[v][0], ref, &ref, m, bf16).ref_ulp_a;
  }
  res.timing = {median_ms(times[0]), median_ms(times[1]), times[0].size()};
  if (o.axis.device == Device::cuda) {  // GPU: kernel time only (CUDA events), inputs already on the device
    const CudaTiming t = cuda_time_variants(user, base_config(Device::cuda), o.timing_repeats);
    res.timing = {t.default_ms, t.invariant_ms, t.repeats};
  }
  return res;
}

}  // namespace plumb::harness::repro
