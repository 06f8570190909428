#!/usr/bin/env python3
"""Times torch's fp32 -> fp8 conversions on the GPU (the cuda_fast peer).

    torch_convert_bench.py --n N [--buffers B] [--repeat R] --json OUT

B tensors of N Gaussian fp32 elements (seed 12345, on the first CUDA device;
default 4 x 64M = 1 GiB, beyond the L2) are converted in turn with
`x.to(torch.float8_e4m3fn)`, `float8_e5m2` and `float8_e8m0fnu` (plumb's
ue8m0; torch's rounding of it differs, see docs/VENDOR_DIFFERENCES.md, so that
row compares speed only). Each conversion runs 3 x B times to warm up, then R
times (default 50), each timed with a pair of torch.cuda.Event recorded on the
current stream; the median is reported. Before each start event a spin kernel
(torch.cuda._sleep, --spin-us, default 100 us) keeps the GPU busy while Python
dispatches the conversion, so the timed region holds the GPU work only: the
method of plumb_bench's GPU rows (harness/bench/cuda_convert_bench.cpp), which
spin the same way before every timed launch. Outputs (--outputs): by default
B preallocated outputs taken in turn, written with `y.copy_(x)` (`x.to(dtype)`
is `empty_like(x, dtype=dtype).copy_(x)`: the same kernel, without the
allocator), as plumb_bench rotates its outputs; `reuse` times `x.to(dtype)`
itself, whose caching allocator returns the same output block every time. Output: {"benchmarks": [BENCH,
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
TARGETS = [("e4m3fn", "float8_e4m3fn"), ("e5m2", "float8_e5m2"), ("ue8m0", "float8_e8m0fnu")]


def sleep_cycles_per_us(torch):
    """GPU clock cycles of torch.cuda._sleep per microsecond (measured)."""
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    cycles = 1 << 22
    torch.cuda._sleep(cycles)  # load the kernel
    start.record()
    torch.cuda._sleep(cycles)
    stop.record()
    stop.synchronize()
    return cycles / max(start.elapsed_time(stop) * 1e3, 1.0)


def bench(torch, n, buffers, repeat, spin_us=100.0, outputs="rotate", seed=12345):
    dev = torch.device("cuda")
    spin = int(spin_us * sleep_cycles_per_us(torch)) if spin_us > 0 else 0
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
        # x.to(dtype) is torch.empty_like(x, dtype=dtype).copy_(x): "rotate"
        # runs that copy_ into B preallocated outputs taken in turn (as
        # plumb_bench does), "reuse" calls x.to(dtype), whose allocator hands
        # back the same block every time (one output buffer, partly in L2).
        ys = [torch.empty_like(base, dtype=dtype) for _ in range(buffers)] if outputs == "rotate" else []

        def convert(i):
            if ys:
                return ys[i % buffers].copy_(xs[i % buffers])
            return xs[i % buffers].to(dtype)

        for i in range(3 * buffers):  # warm-up
            convert(i)
        torch.cuda.synchronize()
        times = []
        for i in range(repeat):
            if spin:
                torch.cuda._sleep(spin)
            start.record()
            y = convert(i + 1)
            stop.record()
            stop.synchronize()
            times.append(start.elapsed_time(stop) * 1e-3)
            del y
        del ys
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
            "timing": "CUDA events, median of %d after %d warm-up; %s; %s" % (
                repeat, 3 * buffers,
                "%g us spin before each start event" % spin_us if spin else "no spin",
                "copy_ into %d rotating outputs" % buffers if outputs == "rotate"
                else "x.to(dtype), one reused output"),
        })
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=64 << 20, help="elements per conversion")
    ap.add_argument("--buffers", type=int, default=4, help="input tensors, taken in turn")
    ap.add_argument("--repeat", type=int, default=50, help="timed runs (median)")
    ap.add_argument("--spin-us", type=float, default=100.0,
                    help="GPU spin before each start event, microseconds (0: none)")
    ap.add_argument("--outputs", choices=("rotate", "reuse"), default="rotate",
                    help="rotate: copy_ into B preallocated outputs; reuse: x.to(dtype)")
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
    records = bench(torch, args.n, args.buffers, args.repeat, args.spin_us, args.outputs)
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
