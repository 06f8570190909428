#!/usr/bin/env bash
# cuda_fast tuning and peer checks on the GPU machine, in one call. Steps
# (all by default, or the ones named after BIN):
#   variants  tools/cuda_fast/fast_variants (FAST_VARIANTS_HW=1: the e4m3fn /
#             e5m2 hardware path's shapes instead): kernel variants next to the copy
#             and "movement" ceilings (CUDA events, 100 us spin before each
#             start, median), outputs rotating and one reused output;
#   torch     torch_convert_bench.py, timed the same way, with rotating
#             outputs (copy_), and with TORCH_REUSE set also x.to(dtype) (one
#             reused output: the same times on the H100);
#   tests     plumb_cuda_tests "[cuda_fast]": cuda_fast == cpu_scalar, bit for bit
#             (~65 s on the H100: the hardware path on all 2^32 fp32 inputs);
#   verify    plumb verify --kernel cuda_fast on the fp32-source suites (vs MPFR);
#   peer      plumb verify --suite torch: torch's conversions on CPU and CUDA vs MPFR;
#   bench     plumb bench --filter BENCH_FILTER (default: every GPU row), with
#             cuda/copy and the torch peer.
# Usage from the repo root: bash tools/device/cuda_fast_tuning.sh [BIN [STEP...]]
# (BIN: the carried binaries, default build/bin, with libbenchmark beside them).
# Writes to $OUT: variants.txt, torch_bench.json, verify_torch.json.gz,
# verify_cuda_fast.json.gz, bench_cuda.json, logs.tgz; prints a summary last.
set -u -o pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
BIN=$(cd "${1:-build/bin}" && pwd)
shift || true
STEPS=${*:-variants torch tests verify peer bench}
W=$(mktemp -d)
OUT_SAVED=${OUT:-$ROOT/out}
mkdir -p "$OUT_SAVED"
export PLUMB_PYTHON=${PLUMB_PYTHON:-python3} PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.mem,temperature.gpu,power.draw \
  --format=csv >"$W/gpu.txt" 2>&1
step() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$W/steps.txt"; }
want() { [[ " $STEPS " == *" $1 "* ]]; }
v_rc=- t_rc=- f_rc=- p_rc=- b_rc=-

if want variants; then
  step "fast_variants"
  timeout 100 "$BIN/fast_variants" 67108864 4 100 >"$W/variants.txt" 2>&1; v_rc=$?
fi
if want torch; then
  step "torch_convert_bench (rotating outputs, x.to)"
  timeout 40 python3 kernels/peers/torch_convert_bench.py --json "$W/torch_bench.json" \
    >"$W/torch_bench.txt" 2>&1
  [ -n "${TORCH_REUSE:-}" ] && timeout 40 python3 kernels/peers/torch_convert_bench.py \
    --outputs reuse --json "$W/torch_reuse.json" >"$W/torch_reuse.txt" 2>&1
fi
if want tests; then
  step "plumb_cuda_tests [cuda_fast]"
  timeout 150 "$BIN/plumb_cuda_tests" "[cuda_fast]" --durations yes >"$W/cuda_fast_tests.txt" 2>&1
  t_rc=$?
fi
if want verify; then
  step "plumb verify --kernel cuda_fast (fp32 suites)"
  timeout 60 "$BIN/plumb" verify --kernel cuda_fast --no-oracle-agreement --suite edge_cases_fp32 \
    --suite random_fp32 --suite exmy_sweep --json "$W/verify_cuda_fast.json" \
    >"$W/verify_cuda_fast.txt" 2>"$W/verify_cuda_fast.err"; f_rc=$?
fi
if want peer; then
  step "plumb verify --suite torch"
  timeout 60 "$BIN/plumb" verify --suite torch --json "$W/verify_torch.json" >"$W/verify_torch.txt" \
    2>"$W/verify_torch.err"; p_rc=$?
fi
if want bench; then
  step "plumb bench (GPU rows)"
  timeout 130 "$BIN/plumb" bench --filter "${BENCH_FILTER:-cuda_}" --json "$W/bench.json" \
    >"$W/bench.txt" 2>"$W/bench.err"; b_rc=$?
fi
step "done"

cp "$W/variants.txt" "$W/torch_bench.json" "$W/bench.json" "$OUT_SAVED/" 2>/dev/null
cp "$W/bench.json" "$OUT_SAVED/bench_cuda.json" 2>/dev/null
gzip -c "$W/verify_torch.json" >"$OUT_SAVED/verify_torch.json.gz" 2>/dev/null
gzip -c "$W/verify_cuda_fast.json" >"$OUT_SAVED/verify_cuda_fast.json.gz" 2>/dev/null
tar czf "$OUT_SAVED/logs.tgz" -C "$W" . 2>/dev/null

cat "$W/gpu.txt" 2>/dev/null
echo "=== fast_variants (exit $v_rc)"; cat "$W/variants.txt" 2>/dev/null
echo "=== torch (rotating outputs)"; grep -E "Gelem" "$W/torch_bench.txt" 2>/dev/null
echo "=== torch (x.to, one reused output)"; grep -E "Gelem" "$W/torch_reuse.txt" 2>/dev/null
echo "=== plumb_cuda_tests [cuda_fast] (exit $t_rc)"; tail -n 4 "$W/cuda_fast_tests.txt" 2>/dev/null
echo "=== verify cuda_fast (exit $f_rc)"; grep -E "FAIL" "$W/verify_cuda_fast.txt" 2>/dev/null | head -n 5
tail -n 1 "$W/verify_cuda_fast.txt" 2>/dev/null
echo "=== verify torch (exit $p_rc)"; grep -E "cuda|FAIL|incorrect" "$W/verify_torch.txt" 2>/dev/null | head -n 40
tail -n 1 "$W/verify_torch.txt" 2>/dev/null
echo "=== bench (exit $b_rc)"; grep -E "ERROR|differ" "$W/bench.err" 2>/dev/null | head -n 5
grep -E "^(cuda|convert/cuda|torch)" "$W/bench.txt" 2>/dev/null
