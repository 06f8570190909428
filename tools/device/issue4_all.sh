#!/usr/bin/env bash
# tools/device/issue4_all.sh: everything issue 4 needs from the GPU machine in
# one call: run_all.sh (GPU Catch2 suites incl. cuda_block, intrinsics, seeded
# SR, cuda_fast; `plumb verify` with every suite incl. block_formats, torch,
# exhaustive_fp32; `plumb bench`), the per-sweep timings (sweep.sh), a
# quant-error rerun (to compare with the build machine's figures) and
# `plumb quantize --kernel cuda_block --check`.
# Usage on the GPU machine, from the repo root. Writes to $OUT (8 files):
# run_all.sh: verify.json.gz, verify.junit.xml.gz, bench.json, logs.tgz;
# sweep.json.gz, sweep_seconds.txt, quant_error.json, extra_logs.tgz.
set -u -o pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$ROOT/build/bin
OUT=${OUT:-$ROOT/out/device}
mkdir -p "$OUT"
W=$(mktemp -d)
export PLUMB_PYTHON=${PLUMB_PYTHON:-python3}
cd "$ROOT" || exit 2
t0=$SECONDS
OUT=$OUT bash tools/device/run_all.sh >"$W/run_all.txt" 2>&1
echo "run_all exit $? in $((SECONDS - t0)) s" >>"$W/run_all.txt"
t1=$SECONDS
OUT=$W/sweep bash tools/device/sweep.sh "$BIN" >"$W/sweep.txt" 2>&1
echo "sweep exit $? in $((SECONDS - t1)) s" >>"$W/sweep.txt"
gzip -c "$W/sweep/sweep.json" >"$OUT/sweep.json.gz" 2>/dev/null
cp "$W/sweep/sweep_seconds.txt" "$OUT/" 2>/dev/null
"$BIN/plumb" quant-error --out "$W/quant_error.json" >"$W/quant_error.txt" 2>&1
echo "quant-error exit $?" >>"$W/quant_error.txt"
python3 - "$W" >"$W/quantize.txt" 2>&1 <<'PY'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(11)
x = rng.standard_t(3, size=(256, 272)).astype(np.float32)
x[0, :16] = 0; x[1, 3] = np.inf; x[2, 5] = np.nan; x[3, :] *= 1e-40
np.save(f"{d}/x.npy", x)
PY
for spec in "nvfp4" "nvfp4 --hadamard 7 --sr 3" "mxfp4 --layout cols" "mxint8 --layout tile_2d" "nvint4 --rule nv_exact"; do
  # shellcheck disable=SC2086
  "$BIN/plumb" quantize --format $spec --kernel cuda_block --in "$W/x.npy" --out "$W/q" --check >>"$W/quantize.txt" 2>&1
  echo "quantize $spec: exit $?" >>"$W/quantize.txt"
done
cp "$W/quant_error.json" "$OUT/" 2>/dev/null
tar czf "$OUT/extra_logs.tgz" -C "$W" --exclude x.npy --exclude 'q.*' .
echo "=== run_all"; tail -n 60 "$W/run_all.txt"
echo "=== sweep"; tail -n 8 "$W/sweep.txt"
echo "=== quant-error"; tail -n 4 "$W/quant_error.txt"
echo "=== quantize cuda_block --check"; grep -E "check:|exit" "$W/quantize.txt"
echo "total $((SECONDS - t0)) s"
