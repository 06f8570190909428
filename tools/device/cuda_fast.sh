#!/usr/bin/env bash
# cuda_fast on the GPU machine, in one call: every verify suite on cuda_fast
# (bit-exact against MPFR, via the registry), then `plumb bench` restricted to
# the GPU rows (cuda/copy, cuda_fast, cuda_plumb, torch peer), full sizes
# (64M fp32 x 4 buffers). Binaries from build/bin (libbenchmark beside them).
# Usage from the repo root: bash tools/device/cuda_fast.sh
# Writes to $OUT: verify_cuda_fast.json.gz, bench_cuda.json, logs.tgz.
set -u -o pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$ROOT/build/bin
W=$(mktemp -d)
export PLUMB_PYTHON=${PLUMB_PYTHON:-python3}  # the GPU machine's Python has torch
cd "$ROOT" || exit 2
OUT_SAVED=${OUT:-$ROOT/out}
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem,temperature.gpu,power.draw --format=csv >"$W/gpu.txt" 2>&1
"$BIN/plumb" verify --kernel cuda_fast --json "$W/verify.json" >"$W/verify.txt" 2>"$W/verify.err"
verify_rc=$?
"$BIN/plumb" bench --filter 'cuda_' --json "$W/bench.json" >"$W/bench.txt" 2>"$W/bench.err"
bench_rc=$?
mkdir -p "$OUT_SAVED"
gzip -c "$W/verify.json" >"$OUT_SAVED/verify_cuda_fast.json.gz" 2>/dev/null
cp "$W/bench.json" "$OUT_SAVED/bench_cuda.json" 2>/dev/null
tar czf "$OUT_SAVED/logs.tgz" -C "$W" gpu.txt verify.txt verify.err bench.txt bench.err
cat "$W/gpu.txt"
echo "=== plumb verify --kernel cuda_fast (exit $verify_rc)"
grep -E "FAIL|NOT CAUGHT|error" "$W/verify.txt" | head -n 30; tail -n 3 "$W/verify.txt"
echo "=== plumb bench --filter cuda_ (exit $bench_rc)"
grep -E "ERROR|differ" "$W/bench.err" | head -n 10
grep -vE "^(memcpy|convert/cpu_|ml_dtypes)" "$W/bench.txt" | tail -n 50
