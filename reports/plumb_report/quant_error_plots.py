"""The quantisation-error figure: NMSE (top row) and max relative error
(bottom row) against bits per element, one column per input distribution.

Each block format has its own colour and marker; filled markers are with the
Hadamard transform, empty ones without; large markers are the format's own
scale rule, small ones the alternative rule. The x axis has one evenly spaced
slot per distinct bit count, in increasing order and labelled with it (4.25
and 4.5 would otherwise sit on top of each other); formats that share a bit
count are spread sideways within their slot. Deterministic SVG (plots.svg_of).
"""
import math

import matplotlib
import matplotlib.lines

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from plumb_report.plots import svg_of  # noqa: E402

FORMAT_STYLE = {  # format: (marker, colour)
    "mxfp8_e4m3": ("o", "#1f77b4"), "mxfp8_e5m2": ("s", "#ff7f0e"),
    "mxfp6_e3m2": ("^", "#2ca02c"), "mxfp6_e2m3": ("v", "#d62728"),
    "mxfp4": ("D", "#9467bd"), "mxint8": ("P", "#8c564b"),
    "nvfp4": ("X", "#e377c2"), "nvint4": ("*", "#17becf"),
}
OTHER_MARKERS = ("h", "p", "<", ">", "8", "d")
OTHER_COLOURS = ("#7f7f7f", "#bcbd22", "#393b79", "#637939", "#8c6d31", "#843c39")
METRICS = (("nmse", "NMSE = MSE / mean(x²)"), ("max_rel_error", "max relative error"))
SPREAD = 0.2  # slot widths between formats that share a bit count
OWN_SIZE, ALT_SIZE = 7.5, 4.0


def _style(fmt, index):
    if fmt in FORMAT_STYLE:
        return FORMAT_STYLE[fmt]
    return OTHER_MARKERS[index % len(OTHER_MARKERS)], OTHER_COLOURS[index % len(OTHER_COLOURS)]


def _value(m, key):
    x = m.get(key)
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    x = float(x)
    return x if math.isfinite(x) and x > 0 else None


def _offsets(formats_bits):
    """x offset per format: formats sharing a bit count spread around it."""
    by_bits = {}
    for fmt, bits in formats_bits:
        by_bits.setdefault(bits, []).append(fmt)
    out = {}
    for bits, fmts in by_bits.items():
        for k, fmt in enumerate(fmts):
            out[fmt] = (k - (len(fmts) - 1) / 2.0) * SPREAD
    return out


def quant_error_figure(measurements, distributions, salt):
    """The figure as an SVG string."""
    formats, bits_of = [], {}
    for m in measurements:
        fmt = str(m["format"])
        bits = m.get("bits_per_element")
        if fmt not in formats and isinstance(bits, (int, float)):
            formats.append(fmt)
            bits_of[fmt] = float(bits)
    offset = _offsets([(f, bits_of[f]) for f in formats])
    ticks = sorted(set(bits_of.values()))
    slot = {b: i for i, b in enumerate(ticks)}
    styles = {f: _style(f, i) for i, f in enumerate(formats)}
    ncols = max(1, len(distributions))
    fig, axes = plt.subplots(2, ncols, figsize=(3.3 * ncols + 0.6, 6.4), dpi=100, sharex=True,
                             sharey="row", squeeze=False)
    for col, dist in enumerate(distributions):
        for row, (key, ylabel) in enumerate(METRICS):
            ax = axes[row][col]
            ax.set_yscale("log")
            ax.grid(True, linewidth=0.3, alpha=0.5)
            ax.tick_params(labelsize=7)
            if row == 0:
                ax.set_title(dist, fontsize=9)
            if col == 0:
                ax.set_ylabel(ylabel, fontsize=8)
            for m in measurements:
                fmt = str(m["format"])
                if str(m["distribution"]) != dist or fmt not in bits_of:
                    continue
                y = _value(m, key) if m.get("status", "ok") == "ok" else None
                if y is None:
                    continue
                marker, colour = styles[fmt]
                hadamard = bool(m.get("hadamard"))
                own = bool(m.get("default_rule", True))
                x = slot[bits_of[fmt]] + offset[fmt] + (0.03 if hadamard else -0.03)
                ax.plot([x], [y], linestyle="none", marker=marker, color=colour,
                        markersize=OWN_SIZE if own else ALT_SIZE, markeredgewidth=1.0,
                        markerfacecolor=colour if hadamard else "none")
                if row == 0 and own and not hadamard:
                    ax.annotate(fmt, (x, y), xytext=(5, 0), textcoords="offset points",
                                fontsize=5.5, va="center", color=colour)
    for ax in axes[1]:
        ax.set_xticks(range(len(ticks)), ["%g" % t for t in ticks])
        ax.tick_params(axis="x", labelsize=7)
        ax.set_xlabel("bits per element", fontsize=8)
    axes[0][0].set_xlim(-0.6, len(ticks) - 0.4 + 0.3)
    handles = [matplotlib.lines.Line2D([], [], linestyle="none", marker=styles[f][0],
                                       color=styles[f][1], markersize=6, label=f) for f in formats]
    grey = "0.3"
    handles += [
        matplotlib.lines.Line2D([], [], linestyle="none", marker="o", color=grey, markersize=6,
                                label="filled: with Hadamard"),
        matplotlib.lines.Line2D([], [], linestyle="none", marker="o", color=grey, markersize=6,
                                markerfacecolor="none", label="empty: without Hadamard"),
        matplotlib.lines.Line2D([], [], linestyle="none", marker="o", color=grey,
                                markersize=OWN_SIZE * 0.8, label="large: own scale rule"),
        matplotlib.lines.Line2D([], [], linestyle="none", marker="o", color=grey,
                                markersize=ALT_SIZE * 0.8, label="small: rceil / nv_exact"),
    ]
    fig.suptitle("Quantisation error of the block formats against storage cost", fontsize=10)
    fig.tight_layout()
    fig.legend(handles=handles, loc="upper center", ncol=4, fontsize=7, frameon=False,
               bbox_to_anchor=(0.5, 0.0))
    return svg_of(fig, salt)
