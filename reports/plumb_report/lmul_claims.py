"""The report's "L-Mul" section, from the `lmul_claims` section of result files
written by `plumb lmul-claims` (docs/RESULT_SCHEMA.md, LMUL_CLAIMS;
docs/LMUL_SEMANTICS.md).

One entry per result file with the section: the claims table (whether each
claim holds is computed again here from the recorded numbers by the recorded
rule, and a disagreement with the recorded verdict is shown), a figure (mean
relative error against mantissa bits; histograms of the relative error), the
per-method table and the GEMM errors.
"""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from markupsafe import Markup  # noqa: E402

from plumb_report.plots import svg_of  # noqa: E402

SOURCES = {"uniform_bits": "uniform over fp32 bit patterns in [2^-3, 2^4)",
           "gaussian": "N(0,1), products in e4m3fn's normal range",
           "expectation": "every pair of in-format mantissas (exact expectation)"}
HIST_METHODS = ("lmul_m3_int_add", "lmul_m4_int_add", "lmul_m4_paper", "e4m3fn", "e5m2")


def _num(x):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def fmt(x):
    x = _num(x)
    return "—" if x is None else "%.3g" % x


def claim_rows(section):
    rows = []
    for c in section.get("claims") or []:
        if not isinstance(c, dict):
            continue
        lmul, fp8 = _num(c.get("lmul")), _num(c.get("fp8"))
        computed = None
        if lmul is not None and fp8 is not None:
            computed = lmul <= 1.25 * fp8 if c.get("id") == "lmul4_vs_e4m3" else lmul < fp8
        recorded = c.get("holds")
        note = ""
        if computed is not None and isinstance(recorded, bool) and recorded != computed:
            note = "The file records holds = %s; its own numbers say %s." % (recorded, computed)
        rows.append({"claim": str(c.get("claim", "?")), "rule": str(c.get("rule", "")),
                     "carry": str(c.get("carry", "?")), "source": str(c.get("source", "?")),
                     "source_text": SOURCES.get(str(c.get("source")), ""),
                     "lmul": fmt(lmul), "fp8": fmt(fp8),
                     "ratio": fmt(lmul / fp8) if lmul is not None and fp8 else "—",
                     "verdict": "not measured" if computed is None else ("holds" if computed else "refuted"),
                     "css": "skip" if computed is None else ("pass" if computed else "fail"),
                     "note": note})
    return rows


def method_rows(section):
    rows = []
    for m in section.get("methods") or []:
        if not isinstance(m, dict):
            continue
        u, g = m.get("uniform_bits") or {}, m.get("gaussian") or {}
        rows.append({"name": str(m.get("name", "?")), "uni_mean": fmt(u.get("mean")),
                     "uni_max": fmt(u.get("max")), "gau_mean": fmt(g.get("mean")),
                     "gau_max": fmt(g.get("max")), "gau_in_mean": fmt(g.get("in_range_mean")),
                     "gau_in_max": fmt(g.get("in_range_max")), "expectation": fmt(m.get("expectation"))})
    return rows


def figure(section, salt):
    methods = {str(m.get("name")): m for m in section.get("methods") or [] if isinstance(m, dict)}
    if not methods:
        return None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    for carry, colour in (("paper", "#1f77b4"), ("int_add", "#d62728")):
        for source, style, label in (("uniform_bits", "-o", "uniform bits"), ("gaussian", "--s", "Gaussian")):
            xs, ys = [], []
            for m in range(2, 8):
                rec = methods.get("lmul_m%d_%s" % (m, carry))
                v = _num((rec or {}).get(source, {}).get("mean" if source == "uniform_bits" else "in_range_mean"))
                if v is not None:
                    xs.append(m)
                    ys.append(v)
            ax1.plot(xs, ys, style, color=colour, label="L-Mul %s, %s" % (carry, label), markersize=4)
    for name, colour in (("e4m3fn", "#2ca02c"), ("e5m2", "#9467bd")):
        v = _num((methods.get(name) or {}).get("uniform_bits", {}).get("mean"))
        if v is not None:
            ax1.axhline(v, color=colour, linestyle=":", label="%s multiply (uniform bits)" % name)
    ax1.set_yscale("log")
    ax1.set_xlabel("L-Mul mantissa bits m")
    ax1.set_ylabel("mean relative error")
    ax1.legend(fontsize=7)
    hist = section.get("histogram_log10") or {}
    low, step = _num(hist.get("low")), _num(hist.get("step"))
    for name in HIST_METHODS:
        counts = ((methods.get(name) or {}).get("gaussian") or {}).get("histogram") or []
        total = sum(c for c in counts if isinstance(c, int))
        if low is None or step is None or not total:
            continue
        xs = [low + (i + 0.5) * step for i in range(len(counts))]
        ax2.plot(xs, [c / total for c in counts], label=name)
    ax2.set_xlabel("log10(relative error), Gaussian operands, in range")
    ax2.set_ylabel("fraction of products")
    ax2.legend(fontsize=7)
    fig.tight_layout()
    return svg_of(fig, salt)


def lmul_claims_sections(merged, first_figure_number=1):
    """[{file, machine, seed, samples, claims, methods, gemm, svg, figure_number}]."""
    out, number = [], first_figure_number
    for index, run in enumerate(merged.runs):
        section = run["data"].get("lmul_claims")
        if not isinstance(section, dict):
            continue
        svg = figure(section, "plumb-lmul-%d" % index)
        gemm = section.get("gemm") or {}
        out.append({
            "file": run["path"], "machine": run["machine_label"], "figure_number": number,
            "seed": section.get("seed", "?"), "samples": section.get("samples", "?"),
            "claims": claim_rows(section), "methods": method_rows(section),
            "gemm_size": gemm.get("size", "?"),
            "gemm": [{"method": str(g.get("method", "?")), "operands": str(g.get("operands", "?")),
                      "kernel": str(g.get("kernel", "?")), "error": fmt(g.get("rel_frobenius")),
                      "status": str(g.get("status", "?")), "message": str(g.get("message", ""))}
                     for g in gemm.get("results") or [] if isinstance(g, dict)],
            "svg": Markup(svg) if svg else None,
        })
        if svg:
            number += 1
    return out
