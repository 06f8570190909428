#!/usr/bin/env bash
# tools/device/sweep.sh: the exhaustive 2^32 fp32 sweeps on the GPU machine.
# Runs the sweep tests of plumb_cuda_tests ("[sweep]") and
# `plumb verify --suite exhaustive_fp32`, then prints the seconds of every
# sweep (format x rounding/overflow) and their total.
#
# Usage on the GPU machine, from the repo root: tools/device/sweep.sh [BIN_DIR]
#   BIN_DIR defaults to build/bin (built on the build machine and carried).
# Environment: OUT (default out/sweep), PLUMB_SWEEP_SEED (plumb verify --seed, default 1).
# Writes to $OUT: sweep.json (the result file), sweep_tests.log, sweep_verify.log,
# sweep_seconds.txt (one line per sweep). Exit status 0 only when both passed.
set -u -o pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${1:-$ROOT/build/bin}
OUT=${OUT:-$ROOT/out/sweep}
SEED=${PLUMB_SWEEP_SEED:-1}
mkdir -p "$OUT" || { echo "sweep: cannot create $OUT" >&2; exit 2; }
cd "$ROOT" || exit 2

nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,temperature.gpu,power.draw \
  --format=csv,noheader 2>/dev/null | sed 's/^/GPU: /'

echo "=== plumb_cuda_tests [sweep]"
timeout 300 "$BIN/plumb_cuda_tests" "[sweep]" --durations yes >"$OUT/sweep_tests.log" 2>&1
tests_rc=$?
grep -E "^exhaustive fp32|passed|failed|FAILED|SKIPPED|error" "$OUT/sweep_tests.log" | head -n 30
echo "(exit $tests_rc)"

echo "=== plumb verify --suite exhaustive_fp32 --seed $SEED"
start=$SECONDS
timeout 560 "$BIN/plumb" verify --suite exhaustive_fp32 --seed "$SEED" --json "$OUT/sweep.json" \
  >"$OUT/sweep_verify.log" 2>&1
verify_rc=$?
grep -E "^\[exhaustive_fp32\] [0-9]+ sweeps|FAILURE|NOT caught|cells:" "$OUT/sweep_verify.log" | head -n 20
echo "(exit $verify_rc; wall $((SECONDS - start)) s, setup and host work included)"

# Seconds of every sweep: one line each to sweep_seconds.txt, and a table
# (rows: formats; columns: rounding mode x overflow policy, then the planted sweep).
if [ -s "$OUT/sweep.json" ] && command -v python3 >/dev/null 2>&1; then
  python3 - "$OUT/sweep.json" "$OUT/sweep_seconds.txt" <<'EOF'
import json, sys
verdicts = [v for v in json.load(open(sys.argv[1]))["verdicts"] if v["suite"] == "exhaustive_fp32"]
short = {"nearest_even": "rne", "nearest_away": "rna", "toward_zero": "rtz", "upward": "ru",
         "downward": "rd", "odd": "ro", "stochastic": "sr8"}
pol = {"saturate": "s", "infinity": "i", "nan": "n"}
cols, rows, cells = [], [], {}
with open(sys.argv[2], "w") as f:
    for v in verdicts:
        planted = v["expected_failure"]
        col = "plant" if planted else short[v["rounding"]] + "/" + pol[v["overflow"]]
        if v["cases"] == 0:  # skipped or an error
            print(f"  {v['kernel']} {v['to']} {col}: {v['disposition']}: {v['message']}")
            continue
        if col not in cols: cols.append(col)
        if v["to"] not in rows: rows.append(v["to"])
        cells[(v["to"], col)] = v
        f.write(f"{v['to']:9s} {v['rounding']:12s} {v['overflow']:8s} {v['kernel']:22s} "
                f"{v['seconds']:.4f} s  {v['mismatches']} mismatches  {v['disposition']}\n")
if not cells:
    sys.exit(0)
print("seconds per sweep of 2^32 fp32 codes (* = mismatches; expected in the planted column)")
print(f"{'':9s}" + "".join(f"{c:>7s}" for c in cols))
for r in rows:
    line = f"{r:9s}"
    for c in cols:
        v = cells.get((r, c))
        line += f"{'':>7s}" if v is None else f"{v['seconds']:6.3f}{'*' if v['mismatches'] else ' '}"
    print(line)
secs = sorted(v["seconds"] for v in cells.values())
total = sum(secs)
print(f"{len(secs)} sweeps: total {total:.2f} s, median {secs[len(secs)//2]:.3f} s, "
      f"min {secs[0]:.3f} s, max {secs[-1]:.3f} s, {len(secs) * 2**32 / total / 1e9:.1f} G inputs/s")
EOF
else
  echo "no sweep.json or no python3: see $OUT/sweep_verify.log"
fi
[ "$tests_rc" -eq 0 ] && [ "$verify_rc" -eq 0 ]
