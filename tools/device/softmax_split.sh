#!/usr/bin/env bash
# Issue 5, session 3c: online softmax on long rows split over the chip in
# L2-sized waves (softmax_cuda_fast.cu, split_kernel). Device call: the
# online rows of `plumb bench --softmax` (torch and the copy beside them),
# the [softmax] tests and verify, then plumb_softmax_bench at 32768 / 262144
# columns and the copy under each PLUMB_SOFTMAX_WAVE_MB / SPLIT_COLS setting
# given as "MB:COLS" arguments. Usage from the repo root:
#   tools/device/softmax_split.sh BIN [MB:COLS ...]; logs in $OUT/split/.
# The split kernel and its PLUMB_SOFTMAX_* settings are not in the tree (slower
# than the cluster path, softmax_cuda_tuning.md session 3c): apply
# tools/cuda_softmax/split_waves.patch to build them. At most 8 files come back
# from $OUT: pass at most 4 settings, or tar the logs.
set -u -o pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
BIN=$1; shift
L=${OUT:-$ROOT/out}/split
mkdir -p "$L"
export PLUMB_PYTHON=${PLUMB_PYTHON:-python3}
for d in /usr/local/cuda/lib64 /usr/local/cuda/lib; do [ -d "$d" ] && export LD_LIBRARY_PATH=$d:${LD_LIBRARY_PATH:-}; done
export LD_LIBRARY_PATH=$BIN:${LD_LIBRARY_PATH:-}
echo "=== plumb bench --softmax, online rows, default settings"
timeout 90 "$BIN/plumb" bench --softmax --filter '^softmax/cuda_online' --json "$L/bench_softmax.json" >"$L/bench.txt" 2>&1
echo "exit $?" >>"$L/bench.txt"
python3 tools/cuda_softmax/tuning_table.py "$L/bench_softmax.json" >"$L/table.md" 2>&1; cat "$L/table.md" | head -40
timeout 70 "$BIN/plumb_cuda_tests" "[softmax]" --rng-seed 1 --durations yes >"$L/tests.txt" 2>&1
echo "exit $?" >>"$L/tests.txt"
tail -n 9 "$L/tests.txt"
timeout 45 "$BIN/plumb" verify --suite softmax --device cuda --seed 1 >"$L/verify.txt" 2>&1
echo "exit $?" >>"$L/verify.txt"
grep -E "FAIL|NOT CAUGHT|incorrect" "$L/verify.txt" | head -n 10; tail -n 4 "$L/verify.txt"
for s in "$@"; do
  mb=${s%%:*}; cols=${s##*:}
  echo "=== wave ${mb} MB, split from ${cols} columns"
  PLUMB_SOFTMAX_WAVE_MB=$mb PLUMB_SOFTMAX_SPLIT_COLS=$cols timeout 40 "$BIN/plumb_softmax_bench" \
    --benchmark_filter='^cuda/copy/|^softmax/cuda_online/.*cols:(32768|262144)/' \
    --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>&1 | grep -E "_median|rror" | tee "$L/bench_${mb}_${cols}.txt"
done
