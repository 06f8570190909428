"""Block-scaled quantisation checked against a second, independent emulation.

An outside reading of the two recipes, in numpy + ml_dtypes (not plumb's
code): OCP MX v1.0 (floor rule, elements clipped to the element's max and
rounded to nearest even by ml_dtypes' cast; MXINT8 as rint(x/X*64) clipped to
+-127) and Transformer Engine's NVFP4 (fp32 operation order of
docs/BLOCK_SEMANTICS.md, numpy float32 arithmetic). `plumb quantize` must
give the same scale and element codes on seeded heavy-tailed tensors whose
rows span several decades.

Usage: block_numpy_crosscheck.py PLUMB [--seed S]   (exit 0: identical)
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import ml_dtypes
import numpy as np

F32 = np.float32
MX = {  # name: (ml_dtypes type, emax_elem, max_elem, code mask)
    "mxfp8_e4m3": (ml_dtypes.float8_e4m3fn, 8, 448.0, 0xFF),
    "mxfp8_e5m2": (ml_dtypes.float8_e5m2, 15, 57344.0, 0xFF),
    "mxfp6_e3m2": (ml_dtypes.float6_e3m2fn, 4, 28.0, 0x3F),
    "mxfp6_e2m3": (ml_dtypes.float6_e2m3fn, 2, 7.5, 0x3F),
    "mxfp4": (ml_dtypes.float4_e2m1fn, 2, 6.0, 0x0F),
}


def quantize(plumb, fmt, x, work):
    path = os.path.join(work, "x.npy")
    np.save(path, x)
    out = os.path.join(work, "q")
    subprocess.run([plumb, "quantize", "--format", fmt, "--in", path, "--out", out],
                   check=True, capture_output=True)
    meta = json.load(open(out + ".json"))
    return np.load(out + ".scales.npy"), np.load(out + ".elements.npy"), meta["tensor_scale"]


def floor_log2(a):
    _, ex = np.frexp(a)  # a = m 2^ex, m in [0.5, 1): floor(log2 a) = ex - 1 (a > 0)
    return ex - 1


def mx_expected(fmt, x):
    rows, cols = x.shape
    xb = x.reshape(rows, cols // 32, 32).astype(np.float64)
    amax = np.abs(xb).max(axis=2)
    if fmt == "mxint8":
        e = np.clip(floor_log2(amax), -127, 127)
        q = np.clip(np.rint(xb / np.ldexp(1.0, e)[:, :, None] * 64), -127, 127)
        return (e + 127).astype(np.uint8), q.astype(np.int8).view(np.uint8).reshape(rows, cols)
    dtype, emax, vmax, mask = MX[fmt]
    e = np.clip(floor_log2(amax) - emax, -127, 127)
    v = np.clip(xb / np.ldexp(1.0, e)[:, :, None], -vmax, vmax)
    return (e + 127).astype(np.uint8), (v.astype(dtype).view(np.uint8) & mask).reshape(rows, cols)


def nvfp4_expected(x):
    rows, cols = x.shape
    s_enc = F32(F32(448 * 6) / np.abs(x).max())
    xb = x.reshape(rows, cols // 16, 16)
    d = (np.abs(xb).max(axis=2) * F32(s_enc * F32(1.0 / 6.0))).astype(F32)
    scale = d.astype(ml_dtypes.float8_e4m3fn)
    g = F32(F32(1) / s_enc)
    with np.errstate(divide="ignore"):  # a zero scale: 1/0 = inf, then TE's fmin(., FLT_MAX)
        c = np.minimum((F32(1) / (scale.astype(F32) * g).astype(F32)).astype(F32),
                       F32(np.finfo(F32).max))
    with np.errstate(over="ignore"):  # x * FLT_MAX overflows to inf: saturates to 6
        v = np.clip((xb * c[:, :, None]).astype(F32), -6, 6)
    codes = v.astype(ml_dtypes.float4_e2m1fn).view(np.uint8).reshape(rows, cols) & 0x0F
    return scale.view(np.uint8), codes, float(s_enc)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("plumb")
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"block_numpy_crosscheck: seed {args.seed} (reproduce with --seed {args.seed})")
    x = (rng.standard_t(3, size=(48, 96)) * rng.choice([1e-30, 1e-3, 1, 50, 1e30], size=(48, 1)))
    x = x.astype(F32)
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        for fmt in list(MX) + ["mxint8", "nvfp4"]:
            got_s, got_e, got_ts = quantize(args.plumb, fmt, x, work)
            if fmt == "nvfp4":
                want_s, want_e, want_ts = nvfp4_expected(x)
            else:
                (want_s, want_e), want_ts = mx_expected(fmt, x), 1.0
            ds, de = int((got_s != want_s).sum()), int((got_e != want_e).sum())
            dts = F32(got_ts) != F32(want_ts)
            ok = ds == 0 and de == 0 and not dts
            failures += not ok
            print(f"  {fmt:11s} {got_s.size:4d} scales, {got_e.size} elements: "
                  f"{ds} scale and {de} element differences{' (tensor scale differs)' if dts else ''}"
                  f" -> {'agree' if ok else 'DIFFER'}")
            if de:
                i = np.argwhere(got_e != want_e)[0]
                print(f"    first: element {tuple(i)} x={x[tuple(i)]!r} plumb 0x{got_e[tuple(i)]:02x}"
                      f" numpy 0x{want_e[tuple(i)]:02x}")
    print(f"{failures} format(s) differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
