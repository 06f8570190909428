#!/usr/bin/env bash
# CUDA softmax on the GPU machine, one call (issue 5): the fast paths'
# shortcuts checked bit for bit (tools/cuda_softmax/fast_math_check.cu, built
# here with the machine's nvcc), plumb_cuda_tests "[softmax]", the CUDA cells
# of `plumb verify --suite softmax`, then `plumb bench --softmax` on the CUDA
# kernels with torch.softmax and the copy of the same run in one result file.
# Binaries from the build machine in $1 (default build-softmax/dev: plumb,
# plumb_cuda_tests, plumb_softmax_bench, plumb_bench, libbenchmark.so.1debian).
# Usage from the repo root: tools/device/softmax_fast.sh [BIN]; writes
# $OUT/softmax_fast/ (logs, bench_softmax.json, SASS) step by step, each step
# under a time limit, and prints a summary.
set -u -o pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
BIN=${1:-$ROOT/build-softmax/dev}
L=${OUT:-$ROOT/out}/softmax_fast  # written as it goes: what a time-out leaves still comes back
mkdir -p "$L"
export PLUMB_PYTHON=${PLUMB_PYTHON:-python3}
T=${SOFTMAX_FAST_STEP_S:-70}  # each step's time limit, seconds
{
  nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,clocks.max.mem --format=csv
  echo "=== plumb bench --softmax"
  timeout 130 "$BIN/plumb" bench --softmax --filter '^softmax/cuda_' --json "$L/bench_softmax.json" 2>&1
  echo "exit $?"
  echo "=== table"; python3 tools/cuda_softmax/tuning_table.py "$L/bench_softmax.json" 2>&1
  echo "=== fast_math_check"
  nvcc -std=c++20 -O3 -gencode=arch=compute_90a,code=sm_90a -Ikernels/include -Iformats/include \
    tools/cuda_softmax/fast_math_check.cu -o /tmp/fast_math_check 2>&1 && timeout 30 /tmp/fast_math_check 1 2>&1
  echo "exit $?"
} >"$L/bench_and_checks.txt" 2>&1
timeout "$T" "$BIN/plumb_cuda_tests" "[softmax]" --rng-seed 1 --durations yes >"$L/tests.txt" 2>&1
echo "exit $?" >>"$L/tests.txt"
timeout 45 "$BIN/plumb" verify --suite softmax --device cuda --seed 1 >"$L/verify.txt" 2>&1
echo "exit $?" >>"$L/verify.txt"
if command -v cuobjdump >/dev/null; then  # the fast kernels' SASS, instructions per kernel
  cuobjdump -sass "$BIN/plumb_softmax_bench" 2>&1 | awk '/Function :/{keep = ($3 ~ /softmax_cuda_fast/)} keep' \
    >"$L/sass_softmax.txt"
  awk '/Function :/{f=$3} /^ +\/\*[0-9a-f]+\*\//{n[f]++} END{for (k in n) print n[k], k}' "$L/sass_softmax.txt" |
    sort -k2 >"$L/sass_counts.txt"
  gzip "$L/sass_softmax.txt"
fi
echo "=== bench and checks"; grep -E "^===|exit|differ|seed|softmax|copy" "$L/bench_and_checks.txt" | tail -n 75
echo "=== plumb_cuda_tests [softmax]"; tail -n 8 "$L/tests.txt"
echo "=== plumb verify --suite softmax --device cuda"; grep -E "FAIL|NOT CAUGHT|incorrect" "$L/verify.txt" | head -n 10
tail -n 4 "$L/verify.txt"
