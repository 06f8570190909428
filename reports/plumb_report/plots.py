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
    """One figure per target format: [{format, svg, files, scale, lines}].

    Small multiples: one panel per rounding mode (and source/machine where
    several are merged), sharing both axes, so each mode's error band reads
    on its own: nearest modes within +-0.5 ULP, directed ones within (-1, 1).
    """
    by_format = {}
    for c in curves:
        by_format.setdefault(str(c.get("to", "?")), []).append(c)
    figures = []
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, fmt in enumerate(sorted(by_format)):
        group = sorted(by_format[fmt], key=curve_key)
        roundings = [str(c.get("rounding")) for c in group]
        ambiguous = len(set(roundings)) != len(roundings)
        ncols = 2 if len(group) > 1 else 1
        nrows = (len(group) + ncols - 1) // ncols
        fig, axes = plt.subplots(nrows, ncols, figsize=(7.5, 1.55 * nrows + 0.6), dpi=100,
                                 sharex=True, sharey=True, squeeze=False)
        all_x, lines, npoints = [], [], 0
        for k, c in enumerate(group):
            ax = axes[k // ncols][k % ncols]
            xs, es = _series(c)
            all_x += xs
            npoints += len(xs)
            label = _label(c, ambiguous)
            lines.append(label)
            style = dict(linestyle="none", marker=".", markersize=1.5) if len(xs) > SPARSE_POINTS \
                else dict(linewidth=0.8, marker=".", markersize=3)
            ax.plot(xs, es, color=colors[k % len(colors)], **style)
            ax.axhline(0.0, color="0.6", linewidth=0.5)
            ax.set_title(label, fontsize=8, pad=2)
            ax.grid(True, linewidth=0.3, alpha=0.5)
            ax.tick_params(labelsize=7)
        for k in range(len(group), nrows * ncols):
            axes[k // ncols][k % ncols].set_visible(False)
        if npoints > DENSE_POINTS:
            for ax in axes.flat:
                for line in ax.get_lines():
                    line.set_rasterized(True)
        scale = _x_scale(axes[0][0], all_x) if all_x else "linear"
        fig.supxlabel("input x (%s scale)" % scale, fontsize=8)
        fig.supylabel("error (ULPs of %s)" % fmt, fontsize=8)
        fig.suptitle("%s: (result - x) / ulp(x), one panel per rounding mode" % fmt, fontsize=10)
        fig.tight_layout()
        files = sorted({c["_file"] for c in group})
        figures.append({"format": fmt, "svg": svg_of(fig, "plumb-curve-%d-%s" % (index, fmt)),
                        "files": files, "scale": scale, "lines": lines})
    return figures
