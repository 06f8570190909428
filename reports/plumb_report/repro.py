"""The report's "Reproducibility" section, from the `repro` sections written
by `plumb repro --op OP` and the `repro_decode` sections written by `plumb
repro --op decode` (docs/RESULT_SCHEMA.md, REPRO and REPRO_DECODE;
docs/REPRO_SEMANTICS.md).

Ops: one table per machine, one row per (op run, axis): the verdict of the
default and of the batch-invariant kernel ("invariant" / "varies" / "not
observable"), where the axis was observed (outputs, or the fp32 value before
the bf16 rounding), the worst ULP spread, the rows bitwise identical over the
axis's pairs, and the invariance cost (invariant / default time, same run).

Decode: per result file a figure of the first step at which each prompt's
argmax token left the reference's (batch 1, TP 1, invariant kernels), per
configuration, bf16 compute next to LayerCast, and a table.
"""
import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from markupsafe import Markup  # noqa: E402

from plumb_report.plots import svg_of  # noqa: E402

VERDICT_CSS = {"invariant": "pass", "varies": "fail", "not observable": "skip"}
PRECISIONS = (("bf16", "bf16 compute", "#d62728"), ("layercast", "LayerCast (fp32 compute)", "#1f77b4"))


def _num(x):
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _pct(x):
    return "—" if x is None else "%.1f%%" % (100 * x)


def _identical_fraction(variant):
    rows = same = 0
    for p in variant.get("pairs") or []:
        if isinstance(p, dict) and isinstance(p.get("rows"), int) and isinstance(p.get("rows_identical"), int):
            rows += p["rows"]
            same += p["rows_identical"]
    return same / rows if rows else None


def axis_rows(section):
    """One row per axis of a `repro` section."""
    timing = section.get("timing") if isinstance(section.get("timing"), dict) else {}
    cost = _num(timing.get("invariant_over_default"))
    shape = section.get("shape") if isinstance(section.get("shape"), dict) else {}
    rows = []
    for a in section.get("axes") or []:
        if not isinstance(a, dict):
            continue
        vac = a.get("vacuity") if isinstance(a.get("vacuity"), dict) else {}
        variants = a.get("variants") if isinstance(a.get("variants"), dict) else {}
        cells = []
        for name in ("default", "invariant"):
            v = variants.get(name) if isinstance(variants.get(name), dict) else {}
            verdict = str(v.get("verdict", "?"))
            cells.append({"verdict": verdict, "css": VERDICT_CSS.get(verdict, ""),
                          "spread": str(v.get("worst_spread_ulp", "—")),
                          "identical": _pct(_identical_fraction(v))})
        observed = vac.get("observed_on") or ("outputs" if vac.get("observable") else "nothing")
        device = section.get("device")
        rows.append({"op": "%s %s%s" % (section.get("op", "?"), section.get("dtype", "?"),
                                        " (%s)" % device if device and device != "cpu" else ""),
                     "shape": "%s × %s" % (shape.get("rows", "?"), shape.get("cols", "?")),
                     "axis": str(a.get("axis", "?")) + (" (simulated)" if a.get("simulated") else ""),
                     "observed": str(observed), "witness": str(vac.get("witness", "")),
                     "default": cells[0], "invariant": cells[1],
                     "cost": "—" if cost is None else "%.2f×" % cost})
    return rows


def _first_steps(comparison, steps):
    """Per prompt: the first divergence step, or None (never)."""
    out = []
    for s in comparison.get("first_token_diff") or []:
        out.append(s if isinstance(s, int) and 0 < s <= steps else None)
    return out


def decode_figure(section, salt):
    configs = [c for c in section.get("configs") or [] if isinstance(c, dict)]
    steps = section.get("steps")
    if not configs or not isinstance(steps, int) or steps <= 0:
        return None
    fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(configs) + 1.4))
    never = steps * 1.06
    for k, (key, title, colour) in enumerate(PRECISIONS):
        ys, xs, ny = [], [], []
        for i, c in enumerate(configs):
            comp = c.get(key) if isinstance(c.get(key), dict) else {}
            y = i + (0.18 if k else -0.18)
            for s in _first_steps(comp, steps):
                (xs.append(s), ys.append(y)) if s is not None else ny.append(y)
        ax.scatter(xs, ys, color=colour, marker="o", s=18, label="%s: first divergent step of a prompt" % title)
        ax.scatter([never] * len(ny), ny, color=colour, marker=">", s=14, alpha=0.5,
                   label="%s: never within %d steps" % (title, steps))
    ax.set_yticks(range(len(configs)))
    ax.set_yticklabels([str(c.get("label", "?")) for c in configs], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, steps * 1.1)
    ax.axvline(steps, color="#999999", linewidth=0.8, linestyle=":")
    ax.set_xlabel("generated step at which the argmax token first differs from the reference")
    ax.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 1.0 / len(configs)), ncol=2)
    fig.tight_layout()
    svg = svg_of(fig, salt)
    plt.close(fig)
    return svg


def decode_rows(section):
    rows = []
    for c in section.get("configs") or []:
        if not isinstance(c, dict):
            continue
        row = {"label": str(c.get("label", "?")), "kernels": str(c.get("kernels", "?"))}
        for key, _, _ in PRECISIONS:
            comp = c.get(key) if isinstance(c.get(key), dict) else {}
            firsts = [s for s in comp.get("first_logits_diff") or [] if isinstance(s, int)]
            mean = _num(comp.get("mean_divergence"))
            row[key] = {"diverged": comp.get("prompts_diverged", "?"),
                        "first": comp.get("first_divergence") if comp.get("first_divergence") is not None else "never",
                        "mean": "—" if mean is None else "%.1f" % mean,
                        "logits": comp.get("prompts_logits_differ", "?"),
                        "logits_at": min(firsts) if firsts else "never",
                        "max_diff": "%.2g" % _num(comp.get("max_logit_diff")) if _num(comp.get("max_logit_diff")) is not None else "—",
                        "identical": bool(comp.get("identical")),
                        "css": "pass" if comp.get("identical") else ("fail" if comp.get("prompts_diverged") else "")}
            vs = (c.get("vs_default_batch1") or {}).get(key) if isinstance(c.get("vs_default_batch1"), dict) else None
            row[key]["vs_default"] = ("%s, %s" % (vs.get("prompts_diverged", "?"), vs.get("first_divergence") or "never")
                                      if isinstance(vs, dict) else "—")
        rows.append(row)
    return rows


def decode_summary(section):
    """One sentence per precision: default-kernel configurations with a divergence, invariant ones all identical."""
    out = []
    configs = [c for c in section.get("configs") or [] if isinstance(c, dict)]
    for key, title, _ in PRECISIONS:
        comps = [(c, c.get(key)) for c in configs if isinstance(c.get(key), dict)]
        default = [(c, x) for c, x in comps if c.get("kernels") == "default"]
        inv = [(c, x) for c, x in comps if c.get("kernels") == "invariant"]
        diverged = [x for _, x in default if (x.get("prompts_diverged") or 0) > 0]
        logits = [x for _, x in default if (x.get("prompts_logits_differ") or 0) > 0]
        inv_ok = all(x.get("identical") for _, x in inv)
        out.append({"text": "%s: %d of %d default-kernel configurations changed a token within %s steps (%d changed "
                            "logits bitwise); invariant kernels: %s." % (
                                title, len(diverged), len(default), section.get("steps", "?"), len(logits),
                                "tokens and logits identical to the reference in every configuration" if inv_ok
                                else "DIFFER from the reference in some configuration"),
                    "css": "pass" if inv_ok else "fail"})
    return out


def repro_sections(merged, first_figure_number=1):
    """{"ops": [{machine, rows:[...], files}], "decode": [{file, machine, ..., svg, figure_number}]}."""
    ops, decode, number = {}, [], first_figure_number
    for index, run in enumerate(merged.runs):
        data = run["data"]
        section = data.get("repro")
        if isinstance(section, dict):
            entry = ops.setdefault(run["machine_label"], {"machine": run["machine_label"], "rows": [], "files": []})
            for row in axis_rows(section):
                row["file"] = run["name"]
                entry["rows"].append(row)
            entry["files"].append(run["path"])
        dec = data.get("repro_decode")
        if isinstance(dec, dict):
            svg = decode_figure(dec, "plumb-repro-decode-%d" % index)
            model = dec.get("model") if isinstance(dec.get("model"), dict) else {}
            decode.append({"file": run["path"], "machine": run["machine_label"], "model": model,
                           "steps": dec.get("steps", "?"), "prompts": dec.get("prompts", "?"),
                           "prompt_len": dec.get("prompt_len", "?"), "seed": dec.get("seed", "?"),
                           "reference": str(dec.get("reference", "?")), "rows": decode_rows(dec),
                           "summary": decode_summary(dec), "svg": Markup(svg) if svg else None,
                           "figure_number": number})
            if svg:
                number += 1
    return {"ops": list(ops.values()), "decode": decode}
