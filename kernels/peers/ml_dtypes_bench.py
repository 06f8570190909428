#!/usr/bin/env python3
"""Times ml_dtypes' fp32 conversions (and numpy's fp32->fp16) on one thread.

    ml_dtypes_bench.py --n N --repeat R --json OUT

N elements of Gaussian fp32 data (seed 12345) are converted with
`x.astype(dtype)`; each conversion runs once to warm up, then R times, and the
median is reported. Output: {"benchmarks": [BENCH, ...]} with kind "peer" and
device "cpu" (docs/RESULT_SCHEMA.md), named like `ml_dtypes/fp32->e4m3fn`.
"""
import os

# One thread: set before numpy is imported, so no BLAS pool starts wider.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import ml_dtypes  # noqa: E402
import numpy as np  # noqa: E402

# canonical plumb name -> (peer, dtype); the peer prefixes the record's name.
PEERS = [
    ("e4m3fn", "ml_dtypes", ml_dtypes.float8_e4m3fn),
    ("e5m2", "ml_dtypes", ml_dtypes.float8_e5m2),
    ("e4m3fnuz", "ml_dtypes", ml_dtypes.float8_e4m3fnuz),
    ("e5m2fnuz", "ml_dtypes", ml_dtypes.float8_e5m2fnuz),
    ("e4m3", "ml_dtypes", ml_dtypes.float8_e4m3),
    ("e3m2fn", "ml_dtypes", ml_dtypes.float6_e3m2fn),
    ("e2m3fn", "ml_dtypes", ml_dtypes.float6_e2m3fn),
    ("e2m1fn", "ml_dtypes", ml_dtypes.float4_e2m1fn),
    ("ue8m0", "ml_dtypes", ml_dtypes.float8_e8m0fnu),
    ("bf16", "ml_dtypes", ml_dtypes.bfloat16),
    ("fp16", "numpy", np.float16),
]


def time_one(x, dtype, repeat):
    """Median seconds of x.astype(dtype) over `repeat` runs after one warm-up."""
    x.astype(dtype)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        y = x.astype(dtype)
        times.append(time.perf_counter() - t0)
        del y
    return statistics.median(times)


def bench(n, repeat, seed=12345):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n, dtype=np.float32)
    out = []
    for to, peer, dtype in PEERS:
        sec = time_one(x, dtype, repeat)
        out_bytes = np.dtype(dtype).itemsize
        nbytes = n * (4 + out_bytes)  # read fp32, write one element of the peer's storage
        version = ml_dtypes.__version__ if peer == "ml_dtypes" else np.__version__
        out.append({
            "name": "%s/fp32->%s" % (peer, to),
            "kind": "peer",
            "peer": "%s %s" % (peer, version),
            "device": "cpu",
            "op": "convert",
            "from": "fp32",
            "to": to,
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
    ap.add_argument("--n", type=int, default=1 << 22, help="elements per conversion")
    ap.add_argument("--repeat", type=int, default=9, help="timed runs (median)")
    ap.add_argument("--json", required=True, help="output file ({\"benchmarks\": [...]})")
    args = ap.parse_args(argv)
    if args.n < 1 or args.repeat < 1:
        ap.error("--n and --repeat must be positive")
    records = bench(args.n, args.repeat)
    for r in records:
        print("%-26s %8.3f ms  %7.1f Melem/s" % (r["name"], r["seconds_median"] * 1e3,
                                                (r["elements_per_second"] or 0) / 1e6),
              file=sys.stderr)
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump({"benchmarks": records}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(os.path.abspath(args.json))
    return 0


if __name__ == "__main__":
    sys.exit(main())
