"""The report's "GEMM" section: accuracy (verdicts of suite `gemm`, their
`metrics`) against speed (rows of `plumb bench --gemm`), per machine: the
accuracy-vs-speed Pareto front of quantised GEMM, the throughput table next to
cuBLAS bf16 measured in the same run, and issue 6's throughput targets for
plumb's own block-scaled GEMM (>= 60% of cuBLAS bf16 at M=N=K=8192, >= 2x on
the decode shapes M <= 16, N = K >= 4096).

Verdicts and benchmarks are matched by machine, kernel and variant; a verdict's
variant is the first word of its label (suite `gemm` labels its cells
"<variant> <M>x<N>x<K> ...", the variant named as in the bench rows).
"""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from markupsafe import Markup  # noqa: E402

from plumb_report.plots import svg_of  # noqa: E402

PLUMB_BLOCK_PREFIX = "cuda_block_gemm"  # plumb's own Hopper block-scaled GEMM kernels
BLOCK_VARIANTS = ("mxfp8_e4m3", "mxfp4", "nvfp4", "nvint4")


def _num(x):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x) if math.isfinite(x) else None


def variant_of(verdict):
    """The bench row's variant name for a verdict of suite `gemm`: the label's first
    word, except fp8 cells ("fp8 e4m3fn x e5m2 ..." -> fp8_e4m3xe5m2;
    "fp8_blockwise e4m3fn x e4m3fn ..." -> fp8_blockwise_e4m3)."""
    words = str(verdict.get("label") or "?").split(" ")
    if words[0] in ("fp8", "fp8_blockwise") and len(words) >= 4 and words[2] == "x":
        a, b = (w.replace("e4m3fn", "e4m3") for w in (words[1], words[3]))
        if words[0] == "fp8":
            return "fp8_%sx%s" % (a, b)
        return "fp8_blockwise_" + (a if a == b else "%sx%s" % (a, b))
    return words[0]


def accuracy(verdicts):
    """(kernel, variant) -> {max_rel, mean_rel, max_bound, cells, failed}."""
    acc = {}
    for v in verdicts:
        if v.get("expected_failure") or v.get("disposition") not in ("passed", "incorrect"):
            continue
        a = acc.setdefault((str(v.get("kernel")), variant_of(v)),
                           {"max_rel": None, "mean_rel": [], "max_bound": None, "cells": 0, "failed": 0})
        a["cells"] += 1
        a["failed"] += v.get("disposition") == "incorrect"
        m = v.get("metrics") or {}
        for field, key in (("max_rel", "max_rel_error"), ("max_bound", "max_bound_fraction")):
            x = _num(m.get(key))
            if x is not None:
                a[field] = x if a[field] is None else max(a[field], x)
        if _num(m.get("mean_rel_error")) is not None:
            a["mean_rel"].append(_num(m.get("mean_rel_error")))
    for a in acc.values():
        a["mean_rel"] = sum(a["mean_rel"]) / len(a["mean_rel"]) if a["mean_rel"] else None
    return acc


def _shape(b):
    m, n, k = (b.get(x) for x in ("m", "n", "k"))
    return (m, n, k) if all(isinstance(x, int) for x in (m, n, k)) else None


def speed(bench):
    """(kernel, variant) -> {square: {d: (tflops, x)}, decode: {(m, nk): (tflops, x)}, device}."""
    out = {}
    for b in bench:
        s, fps = _shape(b), _num(b.get("flops_per_second"))
        if s is None or fps is None:
            continue
        e = out.setdefault((str(b.get("kernel")), str(b.get("variant"))),
                           {"square": {}, "decode": {}, "device": b.get("device", "?")})
        point = (fps / 1e12, _num(b.get("x_ceiling")))
        m, n, k = s
        if m == n == k:
            e["square"][m] = point
        elif n == k:
            e["decode"][(m, n)] = point
    return out


def best_square(e):
    """The largest square shape timed, and its (tflops, x)."""
    if not e["square"]:
        return None, (None, None)
    d = max(e["square"])
    return d, e["square"][d]


def pareto(points):
    """Indices of the points no other point beats in both speed (higher) and error (lower)."""
    front = []
    for i, p in enumerate(points):
        dominated = any(q["tflops"] >= p["tflops"] and q["err"] <= p["err"] and
                        (q["tflops"] > p["tflops"] or q["err"] < p["err"]) for q in points)
        if not dominated:
            front.append(i)
    return sorted(front, key=lambda i: points[i]["tflops"])


def scatter(points, salt):
    fig, ax = plt.subplots(figsize=(9, 5))
    for p in points:
        ax.scatter(p["tflops"], p["err"], s=28)
        ax.annotate("%s/%s" % (p["kernel"], p["variant"]), (p["tflops"], p["err"]), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    front = pareto(points)
    if len(front) > 1:
        ax.plot([points[i]["tflops"] for i in front], [points[i]["err"] for i in front], "k--", lw=1,
                label="Pareto front")
        ax.legend(loc="best", fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("TFLOP/s (largest M = N = K timed)")
    ax.set_ylabel("max relative error vs the exact product")
    ax.grid(True, which="both", alpha=0.3)
    return svg_of(fig, salt)


def table_rows(spd, acc):
    rows = []
    for (kernel, variant), e in sorted(spd.items()):
        d, (tf, x) = best_square(e)
        dec = [(m, nk, p) for (m, nk), p in sorted(e["decode"].items())]
        a = acc.get((kernel, variant), {})
        rows.append({"kernel": kernel, "variant": variant, "device": e["device"], "square": d, "tflops": tf, "x": x,
                     "decode": ", ".join("%dx%d: %s" % (m, nk, "%.2f×" % p[1] if p[1] is not None else "—")
                                         for m, nk, p in dec if p[1] is not None and m <= 16),
                     "max_rel": a.get("max_rel"), "mean_rel": a.get("mean_rel"), "max_bound": a.get("max_bound")})
    return rows


def target_rows(spd):
    """Issue 6's targets for plumb's own block GEMM, one row per kernel and variant."""
    rows = []
    for (kernel, variant), e in sorted(spd.items()):
        if not kernel.startswith(PLUMB_BLOCK_PREFIX):
            continue
        big = e["square"].get(8192)
        rows.append({"kernel": kernel, "variant": variant, "target": ">= 0.60× cuBLAS bf16 at 8192³",
                     "got": "%.2f×" % big[1] if big and big[1] is not None else "not timed",
                     "css": "skip" if not big or big[1] is None else ("pass" if big[1] >= 0.6 else "fail")})
        dec = {k: p for k, p in e["decode"].items() if k[0] <= 16 and k[1] >= 4096 and p[1] is not None}
        worst = min(dec.items(), key=lambda kv: kv[1][1]) if dec else None
        rows.append({"kernel": kernel, "variant": variant, "target": ">= 2× cuBLAS bf16 at every decode shape "
                     "(M <= 16, N = K >= 4096)",
                     "got": ("worst %.2f× (M=%d, N=K=%d) over %d shapes" % (worst[1][1], worst[0][0], worst[0][1],
                                                                        len(dec))) if worst else "not timed",
                     "css": "skip" if not worst else ("pass" if worst[1][1] >= 2 else "fail")})
    return rows


def gemm_sections(merged, first_figure_number=1):
    """[{machine, files, rows, targets, not_supported, scatter, missing}] per machine with GEMM data."""
    out, number = [], first_figure_number
    for machine in merged.machines:
        bench = [b for b in merged.benchmarks if b["_machine"] == machine and b.get("op") == "gemm"]
        verdicts = [v for v in merged.verdicts if v["_machine"] == machine and v.get("suite") == "gemm"]
        not_supported = []
        for r in merged.runs:
            if r["machine_label"] != machine:
                continue
            for n in r["data"].get("benchmarks_not_run") or []:
                if str(n.get("name", "")).startswith("gemm/"):
                    not_supported.append({"name": n.get("name"), "reason": n.get("reason", "")})
        if not bench and not verdicts:
            continue
        files = sorted({x["_file"] for x in bench + verdicts})
        acc, spd = accuracy(verdicts), speed(bench)
        points = []
        for (kernel, variant), e in spd.items():
            _, (tf, _) = best_square(e)
            err = acc.get((kernel, variant), {}).get("max_rel")
            if tf and err:
                points.append({"kernel": kernel, "variant": variant, "tflops": tf, "err": err})
        sec = {"machine": machine, "files": files, "rows": table_rows(spd, acc), "targets": target_rows(spd),
               "not_supported": not_supported, "scatter": None, "missing": []}
        if not bench:
            sec["missing"].append(Markup("no GEMM benchmark rows (run <code>plumb bench --gemm --json FILE</code>)"))
        if not verdicts:
            sec["missing"].append(Markup("no GEMM verdicts (run <code>plumb verify --suite gemm --json FILE</code>)"))
        if len(points) >= 1:
            sec["scatter"] = {"svg": Markup(scatter(points, "plumb-gemm-%s" % machine)), "number": number,
                              "front": [points[i]["kernel"] + "/" + points[i]["variant"] for i in pareto(points)]}
            number += 1
        out.append(sec)
    return out
