"""Figures of the report: error in ULPs against input, one figure per format.

Figures are inline SVG, rendered with the Agg backend and fixed metadata so
that the same results give the same bytes (svg.hashsalt, no date).
"""
import io
import math

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROUNDING_ORDER = ("nearest_even", "nearest_away", "toward_zero", "upward", "downward", "odd",
                  "stochastic")
DENSE_POINTS = 3000  # above this many points in a figure its lines are rasterized
SPARSE_POINTS = 200  # above this many points a curve is drawn as dots


def _rounding_rank(name):
    return ROUNDING_ORDER.index(name) if name in ROUNDING_ORDER else len(ROUNDING_ORDER)


def _label(curve, ambiguous):
    rnd = str(curve.get("rounding", "?"))
    if rnd == "stochastic" and curve.get("sr_bits"):
        rnd += "(%s)" % curve["sr_bits"]
    if not ambiguous:
        return rnd
    extra = ["from %s" % curve.get("from", "?"), str(curve.get("overflow", "?")),
             curve["_machine"]]
    return "%s (%s)" % (rnd, ", ".join(extra))


def _series(curve):
    """x and error lists with None (not finite) turned into NaN, sorted by x."""
    xs = curve.get("x") or []
    es = curve.get("error_ulps") or []
    pts = []
    for x, e in zip(xs, es):
        if x is None or not math.isfinite(float(x)):
            continue
        pts.append((float(x), float(e) if e is not None else math.nan))
    pts.sort(key=lambda p: p[0])
    # No line across zero when the inputs jump from negative to positive.
    for i in range(1, len(pts)):
        if pts[i - 1][0] < 0 < pts[i][0]:
            pts.insert(i, (0.0, math.nan))
            break
    return [p[0] for p in pts], [p[1] for p in pts]


def _x_scale(ax, all_x):
    """Symlog for inputs of both signs (or with zeros), log when all positive."""
    nonzero = [abs(x) for x in all_x if x != 0]
    if not nonzero:
        return "linear"
    if min(all_x) > 0:
        ax.set_xscale("log")
        return "log"
    ax.set_xscale("symlog", linthresh=min(nonzero), linscale=0.5)
    # At most four decades labelled on each side, so the labels never overlap.
    lo = math.ceil(math.log10(min(nonzero)))
    hi = math.floor(math.log10(max(nonzero)))
    step = max(1, math.ceil((hi - lo + 1) / 4))
    decades = list(range(hi, lo - 1, -step))[::-1]
    ticks = [-(10.0 ** k) for k in reversed(decades) if min(all_x) < 0] + [0.0] + \
        [10.0 ** k for k in decades if max(all_x) > 0]
    labels = [("$-10^{%d}$" % round(math.log10(-t))) if t < 0 else
              ("$10^{%d}$" % round(math.log10(t))) if t > 0 else "0" for t in ticks]
    ax.set_xticks(ticks, labels)
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    return "symlog"


def svg_of(fig, salt):
    """The figure as an SVG element (no XML prolog), deterministic."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt, "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight", dpi=150)
    plt.close(fig)
    text = buf.getvalue()
    start = text.find("<svg")
    return text[start:] if start >= 0 else text


def curve_key(curve):
    return (_rounding_rank(str(curve.get("rounding"))), str(curve.get("rounding")),
            str(curve.get("from", "")), str(curve.get("overflow", "")),
            curve["_machine"], curve["_file"])


def error_figures(curves):
    """One figure per target format: [{format, svg, files, scale, lines}]."""
    by_format = {}
    for c in curves:
        by_format.setdefault(str(c.get("to", "?")), []).append(c)
    figures = []
    for index, fmt in enumerate(sorted(by_format)):
        group = sorted(by_format[fmt], key=curve_key)
        roundings = [str(c.get("rounding")) for c in group]
        ambiguous = len(set(roundings)) != len(roundings)
        fig, ax = plt.subplots(figsize=(7.0, 3.4), dpi=100)
        all_x, lines, npoints = [], [], 0
        for c in group:
            xs, es = _series(c)
            all_x += xs
            npoints += len(xs)
            label = _label(c, ambiguous)
            lines.append(label)
            if len(xs) > SPARSE_POINTS:  # dense sawtooth: dots show each mode's band
                ax.plot(xs, es, linestyle="none", marker=".", markersize=1.5, label=label)
            else:
                ax.plot(xs, es, linewidth=0.8, marker=".", markersize=3, label=label)
        if npoints > DENSE_POINTS:
            for line in ax.get_lines():
                line.set_rasterized(True)
        scale = _x_scale(ax, all_x) if all_x else "linear"
        ax.axhline(0.0, color="0.6", linewidth=0.5)
        ax.set_xlabel("input x (%s scale)" % scale)
        ax.set_ylabel("error (ULPs of %s)" % fmt)
        ax.set_title("%s: (result - x) / ulp(x)" % fmt, fontsize=10)
        ax.grid(True, linewidth=0.3, alpha=0.5)
        if lines:
            ax.legend(fontsize=7, loc="best", markerscale=4)
        files = sorted({c["_file"] for c in group})
        figures.append({"format": fmt, "svg": svg_of(fig, "plumb-curve-%d-%s" % (index, fmt)),
                        "files": files, "scale": scale, "lines": lines})
    return figures
