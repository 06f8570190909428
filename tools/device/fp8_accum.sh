#!/usr/bin/env bash
# tools/device/fp8_accum.sh: the fp8 accumulation study on the GPU machine
# (docs/GEMM_SEMANTICS.md "fp8 accumulation"), one call:
# 1. plumb fp8-accum at the defaults (64 x 64, K = 256 .. 65536, promotion
#    every 128) with the models' fused-adder groups 1, 4, 16, 32;
# 2. the same at 2048 x 2048 outputs (4096 compared), groups 1: a check that
#    the fit does not depend on cuBLASLt's choice of algorithm (split-K) for
#    the small problem.
# Usage, from the repo root: bash tools/device/fp8_accum.sh BIN_DIR (each run
# is stopped after FP8_ACCUM_LIMIT_1 / _2 seconds, default 120 / 90).
# Writes to $OUT: fp8_accumulation.json.gz, fp8_accumulation_2048.json.gz,
# fp8_accum_logs.tgz (stdout tables and stderr progress of both).
set -u -o pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${1:-$ROOT/build/bin}
OUT=${OUT:-$ROOT/out/device}
mkdir -p "$OUT"
W=$(mktemp -d)
export PLUMB_PYTHON=${PLUMB_PYTHON:-python3}
cd "$ROOT" || exit 2
nvidia-smi --query-gpu=name,driver_version --format=csv >"$W/gpu.txt" 2>&1
t0=$SECONDS
timeout "${FP8_ACCUM_LIMIT_1:-120}" "$BIN/plumb" fp8-accum --groups 1,4,16,32 --json "$W/fp8_accumulation.json" >"$W/fp8_accum.txt" 2>"$W/fp8_accum.err"
echo "exit $? in $((SECONDS - t0)) s" >>"$W/fp8_accum.txt"
t1=$SECONDS
timeout "${FP8_ACCUM_LIMIT_2:-90}" "$BIN/plumb" fp8-accum --m 2048 --n 2048 --json "$W/fp8_accumulation_2048.json" >"$W/fp8_accum_2048.txt" \
  2>"$W/fp8_accum_2048.err"
echo "exit $? in $((SECONDS - t1)) s" >>"$W/fp8_accum_2048.txt"
for f in fp8_accumulation fp8_accumulation_2048; do
  [ -f "$W/$f.json" ] && gzip -c "$W/$f.json" >"$OUT/$f.json.gz"
done
tar -C "$W" -czf "$OUT/fp8_accum_logs.tgz" gpu.txt fp8_accum.txt fp8_accum.err fp8_accum_2048.txt fp8_accum_2048.err
cat "$W/fp8_accum.txt" "$W/fp8_accum_2048.txt"
