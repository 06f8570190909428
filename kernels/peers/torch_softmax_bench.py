#!/usr/bin/env python3
"""Times torch.softmax(x, dim=-1) on the GPU on plumb_softmax_bench's CUDA shapes.

    torch_softmax_bench.py [--repeat R] [--spin-us US] [--plumb-json FILE] [--json OUT]

--json: BENCH records (kind peer; `plumb bench --softmax` merges them into its
result file, each softmax row naming plumb's cuda/copy/<format> of the same
run as its ceiling).

The shapes of harness/bench/cuda_softmax_bench.cpp: 2^26 elements, uniform in
[-20, 20] (torch's generator, not plumb's: the values do not change the
speed), as rows of 128, 1024, 4096, 32768 and 262144 columns, fp32 and bf16.
Timed as plumb_softmax_bench times its kernels: a spin kernel
(torch.cuda._sleep, default 100 us) before each start event so the events hold
the GPU work only, 10 warm-up calls, then R (default 100) timed calls; the
median is reported, with GB/s counting bytes read + written once. A copy of
the same bytes (y.copy_(x)) is timed the same way, as the ceiling.

--plumb-json: plumb_softmax_bench's --benchmark_out (JSON): prints, per shape,
plumb's cuda_online median next to torch's, plumb/torch (speed-up: torch time
over plumb time) and plumb's fraction of the copy (plumb's own copy, same run).
Exits with status 3 and a one-line reason when torch or a GPU is missing.
"""
import argparse
import json
import statistics
import sys

N = 1 << 26
COLS = [128, 1024, 4096, 32768, 262144]


def sleep_cycles_per_us(torch):
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    cycles = 1 << 22
    torch.cuda._sleep(cycles)
    start.record()
    torch.cuda._sleep(cycles)
    stop.record()
    stop.synchronize()
    return cycles / max(start.elapsed_time(stop) * 1e3, 1.0)


def median_us(torch, fn, spin, repeat, warmup=10):
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeat):
        if spin:
            torch.cuda._sleep(spin)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop) * 1e3)
    return statistics.median(times)


def bench_records(torch, rows, args):
    """BENCH records (docs/RESULT_SCHEMA.md, "torch.softmax rows") for plumb bench --softmax."""
    peer = "torch %s (CUDA %s, %s)" % (torch.__version__, torch.version.cuda, torch.cuda.get_device_name(0))
    timing = "CUDA events, median of %d after 10 warm-up; %s" % (
        args.repeat, "%g us spin before each start event" % args.spin_us if args.spin_us > 0 else "no spin")
    out = []
    for r in rows:
        part = r["name"].split("/")  # torch/copy/<fmt> or torch/softmax/<fmt>/cols:<c>
        fmt = part[2]
        nbytes = 2 * N * (4 if fmt == "fp32" else 2)
        sec = r["median_us"] * 1e-6
        rec = {"name": r["name"], "kind": "peer", "peer": peer, "device": "cuda", "op": part[1],
               "from": fmt, "to": fmt, "elements": N, "bytes": nbytes, "seconds_median": sec,
               "elements_per_second": N / sec if sec > 0 else None,
               "bytes_per_second": nbytes / sec if sec > 0 else None, "threads": 1,
               "repeats": args.repeat, "timing": timing}
        if part[1] == "softmax":
            rec.update({"kernel": "torch.softmax", "cols": int(part[3][5:]), "cache": "out_of_cache",
                        "ceiling": "cuda/copy/" + fmt})
        out.append(rec)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=100)
    ap.add_argument("--spin-us", type=float, default=100.0)
    ap.add_argument("--plumb-json")
    ap.add_argument("--json")
    args = ap.parse_args()
    try:
        import torch
    except ImportError as e:
        print(f"not measured: no torch ({e})", file=sys.stderr)
        return 3
    if not torch.cuda.is_available():
        print("not measured: no CUDA device for torch", file=sys.stderr)
        return 3
    dev = torch.device("cuda")
    spin = int(args.spin_us * sleep_cycles_per_us(torch)) if args.spin_us > 0 else 0
    gen = torch.Generator(device=dev)
    gen.manual_seed(12345)
    base = torch.rand(N, generator=gen, device=dev, dtype=torch.float32) * 40 - 20
    rows = []
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name()}")
    for name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        x = base.to(dtype)
        y = torch.empty_like(x)
        nbytes = 2 * x.numel() * x.element_size()
        copy = median_us(torch, lambda: y.copy_(x), spin, args.repeat)
        rows.append({"name": f"torch/copy/{name}", "median_us": copy, "GBps": nbytes / copy / 1e3})
        for c in COLS:
            xv = x.view(N // c, c)
            t = median_us(torch, lambda: torch.softmax(xv, dim=-1), spin, args.repeat)
            rows.append({"name": f"torch/softmax/{name}/cols:{c}", "median_us": t,
                         "GBps": nbytes / t / 1e3, "of_copy": copy / t})
    for r in rows:
        extra = f"  {100 * r['of_copy']:5.1f}% of torch's copy" if "of_copy" in r else ""
        print(f"{r['name']:32s} {r['median_us']:9.1f} us {r['GBps']:8.1f} GB/s{extra}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": torch.cuda.get_device_name(), "torch": torch.__version__,
                       "benchmarks": bench_records(torch, rows, args)}, f, indent=1, sort_keys=True)
    if args.plumb_json:
        with open(args.plumb_json) as f:
            pb = {b["name"].replace("/manual_time", ""): b for b in json.load(f)["benchmarks"]}
        tr = {r["name"]: r for r in rows}
        print("\nkernel             dtype  cols    plumb_us torch_us  plumb_GB/s  %copy  x_torch")
        kernels = sorted({n.split("/")[1] for n in pb if n.startswith("softmax/")})
        for k in kernels:
            for name in ("fp32", "bf16"):
                copy = pb.get(f"cuda/copy/{name}")
                for c in COLS:
                    b = pb.get(f"softmax/{k}/{name}/cols:{c}")
                    t = tr.get(f"torch/softmax/{name}/cols:{c}")
                    if not b or not t or "median_us" not in b:
                        continue
                    us = b["median_us"]
                    frac = copy["median_us"] / us if copy and "median_us" in copy else float("nan")
                    gbps = 2 * N * (4 if name == "fp32" else 2) / us / 1e3
                    print(f"{k:18s} {name:5s} {c:7d} {us:9.1f} {t['median_us']:8.1f} {gbps:11.1f} "
                          f"{100 * frac:5.1f}% {t['median_us'] / us:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
