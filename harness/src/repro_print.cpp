// plumb repro: text report (repro_print.hpp).
#include "repro_print.hpp"

namespace plumb::harness::repro {

std::string ulp_text(uint64_t ulp) { return ulp == kNanUlp ? "nan" : std::to_string(ulp); }

namespace {

std::string ref_text(const ReproResult& r, const PairStats& p) {
  if (!r.have_reference) return "-";
  return ulp_text(p.ref_ulp_a) + "/" + ulp_text(p.ref_ulp_b);
}

// The default variant's worst pair, row by row (the first rows that differ).
void print_worst_rows(const AxisResult& a, std::FILE* out) {
  const auto& pairs = a.variant[0].pairs;
  size_t worst = pairs.size();
  for (size_t i = 0; i < pairs.size(); ++i)
    if (pairs[i].rows_identical < pairs[i].rows && (worst == pairs.size() || pairs[i].max_ulp > pairs[worst].max_ulp))
      worst = i;
  if (worst == pairs.size()) return;
  const PairStats& p = pairs[worst];
  std::fprintf(out, "  rows that differ, default, %s vs %s (rN=max ULP):", a.spec.labels[0].c_str(),
               a.spec.labels[worst + 1].c_str());
  size_t shown = 0;
  for (size_t r = 0; r < p.rows && shown < 12; ++r)
    if (!p.row_identical[r]) std::fprintf(out, " r%zu=%s", r, ulp_text(p.row_max_ulp[r]).c_str()), ++shown;
  std::fprintf(out, "%s\n", p.rows - p.rows_identical > shown ? " ..." : "");
}

void print_axis(const ReproResult& r, const AxisResult& a, std::FILE* out) {
  std::fprintf(out, "\naxis %s%s: %s\n", a.spec.name.c_str(), a.spec.simulated ? " (simulated)" : "",
               a.spec.varies.c_str());
  if (!a.note.empty()) std::fprintf(out, "  note: %s\n", a.note.c_str());
  std::fprintf(out, "  vacuity: %s; %s\n", !a.vacuity.observable        ? "NOT OBSERVABLE"
               : a.vacuity.pre_rounding ? "observable (fp32 before the bf16 rounding)"
                                        : "observable",
               a.vacuity.witness.c_str());
  std::fprintf(out, "  %-30s | %-36s | %-36s\n", "", "default", "invariant");
  std::fprintf(out, "  %-30s | %7s %7s %9s %10s | %7s %7s %9s %10s\n", "configuration pair", "same", "maxULP",
               "max rel", "refULP a/b", "same", "maxULP", "max rel", "refULP a/b");
  for (size_t i = 0; i < a.variant[0].pairs.size(); ++i) {
    const std::string pair = a.spec.labels[0] + " vs " + a.spec.labels[i + 1];
    std::fprintf(out, "  %-30s", pair.c_str());
    for (int v = 0; v < 2; ++v) {
      const PairStats& p = a.variant[v].pairs[i];
      std::fprintf(out, " | %6.1f%% %7s %9.2e %10s", 100.0 * p.identical_fraction(), ulp_text(p.max_ulp).c_str(),
                   p.max_rel, ref_text(r, p).c_str());
    }
    std::fprintf(out, "\n");
  }
  print_worst_rows(a, out);
  std::fprintf(out, "  verdict: default %s (worst spread %s ULP); invariant %s (worst spread %s ULP)\n",
               a.variant[0].verdict.c_str(), ulp_text(a.variant[0].worst_spread).c_str(),
               a.variant[1].verdict.c_str(), ulp_text(a.variant[1].worst_spread).c_str());
}

}  // namespace

void print_repro(const ReproResult& r, std::FILE* out) {
  const ReproOptions& o = r.options;
  std::fprintf(out, "plumb repro: %s %s, %zu rows x %zu cols", op_name(o.op), dtype_name(o.dtype), o.shape.rows,
               o.shape.cols);
  if (o.op == Op::gemm) std::fprintf(out, ", n %zu", o.shape.n);
  if (o.op == Op::attention) std::fprintf(out, ", kv %zu", o.shape.kv);
  std::fprintf(out, ", seed %llu, input %s (witness: %s), device %s\n", static_cast<unsigned long long>(o.seed),
               input_kind_name(o.input), input_description(o.op, InputKind::wide).c_str(), device_name(o.axis.device));
  if (!o.default_kernel.empty())
    std::fprintf(out, "default: %s; invariant: plumb's built-in invariant kernel\n", o.default_kernel.c_str());
  std::fprintf(out, "same: rows bitwise identical; refULP a/b: max ULP of each side against the %s reference\n",
               r.have_reference ? "correctly rounded" : "(not computed)");
  for (const AxisResult& a : r.axes) print_axis(r, a, out);
  std::fprintf(out, "\nsummary            %12s %12s\n", "default", "invariant");
  std::fprintf(out, "  rows identical   %11.1f%% %11.1f%%\n", 100 * r.summary.identical_fraction[0],
               100 * r.summary.identical_fraction[1]);
  std::fprintf(out, "  distinct outputs %12zu %12zu   (max over rows, %zu repeated runs)\n",
               r.summary.distinct_outputs[0], r.summary.distinct_outputs[1], r.summary.repeats);
  std::fprintf(out, "  worst ULP spread %12s %12s\n", ulp_text(r.summary.worst_spread[0]).c_str(),
               ulp_text(r.summary.worst_spread[1]).c_str());
  if (r.have_reference)
    std::fprintf(out, "  max ULP vs ref   %12s %12s   (baseline configuration)\n",
                 ulp_text(r.reference_ulp[0]).c_str(), ulp_text(r.reference_ulp[1]).c_str());
  std::fprintf(out, "  time (median)    %9.3f ms %9.3f ms   invariant / default = %.2fx (all rows, %s, %zu runs)\n",
               r.timing.default_ms, r.timing.invariant_ms,
               r.timing.default_ms > 0 ? r.timing.invariant_ms / r.timing.default_ms : 0.0,
               o.axis.device == Device::cuda ? "one stream, kernel time" : "1 thread", r.timing.repeats);
}

}  // namespace plumb::harness::repro
