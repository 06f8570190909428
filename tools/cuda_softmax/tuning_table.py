#!/usr/bin/env python3
"""Markdown table of a `plumb bench --softmax` result file's CUDA softmax rows.

    tuning_table.py RESULT.json

Per CUDA softmax kernel, I/O format and row length: rows, plumb's median us,
GB/s (bytes read + written once), % of plumb's cuda/copy of the same run,
torch.softmax's median us and % of that copy, and the speed-up over torch
(torch's time over plumb's). Every number comes from the one result file.
"""
import json
import sys


def main():
    with open(sys.argv[1]) as f:
        recs = json.load(f)["benchmarks"]
    by_name = {r["name"]: r for r in recs}
    kernels = sorted({r["kernel"] for r in recs
                      if r.get("op") == "softmax" and r.get("device") == "cuda" and r.get("kind") == "kernel"})
    print("| kernel | dtype | cols | rows | plumb us | GB/s | % of copy | torch us | torch % of copy | speed-up over torch |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for k in kernels:
        for fmt in ("fp32", "bf16"):
            copy = by_name.get(f"cuda/copy/{fmt}")
            for r in sorted((r for r in recs if r.get("kernel") == k and r.get("from") == fmt
                             and r.get("kind") == "kernel"), key=lambda r: r["cols"]):
                t = by_name.get(f"torch/softmax/{fmt}/cols:{r['cols']}")
                us = r["seconds_median"] * 1e6
                cs = copy["seconds_median"] if copy else float("nan")
                tus = t["seconds_median"] * 1e6 if t else float("nan")
                print(f"| {k} | {fmt} | {r['cols']} | {r['elements'] // r['cols']} | {us:.1f} | "
                      f"{r['bytes'] / r['seconds_median'] / 1e9:.0f} | {100 * cs / r['seconds_median']:.1f} | "
                      f"{tus:.1f} | {100 * cs * 1e6 / tus:.1f} | {tus / us:.2f} |")
    for fmt in ("fp32", "bf16"):
        c, t = by_name.get(f"cuda/copy/{fmt}"), by_name.get(f"torch/copy/{fmt}")
        if c:
            print(f"\ncopy {fmt}: plumb {c['seconds_median'] * 1e6:.1f} us "
                  f"({c['bytes'] / c['seconds_median'] / 1e9:.0f} GB/s)"
                  + (f", torch {t['seconds_median'] * 1e6:.1f} us" if t else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
