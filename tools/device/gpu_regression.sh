#!/usr/bin/env bash
# tools/device/gpu_regression.sh: the GPU checks of a change, in one call, on
# the GPU machine (binaries built on the build machine into build/bin):
#   1. plumb_cuda_tests, every GPU test case (gpu_suites.sh: environment, log)
#   2. plumb verify --suite exhaustive_fp32: cuda_plumb and NVIDIA's
#      intrinsics over all 2^32 fp32 inputs (plus any extra suites in
#      PLUMB_VERIFY_SUITES, e.g. "block_formats softmax lmul")
#   3. plumb bench, GPU rows only (copy, cuda_fast, cuda_plumb, torch)
# Usage, from the repo root: tools/device/gpu_regression.sh
# Writes to $OUT: verify.json.gz, bench.json, logs.tgz; prints a summary.
set -u -o pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$ROOT/build/bin
OUT=${OUT:-$ROOT/out/gpu_regression}
mkdir -p "$OUT"
W=$(mktemp -d)
export PLUMB_PYTHON=${PLUMB_PYTHON:-python3}
cd "$ROOT" || exit 2
t0=$SECONDS
OUT=$W/gpu bash tools/device/gpu_suites.sh "$BIN" >"$W/gpu_suites.txt" 2>&1
gpu_rc=$?
t1=$SECONDS
suites=(--suite exhaustive_fp32)
for s in ${PLUMB_VERIFY_SUITES:-}; do suites+=(--suite "$s"); done
"$BIN/plumb" verify "${suites[@]}" --json "$W/verify.json" >"$W/verify.txt" 2>"$W/verify.err"
verify_rc=$?
t2=$SECONDS
"$BIN/plumb" bench --filter "${PLUMB_BENCH_FILTER:-cuda|torch}" --json "$W/bench.json" >"$W/bench.txt" 2>&1
bench_rc=$?
t3=$SECONDS
gzip -c "$W/verify.json" >"$OUT/verify.json.gz" 2>/dev/null
cp "$W/bench.json" "$OUT/" 2>/dev/null
tar czf "$OUT/logs.tgz" -C "$W" --exclude verify.json --exclude bench.json .
echo "=== GPU suites (exit $gpu_rc, $((t1 - t0)) s)"; tail -n 6 "$W/gpu_suites.txt"
echo "=== plumb verify ${suites[*]} (exit $verify_rc, $((t2 - t1)) s)"
grep -E "FAIL|NOT CAUGHT|cuda_nv_intrinsics" "$W/verify.txt" | head -n 40
tail -n 2 "$W/verify.txt"
echo "=== plumb bench GPU rows (exit $bench_rc, $((t3 - t2)) s)"
grep -E "^(cuda/|convert/cuda|torch/|softmax|lmul)" "$W/bench.txt" | grep -v manual_time | head -n 60
