#!/usr/bin/env python3
"""Cross-checks ml_dtypes' astype conversions against plumb's MPFR oracle.

    ml_dtypes_crosscheck.py --plumb PATH --json OUT [--quick] [--seed S]

Inputs: every fp16 code, every bf16 code, and a seeded set of fp32 values
(ties, overflow thresholds, subnormal boundaries, +-0, +-inf, NaNs of both
signs and several payloads, random values). The oracle side runs

    PATH convert --bits --from SRC --to FMT --rounding nearest_even
         --overflow POLICY --kernel mpfr

with hex codes on stdin; each output line is `0xCODE DECODED [FLAGS...]`.
For each format the overflow policy that ml_dtypes matches best is found by
trying all three, and every difference is put in a named class documented in
docs/VENDOR_DIFFERENCES.md. Output: {"peers": [PEER, ...]} (docs/RESULT_SCHEMA.md).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import warnings

import ml_dtypes
import numpy as np

DOC = "docs/VENDOR_DIFFERENCES.md#"
POLICIES = ("saturate", "nan", "infinity")  # order breaks ties between equal counts


class Fmt:
    """A plumb format description (docs/SEMANTICS.md), enough to classify."""

    def __init__(self, name, ebits, mbits, enc, signed=True, bias=None):
        self.name, self.ebits, self.mbits, self.enc, self.signed = name, ebits, mbits, enc, signed
        self.bits = (1 if signed else 0) + ebits + mbits if enc != "integer" else mbits
        if bias is None and ebits:
            bias = (1 << (ebits - 1)) - (0 if enc == "fnuz" else 1)
        self.bias = bias or 0
        self.mask = (1 << self.bits) - 1
        self.sign_bit = (1 << (self.bits - 1)) if signed else 0
        self.has_nan = enc in ("ieee", "fn", "fnuz", "e8m0")
        vals = [self.decode(c) for c in range(1 << self.bits)]
        self.values = np.array(vals, dtype=np.float64)
        self.finite = np.unique(self.values[np.isfinite(self.values)])
        self.max = float(self.finite[-1])
        self.min = float(self.finite[0])

    def decode(self, code):
        if self.enc == "integer":
            return float(code - (1 << self.bits) if self.signed and code & self.sign_bit else code)
        if self.enc == "fnuz" and code == self.sign_bit:
            return math.nan
        neg = bool(code & self.sign_bit)
        mag = code & ~self.sign_bit & self.mask
        e, m = mag >> self.mbits, mag & ((1 << self.mbits) - 1)
        top = (1 << self.ebits) - 1
        if self.enc == "e8m0":
            return math.nan if e == top else math.ldexp(1.0, e - self.bias)
        if self.enc == "ieee" and e == top:
            return math.nan if m else (-math.inf if neg else math.inf)
        if self.enc == "fn" and e == top and m == (1 << self.mbits) - 1:
            return math.nan
        v = math.ldexp(m, 1 - self.bias - self.mbits) if e == 0 else \
            math.ldexp((1 << self.mbits) + m, e - self.bias - self.mbits)
        return -v if neg else v

    def is_nan(self, code):
        return math.isnan(self.values[code])

    def overflows(self, x):
        """Whether nearest-even rounding of the finite x exceeds the range."""
        a = abs(x)
        top = -self.min if (x < 0 and self.enc == "integer") else self.max
        if a <= top:
            return False
        if self.enc == "integer":
            q, n = 1.0, top
        else:
            q = math.ldexp(1.0, math.frexp(top)[1] - 1 - self.mbits)
            n = top / q
        half = top + q / 2
        return a > half or (a == half and int(n) % 2 == 1)


F = Fmt
# plumb name -> (description, peer dtype)
TARGETS = {
    "e5m2": (F("e5m2", 5, 2, "ieee"), ml_dtypes.float8_e5m2),
    "e4m3fn": (F("e4m3fn", 4, 3, "fn"), ml_dtypes.float8_e4m3fn),
    "e4m3fnuz": (F("e4m3fnuz", 4, 3, "fnuz"), ml_dtypes.float8_e4m3fnuz),
    "e5m2fnuz": (F("e5m2fnuz", 5, 2, "fnuz"), ml_dtypes.float8_e5m2fnuz),
    "e4m3": (F("e4m3", 4, 3, "ieee"), ml_dtypes.float8_e4m3),
    "e3m2fn": (F("e3m2fn", 3, 2, "finite"), ml_dtypes.float6_e3m2fn),
    "e2m3fn": (F("e2m3fn", 2, 3, "finite"), ml_dtypes.float6_e2m3fn),
    "e2m1fn": (F("e2m1fn", 2, 1, "finite"), ml_dtypes.float4_e2m1fn),
    "ue8m0": (F("ue8m0", 8, 0, "e8m0", signed=False), ml_dtypes.float8_e8m0fnu),
    "bf16": (F("bf16", 8, 7, "ieee"), ml_dtypes.bfloat16),
    "fp16": (F("fp16", 5, 10, "ieee"), np.float16),
}
if hasattr(ml_dtypes, "int4"):
    TARGETS["int4"] = (F("int4", 0, 4, "integer"), ml_dtypes.int4)
    TARGETS["uint4"] = (F("uint4", 0, 4, "integer", signed=False), ml_dtypes.uint4)
SOURCES = {"fp16": (np.uint16, np.float16), "bf16": (np.uint16, ml_dtypes.bfloat16),
           "fp32": (np.uint32, np.float32)}


def f32_codes(values):
    return np.asarray(values, dtype=np.float32).view(np.uint32)


def fp32_inputs(fmt, seed, quick):
    """Edge values of fmt as fp32 codes, plus random ones: sorted, unique."""
    with np.errstate(all="ignore"):
        return _fp32_inputs(fmt, seed, quick)


def _fp32_inputs(fmt, seed, quick):
    fin = fmt.finite[fmt.finite >= 0]
    pairs = list(zip(fin[:-1], fin[1:]))
    if len(pairs) > 256:  # wide targets: the ends of the range and a stride through it
        keep = set(range(64)) | set(range(len(pairs) - 64, len(pairs)))
        keep |= set(range(0, len(pairs), 997 if quick else 61))
        pairs = [pairs[i] for i in sorted(keep)]
    vals = []
    for a, b in pairs:
        mid = np.float32((a + b) / 2)
        vals += [a, b, mid, np.nextafter(mid, np.float32(0)), np.nextafter(mid, np.float32(np.inf))]
    top = fmt.max
    q = 1.0 if fmt.enc == "integer" else math.ldexp(1.0, math.frexp(top)[1] - 1 - fmt.mbits)
    for t in (top + q / 2, top + q, 2 * top, -fmt.min + 0.5, -fmt.min + 1):
        t32 = np.float32(min(t, 3.4028234663852886e38))
        vals += [t32, np.nextafter(t32, np.float32(0)), np.nextafter(t32, np.float32(np.inf))]
    tiny = float(fin[fin > 0][0])
    for t in (tiny / 2, tiny / 4, 1.5 * tiny):
        t32 = np.float32(t)
        vals += [t32, np.nextafter(t32, np.float32(0)), np.nextafter(t32, np.float32(np.inf))]
    vals = np.abs(np.array(vals, dtype=np.float32))
    codes = f32_codes(vals)
    codes = np.concatenate([codes, codes | 0x80000000])
    specials = [0x0, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001,
                0xFF800001, 0x7FC00001, 0x7FFFFFFF, 0xFFFFFFFF, 0x7FA00000, 0x00000001,
                0x80000001, 0x007FFFFF, 0x00800000, 0x7F7FFFFF, 0xFF7FFFFF]
    rng = np.random.default_rng(seed)
    n = 2000 if quick else 100000
    bits = rng.integers(0, 1 << 32, size=n // 2, dtype=np.uint64).astype(np.uint32)
    lo, hi = math.log2(tiny / 8), math.log2(min(top * 8, 3.0e38))
    mags = np.exp2(rng.uniform(lo, hi, size=n // 2))
    signs = np.where(rng.integers(0, 2, size=n // 2) == 1, -1.0, 1.0)
    rand = f32_codes((mags * signs).astype(np.float32))
    allc = np.concatenate([codes, np.array(specials, dtype=np.uint32), bits, rand])
    return np.unique(allc.astype(np.uint32))


def source_codes(src, fmt, seed, quick):
    if src == "fp32":
        return fp32_inputs(fmt, seed, quick)
    codes = np.arange(1 << 16, dtype=np.uint32)
    if quick:  # every 17th code, plus all zeros, subnormals, infinities and NaNs
        ebits = 5 if src == "fp16" else 8
        e = (codes >> (15 - ebits)) & ((1 << ebits) - 1)
        codes = codes[(codes % 17 == 0) | (e == 0) | (e == (1 << ebits) - 1)]
    return codes.astype(np.uint16)


def peer_codes(src, codes, dtype, fmt):
    x = codes.astype(SOURCES[src][0]).view(SOURCES[src][1])
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        y = x.astype(dtype)
    raw = y.view(np.uint8 if y.dtype.itemsize == 1 else np.uint16)
    return raw.astype(np.int64) & fmt.mask


def oracle(plumb, src, to, policy, codes):
    """Runs the plumb CLI; returns (codes, no_encoding flags) as arrays."""
    cmd = [plumb, "convert", "--bits", "--from", src, "--to", to, "--rounding", "nearest_even",
           "--overflow", policy, "--kernel", "mpfr"]
    text = "\n".join("0x%x" % int(c) for c in codes) + "\n"
    proc = subprocess.run(cmd, input=text, capture_output=True, text=True, check=False)
    # Exit status 1 with `error` lines is how plumb reports results that have
    # no encoding; anything else (a crash, a short output) stops the check.
    what = " ".join(cmd)
    if proc.returncode not in (0, 1):
        sys.exit("ml_dtypes_crosscheck: `%s` failed (exit %d): %s"
                 % (what, proc.returncode, proc.stderr.strip()[:2000]))
    out, no_enc = parse_oracle(proc.stdout, len(codes), what)
    if proc.returncode == 1 and not no_enc.any():
        sys.exit("ml_dtypes_crosscheck: `%s` failed (exit 1): %s"
                 % (what, proc.stderr.strip()[:2000]))
    return out, no_enc


def parse_oracle(stdout, expected, what="plumb"):
    """Parses one line per input: `0xCODE DECODED [FLAGS]`, or `error` where the
    result has no encoding (SEMANTICS.md: code 0, flag no_encoding)."""
    out, no_enc = [], []
    for line in stdout.splitlines():
        tok = line.split()
        if not tok:
            continue
        if tok[0] == "error":
            out.append(0)
            no_enc.append(True)
            continue
        try:
            out.append(int(tok[0], 16))
        except ValueError:
            sys.exit("ml_dtypes_crosscheck: cannot parse %r from %s" % (line, what))
        no_enc.append("no_encoding" in line)
    if len(out) != expected:
        sys.exit("ml_dtypes_crosscheck: %s printed %d lines for %d inputs"
                 % (what, len(out), expected))
    return np.array(out, dtype=np.int64), np.array(no_enc, dtype=bool)


def source_values(src, codes):
    x = codes.astype(SOURCES[src][0]).view(SOURCES[src][1])
    with np.errstate(all="ignore"):
        return x.astype(np.float64)


def implied_no_encoding(fmt, policy, xs):
    """Where plumb's result has no code (SEMANTICS.md: code 0, no_encoding)."""
    if fmt.has_nan:
        return np.zeros(len(xs), dtype=bool)
    res = np.isnan(xs)
    if policy != "saturate":
        over = np.array([math.isinf(x) or (math.isfinite(x) and fmt.overflows(x)) for x in xs])
        res |= over
    return res


def classify(fmt, x, neg, m, p, p_noenc, policies_codes):
    """The difference class of one input whose peer code m differs from oracle p."""
    mv, pv = fmt.values[m], fmt.values[p]
    if math.isnan(x):
        if p_noenc:
            return "nan_no_encoding"
        if math.isnan(mv) and math.isnan(pv):
            return "nan_sign" if (m & fmt.sign_bit) != (p & fmt.sign_bit) else "nan_payload"
        return "nan_lost" if math.isnan(pv) else "other"
    if fmt.enc == "e8m0" and x == 0:
        return "e8m0_zero"
    if math.isinf(x):
        return "infinity_input"
    if fmt.enc == "integer":
        if fmt.overflows(x) or p_noenc:
            return "int_wraparound"
        if mv == math.trunc(x):
            return "int_truncation"
    if fmt.enc == "e8m0" and neg and abs(x) <= math.ldexp(1.0, -128):
        return "e8m0_negative_tiny"
    if not fmt.signed and neg and x != 0:
        return "negative_into_unsigned"
    if fmt.enc == "e8m0" and abs(x) < math.ldexp(1.0, -126):
        return "e8m0_subnormal_input"
    if fmt.overflows(x) or p_noenc or any(m == c for c in policies_codes):
        return "overflow_policy"
    if mv == 0 and pv == 0:
        return "negative_zero"
    if math.isfinite(mv) and math.isfinite(pv):
        return "rounding"
    return "other"


def hexw(code, bits):
    return "0x%0*x" % ((bits + 3) // 4, int(code))


def crosscheck(plumb, seed, quick, log):
    peers = []
    for to, (fmt, dtype) in TARGETS.items():
        per_src = []
        for src in ("fp32", "fp16", "bf16"):
            if src == to:
                continue
            codes = source_codes(src, fmt, seed, quick)
            per_src.append((src, codes, peer_codes(src, codes, dtype, fmt)))
        runs, differ = {}, {}
        for policy in POLICIES:
            runs[policy] = [oracle(plumb, src, to, policy, codes) for src, codes, _ in per_src]
            differ[policy] = 0
            for (src, codes, m), (p, ne) in zip(per_src, runs[policy]):
                xs = source_values(src, codes)
                ne = ne | implied_no_encoding(fmt, policy, xs)
                differ[policy] += int(np.count_nonzero((m != p) | ne))
        best = min(POLICIES, key=lambda pol: (differ[pol], POLICIES.index(pol)))
        log("%-9s overflow=%-8s differ by policy %s" % (to, best, differ))
        for i, (src, codes, m) in enumerate(per_src):
            p, ne = runs[best][i]
            xs = source_values(src, codes)
            ne = ne | implied_no_encoding(fmt, best, xs)
            bad = np.nonzero((m != p) | ne)[0]
            sbits = 32 if src == "fp32" else 16
            classes = {}
            for j in bad:
                neg = bool(int(codes[j]) >> (sbits - 1))
                others = [runs[pol][i][0][j] for pol in POLICIES if pol != best]
                cls = classify(fmt, float(xs[j]), neg, int(m[j]), int(p[j]), bool(ne[j]), others)
                if cls not in classes:
                    inp = hexw(codes[j], sbits)
                    doc = "" if cls == "other" else DOC + cls  # "other" is undocumented
                    classes[cls] = {"class": cls, "count": 0, "documented": doc, "example": {
                        "input": inp, "input_value": repr(float(xs[j])),
                        "peer": hexw(m[j], fmt.bits), "peer_value": repr(float(fmt.values[m[j]])),
                        "oracle": hexw(p[j], fmt.bits),
                        "oracle_value": "no_encoding" if ne[j] else repr(float(fmt.values[p[j]])),
                        "command": "echo %s | plumb convert --bits --from %s --to %s "
                                   "--rounding nearest_even --overflow %s --kernel mpfr"
                                   % (inp, src, to, best)}}
                classes[cls]["count"] += 1
            peer = "ml_dtypes " + ml_dtypes.__version__
            if to == "fp16" and src == "fp32":
                peer = "numpy " + np.__version__
            peers.append({"peer": peer, "from": src, "to": to, "rounding": "nearest_even",
                          "overflow": best, "cases": int(len(codes)),
                          "agree": int(len(codes) - len(bad)), "differ": int(len(bad)),
                          "differences": sorted(classes.values(), key=lambda c: c["class"]),
                          "differ_by_overflow": differ})
            log("  from %-4s cases %7d differ %6d %s" % (src, len(codes), len(bad),
                {c: d["count"] for c, d in classes.items()}))
    return peers


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plumb", required=True, help="path of the plumb command")
    ap.add_argument("--json", required=True, help="output file ({\"peers\": [...]})")
    ap.add_argument("--quick", action="store_true", help="fewer inputs (CI smoke run)")
    ap.add_argument("--seed", type=int, default=12345)
    args = ap.parse_args(argv)
    if not os.access(args.plumb, os.X_OK):
        sys.exit("ml_dtypes_crosscheck: %s is not an executable plumb command" % args.plumb)
    peers = crosscheck(args.plumb, args.seed, args.quick, lambda s: print(s, file=sys.stderr))
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump({"peers": peers}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(os.path.abspath(args.json))
    return 0


if __name__ == "__main__":
    sys.exit(main())
