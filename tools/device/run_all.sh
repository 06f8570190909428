#!/usr/bin/env bash
# Everything plumb runs on the GPU machine, in one call: the GPU Catch2 suite,
# `plumb verify` on every kernel (CUDA included) with the result file, and
# `plumb bench` on the machine's CPU next to ml_dtypes. The binaries come from
# the build machine (build/bin, with libbenchmark.so.1debian beside them).
# Usage on the GPU machine, from the repo root: tools/device/run_all.sh
# Writes to $OUT: verify.json.gz, verify.junit.xml.gz, bench.json, logs.tgz;
# prints a summary last.
set -u -o pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$ROOT/build/bin
W=$(mktemp -d)
export PLUMB_PYTHON=${PLUMB_PYTHON:-python3}  # the GPU machine's Python has ml_dtypes
cd "$ROOT" || exit 2

OUT_SAVED=${OUT:-$ROOT/out}
OUT=$W/gpu bash tools/device/gpu_suites.sh "$BIN" >"$W/gpu_suites.txt" 2>&1
gpu_rc=$?
"$BIN/plumb" verify --json "$W/verify.json" --junit "$W/verify.junit.xml" >"$W/verify.txt" 2>"$W/verify.err"
verify_rc=$?
"$BIN/plumb" bench --json "$W/bench.json" >"$W/bench.txt" 2>&1
bench_rc=$?

mkdir -p "$OUT_SAVED"
gzip -c "$W/verify.json" >"$OUT_SAVED/verify.json.gz"
gzip -c "$W/verify.junit.xml" >"$OUT_SAVED/verify.junit.xml.gz"
cp "$W/bench.json" "$OUT_SAVED/bench.json" 2>/dev/null
tar czf "$OUT_SAVED/logs.tgz" -C "$W" gpu gpu_suites.txt verify.txt verify.err bench.txt

echo "=== GPU suite (exit $gpu_rc)"; tail -n 12 "$W/gpu_suites.txt"
echo "=== plumb verify (exit $verify_rc): cuda rows and failures"
grep -E "cuda_plumb|cuda_fast|FAIL|NOT CAUGHT" "$W/verify.txt" | head -n 60
tail -n 2 "$W/verify.txt"; grep -E "^\[" "$W/verify.err" | tail -n 14
echo "=== plumb bench (exit $bench_rc)"; tail -n 90 "$W/bench.txt"
