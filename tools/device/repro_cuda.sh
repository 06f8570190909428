#!/usr/bin/env bash
# tools/device/repro_cuda.sh: plumb repro --device cuda on the GPU machine
# (issue 7, GPU slice; docs/REPRO_SEMANTICS.md "GPU axes"). The binaries are
# built on the build machine and carried (with libmpfr / libgmp beside them).
#
# Usage, from the repository root on the GPU machine:
#   tools/device/repro_cuda.sh [BIN_DIR]     # BIN_DIR defaults to build-reprocuda/dev
# Output under $OUT (default out/repro_cuda): repro_cuda.txt (every command and
# its output, exit statuses) and json/*.json (one result file per plumb run).
# Each run has its own time limit, so one failing run does not hide the others.
set -u -o pipefail

BIN=${1:-build-reprocuda/dev}
OUT=${OUT:-out/repro_cuda}
mkdir -p "$OUT/json" || { echo "repro_cuda: cannot create $OUT" >&2; exit 2; }
export LD_LIBRARY_PATH="$BIN:${LD_LIBRARY_PATH:-}:/usr/local/cuda/lib64"
export PLUMB_PYTHON=${PLUMB_PYTHON:-python3}
LOG=$OUT/repro_cuda.txt
: >"$LOG"
failed=0
run() {
  echo "\$ $*" | tee -a "$LOG"
  "$@" 2>&1 | tee -a "$LOG"
  local rc=${PIPESTATUS[0]}
  echo "exit status $rc" | tee -a "$LOG"
  [ "$rc" -eq 0 ] || failed=1
}

{ date -u; nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,memory.total --format=csv; } 2>&1 | tee -a "$LOG"
for dt in bf16 fp32; do
  run timeout 45 "$BIN/plumb" repro --device cuda --op gemm --dtype "$dt" --rows 64 --cols 4096 --n 256 \
    --axis batch,workspace,atomics,recipe,streams,repeats,fresh --repeats 5 --json "$OUT/json/gemm_$dt.json"
done
run timeout 60 "$BIN/plumb_cuda_tests" "[repro]" --durations yes
# The cost of invariance where the GEMM is big enough to time (no reference: 2^36 products).
for dt in bf16 fp32; do
  run timeout 25 "$BIN/plumb" repro --device cuda --op gemm --dtype "$dt" --rows 4096 --cols 4096 --n 4096 \
    --axis repeats --no-reference --json "$OUT/json/gemm_${dt}_4096.json"
done
run timeout 20 "$BIN/plumb" repro --device cuda --op sum --rows 64 --cols 65536 --axis batch,streams,repeats \
  --repeats 5 --json "$OUT/json/sum_fp32.json"
echo "repro_cuda: $([ $failed -eq 0 ] && echo 'every run exited 0' || echo 'some run exited non-zero')" | tee -a "$LOG"
exit $failed
