#!/usr/bin/env bash
# tools/device/session_final.sh: the GPU checks and measurements of a session's
# changes to GEMM, softmax, L-Mul and repro, in one call on the GPU machine
# (binaries built on the build machine into $PLUMB_BIN, default build-dev/bin):
#   1. plumb_cuda_tests, every GPU test case (gpu_suites.sh)
#   2. plumb verify --suite gemm --suite softmax --suite lmul (CPU and CUDA cells)
#   3. plumb bench --gemm --quick (GEMM rows next to cuBLAS bf16, same run)
#   4. plumb bench --softmax --lmul, GPU rows (next to cuda/copy and torch.softmax)
#   5. plumb fp8-accum (when PLUMB_FP8_ACCUM=1)
# PLUMB_SKIP_SUITES=1 / PLUMB_SKIP_VERIFY=1 leave out steps 1 / 2.
#   6. plumb report over the result files
# Writes to $OUT: verify_ops.json.gz, bench_gemm.json, bench_ops.json,
# fp8_accum.json, report.html, logs.tgz; prints a summary.
set -u -o pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${PLUMB_BIN:-$ROOT/build-dev/bin}
OUT=${OUT:-$ROOT/out/session_final}
mkdir -p "$OUT"
W=$(mktemp -d)
export PLUMB_PYTHON=${PLUMB_PYTHON:-python3}
# cuBLASLt is linked dynamically: find the GPU machine's libcublasLt.so.13.
for d in /usr/local/cuda/lib64 /usr/local/cuda/lib /usr/local/cuda-13.0/lib64; do
  [ -d "$d" ] && export LD_LIBRARY_PATH=$d:${LD_LIBRARY_PATH:-}
done
if ! ldd "$BIN/plumb" | grep -q "libcublasLt.so.13 => /"; then
  f=$(find / -name "libcublasLt.so.13*" -not -path "/proc/*" 2>/dev/null | head -1)
  [ -n "$f" ] && export LD_LIBRARY_PATH=$(dirname "$f"):${LD_LIBRARY_PATH:-}
fi
cd "$ROOT" || exit 2
t0=$SECONDS
gpu_rc=skipped
if [ "${PLUMB_SKIP_SUITES:-0}" != 1 ]; then
  PLUMB_SUITE_TIMEOUT=${PLUMB_SUITE_TIMEOUT:-300} OUT=$W/gpu bash tools/device/gpu_suites.sh "$BIN" >"$W/gpu_suites.txt" 2>&1
  gpu_rc=$?
fi
t1=$SECONDS
verify_rc=skipped
if [ "${PLUMB_SKIP_VERIFY:-0}" != 1 ]; then
  "$BIN/plumb" verify --suite gemm --suite softmax --suite lmul --json "$W/verify_ops.json" >"$W/verify.txt" 2>"$W/verify.err"
  verify_rc=$?
fi
t2=$SECONDS
"$BIN/plumb" bench --gemm --quick --filter '^gemm/' --json "$W/bench_gemm.json" >"$W/bench_gemm.txt" 2>"$W/bench_gemm.err"
gemm_rc=$?
t3=$SECONDS
"$BIN/plumb" bench --softmax --lmul --filter '^(softmax/cuda|lmul/cuda)' --json "$W/bench_ops.json" >"$W/bench_ops.txt" 2>"$W/bench_ops.err"
ops_rc=$?
t4=$SECONDS
acc_rc=-
if [ "${PLUMB_FP8_ACCUM:-0}" = 1 ]; then
  "$BIN/plumb" fp8-accum --json "$W/fp8_accum.json" >"$W/fp8_accum.txt" 2>"$W/fp8_accum.err"
  acc_rc=$?
fi
t5=$SECONDS
reports=()
for f in verify_ops.json bench_gemm.json bench_ops.json; do [ -f "$W/$f" ] && reports+=("$W/$f"); done
[ -f "$W/fp8_accum.json" ] && reports+=("$W/fp8_accum.json")
"$BIN/plumb" report "${reports[@]}" -o "$W/report.html" >"$W/report.txt" 2>&1
report_rc=$?
gzip -c "$W/verify_ops.json" >"$OUT/verify_ops.json.gz" 2>/dev/null
for f in bench_gemm.json bench_ops.json fp8_accum.json report.html; do cp "$W/$f" "$OUT/" 2>/dev/null; done
tar czf "$OUT/logs.tgz" -C "$W" --exclude verify_ops.json --exclude report.html .
echo "=== GPU suites (exit $gpu_rc, $((t1 - t0)) s)"; tail -n 8 "$W/gpu_suites.txt" 2>/dev/null
echo "=== plumb verify gemm softmax lmul (exit $verify_rc, $((t2 - t1)) s)"
grep -E "^FAIL|NOT CAUGHT" "$W/verify.txt" 2>/dev/null | head -n 20; tail -n 2 "$W/verify.txt" 2>/dev/null
echo "=== plumb bench --gemm --quick (exit $gemm_rc, $((t3 - t2)) s)"
grep -E "^gemm/.*(8192x8192x8192|x4096x4096|x8192x8192)" "$W/bench_gemm.txt" | head -n 60
echo "=== plumb bench --softmax --lmul GPU rows (exit $ops_rc, $((t4 - t3)) s)"
grep -E "^(softmax/cuda_online/|softmax/cuda_two_pass|softmax/cuda_three|lmul/cuda|torch/softmax|cuda/copy)" "$W/bench_ops.txt" | head -n 60
echo "=== fp8-accum (exit $acc_rc, $((t5 - t4)) s); report (exit $report_rc)"
[ -f "$W/fp8_accum.txt" ] && tail -n 15 "$W/fp8_accum.txt"
