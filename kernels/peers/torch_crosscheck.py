#!/usr/bin/env python3
"""Cross-checks torch's `.to(dtype)` conversions against plumb's MPFR oracle.

    torch_crosscheck.py --plumb PATH --json OUT [--quick] [--seed S] [--device cpu|cuda|all]

The peer of the `torch` verify suite. Conversions: fp32, fp16 and bf16 tensors
into torch.float8_e4m3fn, float8_e5m2, float8_e4m3fnuz, float8_e5m2fnuz,
float8_e8m0fnu, bfloat16, float16 and float4_e2m1fn_x2, on the CPU and, when
torch sees one, on the first CUDA device (the same inputs, converted there and
copied back bit for bit). Inputs, oracle runs, the choice of overflow policy and
the difference classes are those of ml_dtypes_crosscheck.py (imported from
beside this file): every fp16 and bf16 code, and per target about 100,000 fp32
values (ties, overflow thresholds, subnormal boundaries, +-0, +-inf, NaNs,
random bit patterns and values). A class is `documented` only when
docs/VENDOR_DIFFERENCES.md has a `torch-<class>` section for it (TORCH_DOCUMENTED).

Output: {"peers": [PEER, ...], "not_supported": [{"peer", "device", "from",
"to", "reason"}, ...]} (docs/RESULT_SCHEMA.md); PEER records carry `device`.
Exit status 3 with a one-line reason on stderr when torch cannot be imported
(the suite is then reported as skipped with that reason).
"""
import argparse
import json
import os
import sys

import numpy as np

import ml_dtypes_crosscheck as mc

DOC = "docs/VENDOR_DIFFERENCES.md#torch-"
# Classes with a torch-<class> section in docs/VENDOR_DIFFERENCES.md.
TORCH_DOCUMENTED = {"nan_sign", "nan_payload", "negative_into_unsigned", "e8m0_subnormal_input"}
# plumb name -> torch dtype attribute
TARGETS = [("e4m3fn", "float8_e4m3fn"), ("e5m2", "float8_e5m2"),
           ("e4m3fnuz", "float8_e4m3fnuz"), ("e5m2fnuz", "float8_e5m2fnuz"),
           ("ue8m0", "float8_e8m0fnu"), ("bf16", "bfloat16"), ("fp16", "float16"),
           ("e2m1fn", "float4_e2m1fn_x2")]
SOURCES = {"fp32": ("float32", np.int32), "fp16": ("float16", np.int16),
           "bf16": ("bfloat16", np.int16)}


def peer_codes(torch, src, codes, dtype, fmt, device):
    """torch's codes for the source codes, converted on `device`."""
    attr, view = SOURCES[src]
    bits = np.ascontiguousarray(codes.astype(np.uint32 if src == "fp32" else np.uint16)).view(view)
    x = torch.from_numpy(bits).view(getattr(torch, attr)).to(device)
    y = x.to(dtype)
    raw = y.view(torch.uint8 if y.element_size() == 1 else torch.int16).cpu().numpy()
    return raw.astype(np.int64) & fmt.mask


def records_for(torch, label, device, to, fmt, dtype, per_src, runs, log):
    """PEER records of one target on one device; per_src: [(src, codes)],
    runs[policy][i]: the oracle's (codes, no_encoding) for per_src[i]."""
    peer = [peer_codes(torch, src, codes, dtype, fmt, device) for src, codes in per_src]
    differ = {}
    for policy in mc.POLICIES:
        differ[policy] = 0
        for (src, codes), m, (p, ne) in zip(per_src, peer, runs[policy]):
            ne = ne | mc.implied_no_encoding(fmt, policy, mc.source_values(src, codes))
            differ[policy] += int(np.count_nonzero((m != p) | ne))
    best = min(mc.POLICIES, key=lambda pol: (differ[pol], mc.POLICIES.index(pol)))
    log("%-5s %-9s overflow=%-8s differ by policy %s" % (device, to, best, differ))
    out = []
    for i, ((src, codes), m) in enumerate(zip(per_src, peer)):
        p, ne = runs[best][i]
        xs = mc.source_values(src, codes)
        ne = ne | mc.implied_no_encoding(fmt, best, xs)
        bad = np.nonzero((m != p) | ne)[0]
        sbits = 32 if src == "fp32" else 16
        classes = {}
        for j in bad:
            neg = bool(int(codes[j]) >> (sbits - 1))
            others = [runs[pol][i][0][j] for pol in mc.POLICIES if pol != best]
            cls = mc.classify(fmt, float(xs[j]), neg, int(m[j]), int(p[j]), bool(ne[j]), others)
            if cls not in classes:
                inp = mc.hexw(codes[j], sbits)
                classes[cls] = {"class": cls, "count": 0,
                                "documented": DOC + cls.replace("_", "-") if cls in TORCH_DOCUMENTED else "",
                                "example": {
                                    "input": inp, "input_value": repr(float(xs[j])),
                                    "peer": mc.hexw(m[j], fmt.bits),
                                    "peer_value": repr(float(fmt.values[m[j]])),
                                    "oracle": mc.hexw(p[j], fmt.bits),
                                    "oracle_value": "no_encoding" if ne[j] else repr(float(fmt.values[p[j]])),
                                    "command": "echo %s | plumb convert --bits --from %s --to %s "
                                               "--rounding nearest_even --overflow %s --kernel mpfr"
                                               % (inp, src, to, best)}}
            classes[cls]["count"] += 1
        out.append({"peer": label, "device": device, "from": src, "to": to,
                    "rounding": "nearest_even", "overflow": best, "cases": int(len(codes)),
                    "agree": int(len(codes) - len(bad)), "differ": int(len(bad)),
                    "differences": sorted(classes.values(), key=lambda c: c["class"]),
                    "differ_by_overflow": differ})
        log("  from %-4s cases %7d differ %6d %s" % (src, len(codes), len(bad),
                                                     {c: d["count"] for c, d in classes.items()}))
    return out


def crosscheck(torch, plumb, seed, quick, devices, log):
    peers, unsupported = [], []
    labels = {d: "torch %s (%s)" % (torch.__version__, d if d == "cpu" else
                                    "cuda, " + torch.cuda.get_device_name(0)) for d in devices}
    for to, attr in TARGETS:
        fmt = mc.TARGETS[to][0]
        dtype = getattr(torch, attr, None)
        per_src = [(src, mc.source_codes(src, fmt, seed, quick)) for src in SOURCES if src != to]
        usable = []
        for device in devices:
            why = None
            if dtype is None:
                why = "this torch has no torch.%s" % attr
            else:
                try:  # a probe: torch may have the dtype but no conversion into it
                    torch.zeros(4, device=device).to(dtype)
                except (RuntimeError, NotImplementedError, TypeError) as e:
                    why = "torch cannot convert into torch.%s: %s" % (attr, str(e).splitlines()[0][:200])
            if why:
                log("%-5s %-9s not supported: %s" % (device, to, why))
                unsupported += [{"peer": labels[device], "device": device, "from": src, "to": to,
                                 "reason": why} for src, _ in per_src]
            else:
                usable.append(device)
        if not usable:
            continue
        runs = {pol: [mc.oracle(plumb, src, to, pol, codes) for src, codes in per_src]
                for pol in mc.POLICIES}
        for device in usable:
            peers += records_for(torch, labels[device], device, to, fmt, dtype, per_src, runs, log)
    return peers, unsupported


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plumb", required=True, help="path of the plumb command")
    ap.add_argument("--json", required=True, help="output file ({\"peers\": [...]})")
    ap.add_argument("--quick", action="store_true", help="fewer inputs (CI smoke run)")
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--device", choices=("cpu", "cuda", "all"), default="all",
                    help="where torch converts (all: the CPU, and CUDA when torch sees a GPU)")
    args = ap.parse_args(argv)
    if not os.access(args.plumb, os.X_OK):
        sys.exit("torch_crosscheck: %s is not an executable plumb command" % args.plumb)
    try:
        import torch
    except ImportError as e:
        print("torch is not installed for %s (%s)" % (sys.executable, e), file=sys.stderr)
        return 3
    devices = [] if args.device == "cuda" else ["cpu"]
    if args.device != "cpu":
        if torch.cuda.is_available():
            devices.append("cuda")
        else:
            print("torch_crosscheck: torch sees no CUDA device: CPU only", file=sys.stderr)
    if not devices:
        print("torch sees no CUDA device (--device cuda)", file=sys.stderr)
        return 3
    peers, unsupported = crosscheck(torch, args.plumb, args.seed, args.quick, devices,
                                    lambda s: print(s, file=sys.stderr))
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump({"peers": peers, "not_supported": unsupported}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(os.path.abspath(args.json))
    return 0


if __name__ == "__main__":
    sys.exit(main())
