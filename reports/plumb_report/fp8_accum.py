"""The report's "fp8 accumulation" section, from the `fp8_accumulation`
section of result files written by `plumb fp8-accum` (docs/RESULT_SCHEMA.md,
FP8_ACCUMULATION; docs/GEMM_SEMANTICS.md, "fp8 accumulation").

One entry per result file with the section: a figure (mean |error| / sum|ab|
against K, log-log, one panel per input distribution: every measured GPU
series, the fp32 bound gamma_K, the fitted model of each fit and the fp32
sequential model), the fits, a sentence stating the fitted precision of fast
accumulation against the published "about 14 bits", and a table of the GPU
points. The best model of a fit is taken again here as the lowest recorded
score, not from the recorded order.
"""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from markupsafe import Markup  # noqa: E402

from plumb_report.plots import svg_of  # noqa: E402

FAST = "cublaslt_fp8_fast_accum"
CLAIM_BITS = 14  # DeepSeek-V3 technical report, section 3.3.2: "around 14 bits"
DIST_TITLES = {"positive_uniform": "all-positive U(0,1) operands (error / |exact|)",
               "gaussian": "N(0,1) operands (error / sum|ab|)"}
COLOURS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")
# Shown when nothing was fitted (no GPU): the claim's neighbourhood and fp32.
FALLBACK_MODELS = ("model_p14_toward_zero", "model_p14_nearest_even")


def _num(x):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def fmt(x):
    x = _num(x)
    return "—" if x is None else "%.3g" % x


def _series_by_name(section):
    return {str(s.get("name")): s for s in section.get("series") or [] if isinstance(s, dict)}


def _curve(series, distribution, key="mean_scaled_error"):
    pts = [(p.get("k"), _num(p.get(key))) for p in series.get("points") or []
           if isinstance(p, dict) and p.get("distribution") == distribution]
    pts = [(k, v) for k, v in pts if isinstance(k, int) and v is not None and v > 0]
    return sorted(pts)


def best_of(fit, group=None):
    """The candidate with the lowest finite score (of the given group), or None."""
    cands = [c for c in fit.get("ranking") or [] if isinstance(c, dict) and _num(c.get("score")) is not None
             and (group is None or c.get("group", 1) == group)]
    return min(cands, key=lambda c: _num(c["score"])) if cands else None


def distribution_fits(section, target):
    """{distribution: (score, model series)}: the fit's metric restricted to one
    input distribution, computed here from the recorded sample means, among the
    models with the target's promotion (any group)."""
    series = _series_by_name(section)
    t = series.get(target)
    if not t or t.get("status") != "ok":
        return {}
    floor = 2.0 ** -40
    out = {}
    for dist in [str(d.get("name")) for d in section.get("distributions") or [] if isinstance(d, dict)]:
        measured = dict(_curve_all(t, dist))
        if not measured:
            continue
        best = None
        for m in series.values():
            if m.get("kind") != "model" or m.get("status") != "ok" or m.get("promote_every") != t.get("promote_every"):
                continue
            model = dict(_curve_all(m, dist))
            if any(k not in model for k in measured):
                continue
            sq = [math.log2((model[k] + floor) / (measured[k] + floor)) ** 2 for k in measured]
            score = math.sqrt(sum(sq) / len(sq))
            if best is None or score < best[0]:
                best = (score, m)
        if best:
            out[dist] = best
    return out


def _curve_all(series, distribution, key="sample_mean_scaled_error"):
    """(k, value) with zeros kept (the fit's floor handles them)."""
    return [(p.get("k"), _num(p.get(key))) for p in series.get("points") or []
            if isinstance(p, dict) and p.get("distribution") == distribution and _num(p.get(key)) is not None]


def fit_rows(section):
    rows = []
    for f in section.get("fits") or []:
        if not isinstance(f, dict):
            continue
        best = best_of(f) if f.get("evaluated") else None
        ranked = sorted((c for c in f.get("ranking") or [] if isinstance(c, dict) and _num(c.get("score")) is not None),
                        key=lambda c: _num(c["score"]))
        rows.append({"target": str(f.get("target", "?")), "promote_every": f.get("promote_every", "?"),
                     "evaluated": best is not None, "reason": str(f.get("reason", "")),
                     "model": str(best.get("model", "?")) if best else "",
                     "bits": best.get("precision_bits", "?") if best else "",
                     "rounding": str(best.get("rounding", "?")) if best else "",
                     "group": best.get("group", 1) if best else "",
                     "score": fmt(best.get("score")) if best else "—",
                     "agreement": "%.1f%%" % (100 * _num(best.get("agreement"))) if best and _num(best.get("agreement")) is not None else "—",
                     "next": ", ".join("%s (%s)" % (c.get("model"), fmt(c.get("score"))) for c in ranked[1:4])})
    return rows


def claim_sentence(section, machine):
    """(text, css) stating the fitted precision of fast accumulation."""
    fit = next((f for f in section.get("fits") or [] if isinstance(f, dict) and f.get("target") == FAST), None)
    evaluated = bool(fit and fit.get("evaluated"))
    # The headline is the sequential model (one product per rounded addition)
    # where it was run; the best per fused-adder group follows.
    best = (best_of(fit, 1) or best_of(fit)) if evaluated else None
    if best is None:
        why = (fit or {}).get("reason") or "the file has no fit of %s" % FAST
        return ("Not fitted: %s. The published finding (about %d bits kept by Hopper's fp8 fast accumulation) is "
                "neither confirmed nor refuted by this file." % (why, CLAIM_BITS), "skip")
    bits = best.get("precision_bits")
    group = best.get("group", 1)
    grouping = "one product per rounded addition" if group in (1, None) else "%s products summed exactly per rounded addition" % group
    per_dist = distribution_fits(section, FAST)
    per_text = "; ".join("%s: %s bits %s%s (score %s)" % (
        d, m.get("precision_bits"), str(m.get("rounding", "?")).replace("_", " "),
        "" if m.get("group", 1) in (1, None) else ", groups of %s" % m.get("group"), fmt(sc))
        for d, (sc, m) in per_dist.items())
    # The verdict: every distribution's own best within one bit of the claim
    # where the file allows that, else the combined fit.
    decided = [m.get("precision_bits") for _, m in per_dist.values()] or [bits]
    agrees = all(isinstance(b, int) and abs(b - CLAIM_BITS) <= 1 for b in decided)
    groups = sorted({c.get("group") for c in fit.get("ranking") or [] if isinstance(c, dict)
                     and isinstance(c.get("group"), int) and c.get("group") != group})
    others = [(g, best_of(fit, g)) for g in groups]
    other_text = "; ".join("%s bits %s with groups of %d (score %s)" % (b.get("precision_bits"),
                           str(b.get("rounding", "?")).replace("_", " "), g, fmt(b.get("score")))
                           for g, b in others if b)
    agreement = _num(best.get("agreement"))
    text = ("On %s, fitted on all input distributions together, cuBLASLt fp8 GEMM with fast accumulation is best "
            "predicted by an accumulator of %s significant bits with %s (%s; fit score %s, %s of the sampled outputs "
            "equal bit for bit)." % (machine, bits, str(best.get("rounding", "?")).replace("_", " "), grouping,
                                      fmt(best.get("score")), "%.1f%%" % (100 * agreement) if agreement is not None else "—"))
    if other_text:
        text += " Fused-adder models: %s." % other_text
    if per_text:
        text += " Fitted on each input distribution alone (the same metric, computed here): %s." % per_text
    text += " Published: about %d bits; %s%s." % (
        CLAIM_BITS, "consistent (within one bit)" if agrees else "not consistent (more than one bit away)",
        " on every input distribution's own fit" if per_dist else "")
    return text, "pass" if agrees else "fail"


def figure(section, salt):
    series = _series_by_name(section)
    dists = [str(d.get("name")) for d in section.get("distributions") or [] if isinstance(d, dict)]
    if not series or not dists:
        return None
    gpu = [s for s in series.values() if s.get("kind") == "gpu" and s.get("status") == "ok"]
    fitted = []
    for f in section.get("fits") or []:
        best = (best_of(f, 1) or best_of(f)) if isinstance(f, dict) and f.get("evaluated") else None
        if best and str(best.get("model")) in series and str(best.get("model")) not in fitted:
            fitted.append(str(best.get("model")))
    if not fitted:
        fitted = [m for m in FALLBACK_MODELS if m in series]
    k_values = [k for k in section.get("k_values") or [] if isinstance(k, int)]
    gamma = (section.get("bound") or {}).get("gamma") or []
    per_dist = distribution_fits(section, FAST)
    fig, axes = plt.subplots(1, len(dists), figsize=(5.5 * len(dists), 4.2), squeeze=False)
    for ax, dist in zip(axes[0], dists):
        for i, s in enumerate(gpu):
            pts = _curve(s, dist)
            if pts:
                ax.plot([k for k, _ in pts], [v for _, v in pts], "-o", color=COLOURS[i % len(COLOURS)],
                        markersize=4, label="%s (measured)" % s.get("name"))
        for i, name in enumerate(fitted):
            pts = _curve(series[name], dist)
            if pts:
                ax.plot([k for k, _ in pts], [v for _, v in pts], ":", color=COLOURS[(len(gpu) + i) % len(COLOURS)],
                        linewidth=2, label="%s (model)" % name[len("model_"):])
        if dist in per_dist:
            name = str(per_dist[dist][1].get("name"))
            pts = _curve(per_dist[dist][1], dist)
            if pts:
                ax.plot([k for k, _ in pts], [v for _, v in pts], "-.", color="#ff7f0e", linewidth=2,
                        label="%s (model fitted to fast accum. here)" % name[len("model_"):])
        ref = series.get("model_p24_nearest_even")
        if ref:
            pts = _curve(ref, dist)
            if pts:
                ax.plot([k for k, _ in pts], [v for _, v in pts], "-", color="#7f7f7f", linewidth=1,
                        label="fp32 sequential (model p24)")
        bound = [(k, _num(g)) for k, g in zip(k_values, gamma) if _num(g)]
        if bound:
            ax.plot([k for k, _ in bound], [g for _, g in bound], "--", color="black", linewidth=1,
                    label="gamma_K bound (fp32)")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("K")
        ax.set_ylabel("mean |got − exact| / sum|ab|")
        ax.set_title(DIST_TITLES.get(dist, dist), fontsize=9)
        ax.legend(fontsize=6)
    fig.tight_layout()
    return svg_of(fig, salt)


def gpu_rows(section):
    rows = []
    for s in section.get("series") or []:
        if not isinstance(s, dict) or s.get("kind") != "gpu":
            continue
        if s.get("status") != "ok":
            rows.append({"name": str(s.get("name", "?")), "status": str(s.get("status", "?")),
                         "message": str(s.get("message", "")), "points": []})
            continue
        pts = [{"distribution": str(p.get("distribution", "?")), "k": p.get("k", "?"),
                "mean_rel": fmt(p.get("mean_rel_error")), "max_rel": fmt(p.get("max_rel_error")),
                "mean_scaled": fmt(p.get("mean_scaled_error")),
                "mean_bound": fmt(p.get("mean_bound_fraction")), "max_bound": fmt(p.get("max_bound_fraction"))}
               for p in s.get("points") or [] if isinstance(p, dict)]
        rows.append({"name": str(s.get("name")), "status": "ok", "message": "", "points": pts})
    return rows


def fp8_accum_sections(merged, first_figure_number=1):
    """[{file, machine, seed, m, n, k_values, promote_every, claim, claim_css, fits, gpu, svg, figure_number}]."""
    out, number = [], first_figure_number
    for index, run in enumerate(merged.runs):
        section = run["data"].get("fp8_accumulation")
        if not isinstance(section, dict):
            continue
        svg = figure(section, "plumb-fp8acc-%d" % index)
        claim, css = claim_sentence(section, run["machine_label"])
        ks = [k for k in section.get("k_values") or [] if isinstance(k, int)]
        out.append({
            "file": run["path"], "machine": run["machine_label"], "figure_number": number,
            "seed": section.get("seed", "?"), "m": section.get("m", "?"), "n": section.get("n", "?"),
            "k_range": "%d … %d" % (ks[0], ks[-1]) if ks else "?", "promote_every": section.get("promote_every", "?"),
            "compared": section.get("compared_outputs", "?"), "model_outputs": section.get("model_outputs", "?"),
            "metric": str(section.get("fit_metric", "")), "claim": claim, "claim_css": css,
            "fits": fit_rows(section), "gpu": gpu_rows(section),
            "svg": Markup(svg) if svg else None,
        })
        if svg:
            number += 1
    return out
