"""Turning merged results into one self-contained HTML file (Jinja2, autoescaped)."""
import math
import os

import jinja2
from markupsafe import Markup

from plumb_report.load import conversion_of, rate
from plumb_report.plots import error_figures
from plumb_report.quant_error import quant_error_sections
from plumb_report.lmul_claims import lmul_claims_sections
from plumb_report.lmul_speed import lmul_speed_sections
from plumb_report.fp8_accum import fp8_accum_sections
from plumb_report.softmax import softmax_sections
from plumb_report.gemm import gemm_sections
from plumb_report.repro import repro_sections

DISPOSITION_ORDER = ("passed", "incorrect", "kernel_error", "not_supported", "skipped")
KIND_ORDER = ("kernel", "peer", "ceiling")


def fmt_num(x, digits=4):
    """A number as short text; '—' for missing or not finite."""
    if x is None or isinstance(x, bool):
        return "—" if x is None else str(x)
    if isinstance(x, int):
        return str(x)
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(x):
        return "—"
    return "%.*g" % (digits, x)


def fmt_rate(x, unit):
    """1.23e9 -> '1.23 G' + unit."""
    if x is None:
        return "—"
    for scale, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return "%.3g %s%s" % (x / scale, prefix, unit)
    return "%.3g %s" % (x, unit)


def fmt_ratio(x):
    return "—" if x is None else "%.3g×" % x


def provenance(run):
    d = run["data"]
    m = d.get("machine") or {}
    p = d.get("plumb") or {}
    gpus = ["%s (sm %s, %s SMs, %s GiB)" % (g.get("name", "?"), g.get("sm", "?"),
                                            g.get("sms", "?"), fmt_num(g.get("memory_gib")))
            for g in (m.get("gpus") or []) if isinstance(g, dict)]
    commit = str(p.get("commit", "?")) + (" (dirty)" if p.get("dirty") else "")
    return {"path": run["path"], "machine": run["machine_label"], "rows": [
        ("commit", commit), ("plumb", "%s, %s, CUDA built: %s" % (
            p.get("version", "?"), p.get("build_type", "?"), p.get("cuda_built", "?"))),
        ("machine", m.get("host", "?")), ("CPU", "%s (%s cores)" % (m.get("cpu", "?"),
                                                                   m.get("cores", "?"))),
        ("OS", m.get("os", "?")), ("GPU", "; ".join(gpus) or "none"),
        ("driver", "%s (CUDA runtime %s)" % (m.get("driver") or "—",
                                             m.get("cuda_runtime") or "—")),
        ("seed", d.get("seed", "?")), ("command", d.get("command", "?")),
        ("created", d.get("created", "?"))]}


def summary(merged):
    disps = sorted({v.get("disposition") or "unknown" for v in merged.verdicts},
                   key=lambda d: (DISPOSITION_ORDER.index(d) if d in DISPOSITION_ORDER
                                  else len(DISPOSITION_ORDER), d))
    counts = {d: {m: 0 for m in merged.machines} for d in disps}
    for v in merged.verdicts:
        counts[v.get("disposition") or "unknown"][v["_machine"]] += 1
    # Planted kernels per machine: caught when any of their cells is incorrect.
    planted = {}
    for v in merged.verdicts:
        if v.get("expected_failure"):
            planted.setdefault((v["_machine"], str(v.get("kernel"))), []).append(v)
    failures, missed = [], []
    for v in merged.verdicts:
        if v["_failure"] and not v.get("expected_failure"):
            failures.append(v)
    for (machine, kernel), cells in sorted(planted.items()):
        if any(v["_failure"] for v in cells):
            missed.append({"machine": machine, "kernel": kernel, "cells": len(cells),
                           "files": sorted({v["_file"] for v in cells})})
    return {"dispositions": disps, "counts": counts,
            "totals": {d: sum(counts[d].values()) for d in disps},
            "failures": failures, "missed": missed,
            "planted": len(planted), "planted_missed": len(missed),
            "planted_caught": len(planted) - len(missed), "cells": len(merged.verdicts),
            "n_failures": len(failures) + len(missed)}


def _pick_ceiling(bench, ceilings):
    named = [c for c in ceilings if bench.get("ceiling") and c.get("name") == bench.get("ceiling")]
    if named:  # softmax / L-Mul rows name their own ceiling (docs/RESULT_SCHEMA.md)
        return named[0]
    same = [c for c in ceilings if c.get("device") == bench.get("device")]
    return same[0] if same else None


def _ratio(a, b):
    return a / b if a is not None and b else None


def bench_table(merged):
    """Rows (kind, name, device) with one cell per machine, side by side."""
    rows = {}
    for m in merged.machines:
        recs = sorted((b for b in merged.benchmarks if b["_machine"] == m),
                      key=lambda b: (str(b.get("name")), str(b.get("device"))))
        ceilings = [b for b in recs if b.get("kind") == "ceiling"]
        peers = [b for b in recs if b.get("kind") == "peer"]
        for b in recs:
            kind = str(b.get("kind", "kernel"))
            eps, bps = rate(b, "elements_per_second"), rate(b, "bytes_per_second")
            ceiling = _pick_ceiling(b, ceilings) if kind != "ceiling" else None
            x_ceiling = None
            if ceiling is not None:
                x_ceiling = _ratio(bps, rate(ceiling, "bytes_per_second"))
                if x_ceiling is None:
                    x_ceiling = _ratio(eps, rate(ceiling, "elements_per_second"))
            x_peers = []
            if kind == "kernel" and conversion_of(b):
                for p in peers:
                    if conversion_of(p) == conversion_of(b):
                        x_peers.append((str(p.get("name")), p.get("device", "?"),
                                        _ratio(eps, rate(p, "elements_per_second"))))
            key = (KIND_ORDER.index(kind) if kind in KIND_ORDER else 9, str(b.get("name")),
                   str(b.get("device", "")))
            row = rows.setdefault(key, {"kind": kind, "name": b.get("name"),
                                        "device": b.get("device", "?"), "cells": {}})
            row["cells"][m] = {
                "eps": fmt_rate(eps, "elem/s"), "bps": fmt_rate(bps, "B/s"),
                "median": fmt_num(b.get("seconds_median")), "threads": b.get("threads", 1),
                "x_ceiling": fmt_ratio(x_ceiling),
                "ceiling": ceiling.get("name") if ceiling is not None else None,
                "x_peers": [(n, d, fmt_ratio(r)) for n, d, r in x_peers],
                "file": b["_file"]}
    return [rows[k] for k in sorted(rows)]


def peer_rows(merged):
    rows = []
    for p in sorted(merged.peers, key=lambda p: (str(p.get("peer")), str(p.get("to")),
                                                 str(p.get("from")), p["_machine"])):
        cases, agree = p.get("cases"), p.get("agree")
        pct = 100.0 * agree / cases if isinstance(cases, int) and cases and \
            isinstance(agree, int) else None
        diffs = []
        for d in p.get("differences") or []:
            ex = dict(d.get("example") or {})
            command = ex.pop("command", None)
            diffs.append({"cls": d.get("class", "?"), "count": d.get("count", "?"),
                          "documented": d.get("documented", ""), "command": command,
                          "example": ", ".join("%s=%s" % (k, ex[k]) for k in sorted(ex))})
        rows.append({"rec": p, "pct": fmt_num(pct, 6), "diffs": diffs})
    return rows


def make_env():
    here = os.path.dirname(os.path.abspath(__file__))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(here, "templates")),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["num"] = fmt_num
    env.filters["ratio"] = fmt_ratio
    return env


_STATUS_RANK = {"fail": 0, "caught": 1, "pass": 2, "skip": 3}


def folded_verdicts(merged):
    """The verdict table, one row per (machine, suite, kernel, device, from,
    to): the rounding x overflow cells of a conversion folded together, as
    `plumb verify` prints them. A row's status is its worst cell's; the failing
    cells are named, and listed in full in the failures section."""
    rows, order = {}, []
    for v in merged.verdicts:
        key = (v["_machine"], v.get("suite"), v.get("kernel"), v.get("device"), v.get("from"), v.get("to"))
        row = rows.get(key)
        if row is None:
            row = rows[key] = {"machine": key[0], "suite": key[1], "kernel": key[2], "device": key[3],
                               "from": key[4], "to": key[5], "cells": 0, "cases": 0, "mismatches": 0,
                               "max_ulp": 0, "css": "skip", "status": None, "failing": [], "message": "",
                               "skipped": 0}
            order.append(key)
        row["cells"] += 1
        row["cases"] += v.get("cases") or 0
        row["mismatches"] += v.get("mismatches") or 0
        ulp = v.get("max_ulp")
        if ulp is None and (v.get("mismatches") or 0) > 0:
            row["max_ulp"] = None
        elif row["max_ulp"] is not None and isinstance(ulp, (int, float)):
            row["max_ulp"] = max(row["max_ulp"], ulp)
        css = v["_css"]
        if css == "skip":
            row["skipped"] += 1
        if css == "fail":
            mode = "%s/%s" % (v.get("rounding"), v.get("overflow"))
            if mode not in row["failing"]:
                row["failing"].append(mode)
        if row["status"] is None or _STATUS_RANK.get(css, 3) < _STATUS_RANK.get(row["css"], 3):
            row["css"], row["status"] = css, v["_status"]
        if v.get("message") and not row["message"]:
            row["message"] = v["message"]
    out = []
    for key in order:
        row = rows[key]
        if row["css"] == "pass" and row["skipped"]:
            row["status"] += " (%d skipped)" % row["skipped"]
        out.append(row)
    return out


def render(merged, title="plumb report"):
    """The report as one HTML string."""
    figures = error_figures(merged.curves)
    for f in figures:
        f["svg"] = Markup(f["svg"])  # matplotlib's own SVG, escaped by it
    quant = quant_error_sections(merged, len(figures) + 1)
    n = len(figures) + 1 + sum(q["svg"] is not None for q in quant)
    lmul = lmul_claims_sections(merged, n)
    n += sum(q["svg"] is not None for q in lmul)
    lmul_speed = lmul_speed_sections(merged, n)
    n += sum(q["svg"] is not None for q in lmul_speed)
    context = {
        "title": title, "files": merged.files, "machines": merged.machines,
        "runs": [provenance(r) for r in merged.runs], "summary": summary(merged),
        "verdicts": folded_verdicts(merged), "figures": figures, "bench": bench_table(merged),
        "bench_files": sorted({b["_file"] for b in merged.benchmarks}),
        "peers": peer_rows(merged),
        "quant_error": quant,
        "lmul_claims": lmul, "lmul_speed": lmul_speed,
    }
    context["softmax"] = softmax_sections(merged, n)
    n += sum((s["scatter"] is not None) + (s["cases"] is not None) for s in context["softmax"])
    context["gemm"] = gemm_sections(merged, n)
    gemm_figures = sum(s.get("scatter") is not None for s in context["gemm"])
    context["fp8_accum"] = fp8_accum_sections(merged, n + gemm_figures)
    context["repro"] = repro_sections(merged, n + gemm_figures + sum(q["svg"] is not None for q in context["fp8_accum"]))
    return make_env().get_template("report.html.j2").render(**context)


def write_report(merged, out_path, title="plumb report"):
    html = render(merged, title)
    out_dir = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(out_dir, exist_ok=True)
    with open(out_path, "w", encoding="utf-8", newline="\n") as f:
        f.write(html)
    return os.path.abspath(out_path)
