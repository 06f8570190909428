"""The report's "Softmax" section: accuracy (verdicts of suite `softmax`) next
to speed (BENCH rows of `plumb bench --softmax`), per machine, and the claim
"two-pass is faster than three-pass out of cache on CPU" (Dukhan & Ablavatski:
up to 28% with AVX-512, 18% with AVX2) computed from the bench rows.

Verdicts and benchmarks usually come from different files of one machine; they
are matched by machine and kernel name (and format), and every figure names
the files it drew from.
"""
import math
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from markupsafe import Markup  # noqa: E402

from plumb_report.plots import svg_of  # noqa: E402

ALGORITHMS = ("three_pass_recompute", "three_pass_reload", "two_pass", "online")
PAPER = {"avx512": "up to 28%", "avx2": "up to 18%"}
_REL = re.compile(r"max rel ([0-9.eE+-]+|inf|nan)")


def _num(x):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x) if math.isfinite(x) else None


def algorithm_of(kernel):
    for a in ALGORITHMS:
        if a in str(kernel):
            return a
    return None


def isa_of(kernel):
    for isa in ("avx512", "avx2", "scalar", "cuda"):
        if isa in str(kernel):
            return isa
    return "?"


def max_rel(v):
    m = _REL.search(str(v.get("message") or ""))
    return _num(float(m.group(1))) if m else None


def accuracy(verdicts):
    """(kernel, format) -> {max_ulp, max_rel, cells}; per-case max ULP per algorithm."""
    acc, cases = {}, {}
    for v in verdicts:
        if v.get("expected_failure") or v.get("disposition") not in ("passed", "incorrect"):
            continue
        key = (str(v.get("kernel")), str(v.get("to")))
        a = acc.setdefault(key, {"max_ulp": None, "max_rel": None, "cells": 0})
        a["cells"] += 1
        for field, value in (("max_ulp", _num(v.get("max_ulp"))), ("max_rel", max_rel(v))):
            if value is not None:
                a[field] = value if a[field] is None else max(a[field], value)
        alg, ulp = algorithm_of(v.get("kernel")), _num(v.get("max_ulp"))
        case = str(v.get("label") or "?").split(" ")[0]
        if alg and ulp is not None:
            cases.setdefault(case, {})[alg] = max(cases.get(case, {}).get(alg, 0), ulp)
    return acc, cases


def speed_points(bench, acc):
    """One point per (kernel, format, cache): the best elements/s over row lengths."""
    best = {}
    for b in bench:
        eps = _num(b.get("elements_per_second"))
        if eps is None:
            continue
        key = (str(b.get("kernel")), str(b.get("to", "fp32")), str(b.get("cache", "?")))
        best[key] = max(best.get(key, 0), eps)
    return [{"kernel": k, "format": f, "cache": c, "eps": e, **acc[(k, f)]}
            for (k, f, c), e in sorted(best.items()) if (k, f) in acc]


def claim_rows(bench):
    """Two-pass vs each three-pass variant, per (device, ISA, cache, format)."""
    rates = {}
    for b in bench:
        eps, alg = _num(b.get("elements_per_second")), algorithm_of(b.get("kernel"))
        if eps is None or alg is None or "safe" in str(b.get("kernel")):
            continue
        group = (str(b.get("device", "cpu")), isa_of(b.get("kernel")), str(b.get("cache", "?")),
                 str(b.get("to", "fp32")))
        rates.setdefault(group, {}).setdefault(alg, {})[b.get("cols")] = eps
    rows = []
    for (device, isa, cache, fmt), algs in sorted(rates.items()):
        for base in ("three_pass_recompute", "three_pass_reload"):
            two, three = algs.get("two_pass", {}), algs.get(base, {})
            cols = sorted((c for c in two if c in three), key=lambda c: (c is None, c or 0))
            if not cols:
                continue
            gains = [two[c] / three[c] - 1 for c in cols]
            claimed = device == "cpu" and cache == "out_of_cache"
            faster = all(g > 0 for g in gains)
            rows.append({
                "device": device, "isa": isa, "cache": cache, "format": fmt, "baseline": base,
                "per_cols": ", ".join("%s: %+.1f%%" % (c, 100 * g) for c, g in zip(cols, gains)),
                "best": "%+.1f%%" % (100 * max(gains)), "paper": PAPER.get(isa, "—") if claimed else "—",
                "verdict": ("faster at every length" if faster else "not faster at every length")
                if claimed else ("faster" if faster else "not faster") + " (no claim here)",
                "css": ("pass" if faster else "fail") if claimed else "skip"})
    return rows


def scatter(points, salt):
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, field, label in ((axes[0], "max_ulp", "max ULP (output format)"),
                             (axes[1], "max_rel", "max relative error")):
        for p in points:
            y = p[field]
            if y is None:
                continue
            ax.scatter(p["eps"], max(y, 1e-12 if field == "max_rel" else 0),
                       marker="o" if p["cache"] == "out_of_cache" else "^")
            ax.annotate("%s %s%s" % (p["kernel"], p["format"], "" if p["cache"] == "out_of_cache" else " (in cache)"),
                        (p["eps"], max(y, 1e-12 if field == "max_rel" else 0)), fontsize=5)
        ax.set_xscale("log")
        ax.set_yscale("symlog" if field == "max_ulp" else "log", **({"linthresh": 1} if field == "max_ulp" else {}))
        ax.set_xlabel("elements/s (best row length; o out of cache, ^ in cache)")
        ax.set_ylabel(label)
    fig.tight_layout()
    return svg_of(fig, salt)


def case_bars(cases, salt):
    names = sorted(cases)
    algs = [a for a in ALGORITHMS if any(a in cases[c] for c in names)]
    fig, ax = plt.subplots(figsize=(11, 3.5))
    width = 0.8 / max(len(algs), 1)
    for i, a in enumerate(algs):
        ax.bar([j + i * width for j in range(len(names))], [cases[c].get(a, 0) for c in names], width, label=a)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(names))], names, rotation=30, fontsize=7, ha="right")
    ax.set_yscale("symlog", linthresh=1)
    ax.set_ylabel("max ULP over kernels and formats")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return svg_of(fig, salt)


def _devices(runs, kinds):
    out = []
    for r in runs:
        m = r["data"].get("machine") or {}
        if "cpu" in kinds and m.get("cpu"):
            out.append(str(m["cpu"]))
        if "cuda" in kinds:
            out += [str(g.get("name")) for g in m.get("gpus") or [] if isinstance(g, dict)]
    return ", ".join(sorted(set(out))) or "?"


def softmax_sections(merged, first_figure_number=1):
    """[{machine, files, devices, points, claims, svg_scatter, svg_cases, numbers, missing}]."""
    out, number = [], first_figure_number
    for machine in merged.machines:
        bench = [b for b in merged.benchmarks if b["_machine"] == machine and b.get("kind") == "kernel"
                 and (b.get("op") == "softmax" or str(b.get("name", "")).startswith("softmax/"))]
        verdicts = [v for v in merged.verdicts if v["_machine"] == machine and v.get("suite") == "softmax"]
        if not bench and not verdicts:
            continue
        files = sorted({x["_file"] for x in bench + verdicts})
        runs = [r for r in merged.runs if r["path"] in files]
        acc, cases = accuracy(verdicts)
        points = speed_points(bench, acc)
        sec = {"machine": machine, "files": files, "claims": claim_rows(bench),
               "devices": _devices(runs, {b.get("device", "cpu") for b in bench} or {"cpu"}),
               "missing": [], "scatter": None, "cases": None}
        if not bench:
            sec["missing"].append(Markup("no softmax benchmark rows (run <code>plumb bench --softmax --json FILE</code>)"))
        if not verdicts:
            sec["missing"].append(Markup("no softmax verdicts (run <code>plumb verify --suite softmax --json FILE</code>)"))
        if points:
            sec["scatter"] = {"svg": Markup(scatter(points, "plumb-softmax-s-%s" % machine)), "number": number}
            number += 1
        elif bench and verdicts:
            sec["missing"].append(Markup("no kernel has both a benchmark row and a verdict (names differ)"))
        if cases:
            sec["cases"] = {"svg": Markup(case_bars(cases, "plumb-softmax-c-%s" % machine)), "number": number}
            number += 1
        out.append(sec)
    return out
