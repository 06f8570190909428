"""The "L-Mul" section's speed part: accuracy against speed per kernel.

x: elements (products) per second from the BENCH rows of `plumb bench --lmul`
(op `lmul`, fields lmul_op, mantissa_bits, carry); y: the mean relative error
of the same method (lmul_m<m>_<carry>) from an `lmul_claims` section of the
merged files (uniform-bit-pattern operands). Those numbers depend on the seed
and sample count only, so any file's section serves; the caption names it.
"""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from markupsafe import Markup  # noqa: E402

from plumb_report.plots import svg_of  # noqa: E402


def _num(x):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x) if math.isfinite(x) else None


def _claims(merged):
    """(file, {method name: mean relative error}) of the first lmul_claims section."""
    for run in merged.runs:
        section = run["data"].get("lmul_claims")
        if isinstance(section, dict):
            errors = {}
            for m in section.get("methods") or []:
                if isinstance(m, dict):
                    v = _num((m.get("uniform_bits") or {}).get("mean"))
                    if v is not None:
                        errors[str(m.get("name"))] = v
            return run["path"], errors
    return None, {}


def lmul_speed_sections(merged, first_figure_number=1):
    """[{machine, files, claims_file, rows, svg, figure_number, missing}]."""
    claims_file, errors = _claims(merged)
    out, number = [], first_figure_number
    for machine in merged.machines:
        bench = [b for b in merged.benchmarks if b["_machine"] == machine and b.get("op") == "lmul"
                 and b.get("kind") == "kernel"]
        if not bench:
            continue
        rows = []
        for b in sorted(bench, key=lambda b: str(b.get("name"))):
            method = "lmul_m%s_%s" % (b.get("mantissa_bits"), b.get("carry"))
            rows.append({"name": str(b.get("name")), "kernel": str(b.get("kernel")),
                         "op": str(b.get("lmul_op")), "method": method,
                         "eps": _num(b.get("elements_per_second")), "error": errors.get(method),
                         "transfers": bool(b.get("includes_transfers"))})
        points = [r for r in rows if r["eps"] is not None and r["error"] is not None]
        sec = {"machine": machine, "files": sorted({b["_file"] for b in bench}), "claims_file": claims_file,
               "rows": rows, "svg": None, "figure_number": None, "missing": None}
        if not errors:
            sec["missing"] = Markup("no L-Mul error data to put next to the speed (run <code>plumb lmul-claims</code> "
                                    "and pass its result file too)")
        elif points:
            fig, ax = plt.subplots(figsize=(8, 4))
            for op, marker in (("elementwise", "o"), ("gemm", "s")):
                sel = [r for r in points if r["op"] == op]
                ax.scatter([r["eps"] for r in sel], [r["error"] for r in sel], marker=marker, label=op)
                for r in sel:
                    ax.annotate("%s %s" % (r["kernel"], r["method"]), (r["eps"], r["error"]), fontsize=5)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("products/s")
            ax.set_ylabel("mean relative error (uniform bits)")
            ax.legend(fontsize=7)
            fig.tight_layout()
            sec["svg"] = Markup(svg_of(fig, "plumb-lmul-speed-%s" % machine))
            sec["figure_number"] = number
            number += 1
        for r in rows:
            r["eps_text"] = "—" if r["eps"] is None else "%.3g" % r["eps"]
            r["error_text"] = "—" if r["error"] is None else "%.3g" % r["error"]
        out.append(sec)
    return out
