"""The report's "Quantisation error" section, from the `quant_error` section of
result files written by `plumb quant-error` (docs/RESULT_SCHEMA.md, QUANT_ERROR).

One entry per result file that has the section: a figure (NMSE and max
relative error against bits per element, one panel per distribution), a
table of the numbers, and the published findings in words. The words are
built from the recorded values; whether a finding agrees is computed again
here from those values, and a disagreement with the recorded verdict is
shown rather than hidden.
"""
import math

from markupsafe import Markup

from plumb_report.quant_error_plots import quant_error_figure

DISTRIBUTION_ORDER = ("gaussian", "laplace", "student_t3")


def _number(x):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def sqnr_db(nmse):
    nmse = _number(nmse)
    return -10.0 * math.log10(nmse) if nmse is not None and nmse > 0 else None


def fmt_sci(x):
    x = _number(x)
    return "—" if x is None else "%.3g" % x


def variant_label(m):
    """`mxfp4` for a format under its own rule, `mxfp4 (rceil)` for the alternative."""
    fmt = str(m.get("format", "?"))
    return fmt if m.get("default_rule", True) else "%s (%s)" % (fmt, m.get("rule", "?"))


def measurements_of(section):
    """The usable measurements: records with a format, a distribution and numbers."""
    out = []
    for m in section.get("measurements") or []:
        if not isinstance(m, dict) or not m.get("format") or not m.get("distribution"):
            continue
        out.append(m)
    return out


def distributions_of(section, measurements):
    names = [str(d.get("name")) for d in section.get("distributions") or [] if isinstance(d, dict)]
    for m in measurements:
        if str(m["distribution"]) not in names:
            names.append(str(m["distribution"]))
    known = [d for d in DISTRIBUTION_ORDER if d in names]
    return known + sorted(d for d in names if d not in DISTRIBUTION_ORDER)


def table_rows(measurements, distributions):
    """One row per (format, rule), in the order measured; per distribution the
    NMSE, SQNR and max relative error without and with the Hadamard transform."""
    rows, order = {}, []
    for m in measurements:
        key = (str(m["format"]), str(m.get("rule", "")))
        if key not in rows:
            rows[key] = {"label": variant_label(m), "format": key[0], "rule": key[1],
                         "default_rule": bool(m.get("default_rule", True)),
                         "bits": _number(m.get("bits_per_element")),
                         "element": m.get("element", "?"), "scale": m.get("scale", "?"),
                         "block": m.get("block_size", "?"), "cells": {}}
            order.append(key)
        cell = rows[key]["cells"].setdefault(str(m["distribution"]), {})
        h = "with" if m.get("hadamard") else "without"
        if m.get("status", "ok") != "ok":
            cell[h] = {"nmse": "error", "sqnr": "—", "max_rel": "—",
                       "message": str(m.get("message", ""))}
        else:
            s = sqnr_db(m.get("nmse"))
            cell[h] = {"nmse": fmt_sci(m.get("nmse")), "sqnr": "—" if s is None else "%.1f" % s,
                       "max_rel": fmt_sci(m.get("max_rel_error")), "message": ""}
    empty = {"nmse": "—", "sqnr": "—", "max_rel": "—", "message": ""}
    out = []
    for key in order:
        row = rows[key]
        row["bits_text"] = "—" if row["bits"] is None else "%.4g" % row["bits"]
        row["by_dist"] = [(d, row["cells"].get(d, {}).get("without", empty),
                           row["cells"].get(d, {}).get("with", empty)) for d in distributions]
        out.append(row)
    return out


def finding_words(f):
    """A finding as {verdict, css, claim, source, sentence, comparisons, note}."""
    lower, higher = str(f.get("lower", "?")), str(f.get("higher", "?"))
    values = f.get("values") if isinstance(f.get("values"), dict) else {}
    comparisons, holds = [], []
    for dist in sorted(values, key=lambda d: (DISTRIBUTION_ORDER.index(d)
                                               if d in DISTRIBUTION_ORDER else 9, d)):
        v = values[dist] if isinstance(values[dist], dict) else {}
        lo, hi = _number(v.get(lower)), _number(v.get(higher))
        if lo is None or hi is None:
            continue
        ok = lo < hi
        holds.append(ok)
        comparisons.append("%s: %s %s %s %s %s" % (dist, lower, fmt_sci(lo), "<" if ok else "≥",
                                                   higher, fmt_sci(hi)))
    require_all = f.get("require_all", True)
    computed = (all(holds) if require_all else any(holds)) if holds else None
    recorded = f.get("agrees")
    if computed is None:
        verdict, css = "not evaluated", "skip"
    elif computed:
        verdict, css = "agrees", "pass"
    else:
        verdict, css = "disagrees", "fail"
    note = ""
    if computed is not None and isinstance(recorded, bool) and recorded != computed:
        note = ("The result file records agrees = %s, but its own values give %s."
                % (str(recorded).lower(), verdict))
    cond = "with the Hadamard transform" if f.get("hadamard") else "without the Hadamard transform"
    n_hold = sum(holds)
    if computed is None:
        sentence = "The formats it compares were not measured in this run."
    else:
        sentence = ("Measured %s (%s, each format under its own scale rule): %s's is lower on %d of %d "
                    "distributions; the claim is counted as holding when that is so %s, so plumb's "
                    "measurements %s with it."
                    % (str(f.get("metric", "nmse")).upper(), cond, lower, n_hold, len(holds),
                       f.get("holds_when", "on every distribution measured"),
                       "agree" if computed else "do not agree"))
    return {"verdict": verdict, "css": css, "claim": str(f.get("claim", "?")),
            "source": str(f.get("source", "?")), "sentence": sentence,
            "comparisons": comparisons, "note": note, "id": str(f.get("id", ""))}


def quant_error_sections(merged, first_figure_number=1):
    """[{file, machine, section fields, distributions, rows, findings, figure}]."""
    out = []
    number = first_figure_number
    for index, run in enumerate(merged.runs):
        section = run["data"].get("quant_error")
        if not isinstance(section, dict):
            continue
        ms = measurements_of(section)
        dists = distributions_of(section, ms)
        descriptions = {str(d.get("name")): str(d.get("description", ""))
                        for d in section.get("distributions") or [] if isinstance(d, dict)}
        svg = Markup(quant_error_figure(ms, dists, "plumb-quant-error-%d" % index)) if ms else None
        out.append({
            "file": run["path"], "machine": run["machine_label"], "figure_number": number,
            "seed": section.get("seed", "?"), "rows": section.get("rows", "?"),
            "cols": section.get("cols", "?"), "kernel": section.get("kernel", "?"),
            "rounding": section.get("rounding", "?"), "layout": section.get("layout", "?"),
            "floor": section.get("rel_error_floor", "?"),
            "distributions": [(d, descriptions.get(d, "")) for d in dists],
            "rows_table": table_rows(ms, dists),
            "findings": [finding_words(f) for f in section.get("findings") or []
                         if isinstance(f, dict)],
            "svg": svg, "errors": [m for m in ms if m.get("status", "ok") != "ok"],
        })
        if svg is not None:
            number += 1
    return out
