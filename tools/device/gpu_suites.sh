#!/usr/bin/env bash
# tools/device/gpu_suites.sh: runs plumb's GPU suites on the GPU machine.
#
# The GPU machine has no compilers' dependencies (Catch2, MPFR headers...), so
# the binaries are built on the build machine and carried over: they have an
# $ORIGIN rpath, and any shared library the GPU machine lacks is copied beside
# them. This script runs them directly (ctest cannot run there: its paths are
# the build machine's).
#
# Usage, from the repository root on the GPU machine:
#   tools/device/gpu_suites.sh [BIN_DIR]          # BIN_DIR defaults to build/bin
# Environment:
#   OUT                  folder for the logs (default out/gpu_suites)
#   PLUMB_GPU_SUITES     binaries to run, space-separated (default plumb_cuda_tests)
#   PLUMB_RNG_SEED       Catch --rng-seed (default: a fresh one; it is logged)
#   PLUMB_SUITE_TIMEOUT  seconds per binary (default 480)
#   PLUMB_SUITE_ARGS     extra Catch arguments, e.g. a test name or "[fp16]"
# Output: $OUT/gpu_suites.log (every step), environment.txt, nvidia-smi*.txt,
# <suite>.ldd.txt, <suite>.tests.txt, <suite>.log, summary.txt; the summary is
# printed last. Exit status 0 only when every suite passed: on the GPU machine
# a skipped suite (exit 77, "no usable CUDA device") counts as a failure.
set -u -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${1:-$ROOT/build/bin}
OUT=${OUT:-$ROOT/out/gpu_suites}
SUITES=${PLUMB_GPU_SUITES:-plumb_cuda_tests}
SEED=${PLUMB_RNG_SEED:-$(( (RANDOM << 15 | RANDOM) + 1 ))}
TIMEOUT=${PLUMB_SUITE_TIMEOUT:-480}
EXTRA=${PLUMB_SUITE_ARGS:-}

mkdir -p "$OUT" || { echo "gpu_suites: cannot create $OUT" >&2; exit 2; }
LOG=$OUT/gpu_suites.log
: >"$LOG"
log() { echo "[gpu_suites $(date +%H:%M:%S)] $*" | tee -a "$LOG"; }
have() { command -v "$1" >/dev/null 2>&1; }

log "repo root $ROOT, binaries $BIN, logs $OUT"
log "suites: $SUITES; rng seed $SEED; timeout ${TIMEOUT}s per suite; extra args: ${EXTRA:-none}"

# --- 1. the machine -----------------------------------------------------------
log "step 1: recording the environment (environment.txt)"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(hostname 2>/dev/null || echo unknown)"
  echo "kernel: $(uname -srm)"
  # shellcheck source=/dev/null
  [ -r /etc/os-release ] && (. /etc/os-release && echo "os: ${PRETTY_NAME:-unknown}")
  echo "cpus: $(nproc 2>/dev/null || echo unknown)"
  have free && free -g | sed -n 2p | awk '{print "memory GiB: " $2}'
  echo "glibc: $(ldd --version 2>/dev/null | head -n1)"
  if have nvcc; then echo "nvcc: $(nvcc --version | tail -n1)"; else echo "nvcc: not on PATH"; fi
  if have git && git -C "$ROOT" rev-parse HEAD >/dev/null 2>&1; then
    echo "git: $(git -C "$ROOT" rev-parse HEAD) ($(git -C "$ROOT" status --porcelain | wc -l) changed files)"
  else
    echo "git: unknown (no git metadata here)"
  fi
} >"$OUT/environment.txt" 2>&1
sed 's/^/    /' "$OUT/environment.txt" | tee -a "$LOG"

# --- 2. the GPU ---------------------------------------------------------------
log "step 2: nvidia-smi (nvidia-smi.txt, nvidia-smi-q.txt)"
GPU="unknown"
if have nvidia-smi; then
  nvidia-smi >"$OUT/nvidia-smi.txt" 2>&1 || log "WARNING: nvidia-smi failed (exit $?)"
  nvidia-smi -q >"$OUT/nvidia-smi-q.txt" 2>&1 || true
  GPU=$(nvidia-smi --query-gpu=index,name,driver_version,compute_cap,memory.total \
          --format=csv,noheader 2>/dev/null | paste -sd';' -)
  [ -n "$GPU" ] || GPU="nvidia-smi gave no GPU"
else
  echo "nvidia-smi not found" >"$OUT/nvidia-smi.txt"
  log "WARNING: nvidia-smi not found"
fi
log "GPU: $GPU"

# --- 3. each suite --------------------------------------------------------------
declare -a ROWS=()
FAILED=0
for suite in $SUITES; do
  exe=$BIN/$suite
  log "step 3: suite $suite"
  if [ ! -x "$exe" ]; then
    log "  MISSING: $exe is not there (build it on the build machine and carry $BIN)"
    ROWS+=("$suite|MISSING|-|-|binary not found")
    FAILED=1
    continue
  fi
  # Shared libraries: everything must resolve on this machine.
  if have ldd; then
    ldd "$exe" >"$OUT/$suite.ldd.txt" 2>&1
    if grep -q "not found" "$OUT/$suite.ldd.txt"; then
      missing=$(grep "not found" "$OUT/$suite.ldd.txt" | awk '{print $1}' | paste -sd' ' -)
      log "  MISSING LIBRARIES: $missing (copy them into $BIN on the build machine)"
      ROWS+=("$suite|MISSING_LIBS|-|-|$missing")
      FAILED=1
      continue
    fi
    log "  libraries: $(awk '/=>/{print $1}' "$OUT/$suite.ldd.txt" | paste -sd' ' -)"
  fi
  # The test list (never touches the GPU).
  "$exe" --list-test-names-only >"$OUT/$suite.tests.txt" 2>&1
  log "  $(grep -c . "$OUT/$suite.tests.txt") test cases listed ($suite.tests.txt)"
  # The run.
  log "  running: $exe --rng-seed $SEED --durations yes $EXTRA"
  start=$(date +%s)
  # shellcheck disable=SC2086  # EXTRA is a list of Catch arguments
  timeout --kill-after=10 "$TIMEOUT" "$exe" --rng-seed "$SEED" --durations yes $EXTRA \
    >"$OUT/$suite.log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  totals=$(grep -E "^(All tests passed|test cases:)" "$OUT/$suite.log" | tail -n1)
  case $rc in
    0) status=PASS ;;
    77) status=SKIPPED; totals="exit 77: the binary saw no usable CUDA device" ;;
    124|137) status=TIMEOUT; totals="killed after ${TIMEOUT}s" ;;
    *) status=FAIL ;;
  esac
  [ "$status" = PASS ] || FAILED=1
  log "  $status (exit $rc) in ${secs}s: ${totals:-no Catch totals in the log}"
  ROWS+=("$suite|$status|$rc|${secs}s|${totals:-see log}")
  if [ "$status" != PASS ]; then
    log "  last lines of $suite.log:"
    tail -n 60 "$OUT/$suite.log" | sed 's/^/    | /' | tee -a "$LOG"
  fi
done

# --- 4. summary (printed last) ----------------------------------------------------
{
  echo "==== plumb GPU suites: summary ===="
  echo "GPU: $GPU"
  echo "rng seed: $SEED (rerun with: PLUMB_RNG_SEED=$SEED tools/device/gpu_suites.sh $BIN)"
  printf '%-22s %-12s %-5s %-7s %s\n' suite status exit time totals
  for row in "${ROWS[@]}"; do
    IFS='|' read -r s st rc t tot <<<"$row"
    printf '%-22s %-12s %-5s %-7s %s\n' "$s" "$st" "$rc" "$t" "$tot"
  done
  if [ "$FAILED" = 0 ]; then echo "RESULT: all GPU suites passed"; else echo "RESULT: FAILED (logs in $OUT)"; fi
} >"$OUT/summary.txt"
cat "$OUT/summary.txt" >>"$LOG"
cat "$OUT/summary.txt"
exit "$FAILED"
