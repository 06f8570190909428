#!/usr/bin/env python3
"""Times torch's fp32 -> fp8 conversions on the GPU (the cuda_fast peer).

    torch_convert_bench.py --n N [--buffers B] [--repeat R] --json OUT

B tensors of N Gaussian fp32 elements (seed 12345, on the first CUDA device;
default 4 x 64M = 1 GiB, beyond the L2) are converted in turn with
`x.to(torch.float8_e4m3fn)` and `x.to(torch.float8_e5m2)`. Each conversion
runs 3 x B times to warm up, then R times (default 50), each timed with a pair
of torch.cuda.Event; the median is reported. Output: {"benchmarks": [BENCH,
...]} with kind "peer" and device "cuda" (docs/RESULT_SCHEMA.md), named like
`torch/fp32->e4m3fn`. Exits with status 3 and a one-line reason on stderr when
torch or a CUDA device is missing (the caller reports "not measured: ...").
"""
import argparse
import json
import os
import statistics
import sys

# canonical plumb name -> torch dtype attribute
TARGETS = [("e4m3fn", "float8_e4m3fn"), ("e5m2", "float8_e5m2")]


def bench(torch, n, buffers, repeat, seed=12345):
    dev = torch.device("cuda")
    gen = torch.Generator(device=dev)
    gen.manual_seed(seed)
    base = torch.randn(n, generator=gen, device=dev, dtype=torch.float32)
    xs = [base] + [base.clone() for _ in range(buffers - 1)]  # same values, other addresses
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    out = []
    for to, attr in TARGETS:
        dtype = getattr(torch, attr, None)
        if dtype is None:
            continue
        for i in range(3 * buffers):  # warm-up
            y = xs[i % buffers].to(dtype)
        torch.cuda.synchronize()
        del y
        times = []
        for i in range(repeat):
            x = xs[i % buffers]
            start.record()
            y = x.to(dtype)
            stop.record()
            stop.synchronize()
            times.append(start.elapsed_time(stop) * 1e-3)
            del y
        sec = statistics.median(times)
        nbytes = n * (4 + 1)
        out.append({
            "name": "torch/fp32->%s" % to,
            "kind": "peer",
            "peer": "torch %s (CUDA %s, %s)" % (torch.__version__, torch.version.cuda,
                                                torch.cuda.get_device_name(0)),
            "device": "cuda",
            "op": "convert",
            "from": "fp32",
            "to": to,
            "rounding": "nearest_even",
            "elements": n,
            "bytes": nbytes,
            "seconds_median": sec,
            "elements_per_second": n / sec if sec > 0 else None,
            "bytes_per_second": nbytes / sec if sec > 0 else None,
            "threads": 1,
            "repeats": repeat,
        })
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=64 << 20, help="elements per conversion")
    ap.add_argument("--buffers", type=int, default=4, help="input tensors, taken in turn")
    ap.add_argument("--repeat", type=int, default=50, help="timed runs (median)")
    ap.add_argument("--json", required=True, help="output file ({\"benchmarks\": [...]})")
    args = ap.parse_args(argv)
    if args.n < 1 or args.repeat < 1 or args.buffers < 1:
        ap.error("--n, --buffers and --repeat must be positive")
    try:
        import torch
    except ImportError as e:
        print("torch is not installed (%s)" % e, file=sys.stderr)
        return 3
    if not torch.cuda.is_available():
        print("torch sees no CUDA device", file=sys.stderr)
        return 3
    records = bench(torch, args.n, args.buffers, args.repeat)
    if not records:
        print("this torch has no float8 dtypes", file=sys.stderr)
        return 3
    for r in records:
        print("%-26s %8.1f us  %7.1f Gelem/s  %7.1f GB/s" % (
            r["name"], r["seconds_median"] * 1e6, (r["elements_per_second"] or 0) / 1e9,
            (r["bytes_per_second"] or 0) / 1e9), file=sys.stderr)
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump({"benchmarks": records}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(os.path.abspath(args.json))
    return 0


if __name__ == "__main__":
    sys.exit(main())
