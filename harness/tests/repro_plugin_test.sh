#!/bin/sh
# plumb repro --plugin (docs/REPRO_SEMANTICS.md "Plugin kernels"): the example
# plugin's GEMM and softmax (plain loops) come out batch-invariant and
# repeatable, in this process and in fresh ones; the batch-variant plugin's
# GEMM (split-K = 16 / M) is reported "varies" on the batch axis with a
# nonzero ULP spread; a crashing kernel is kernel_error rows while the run
# goes on; axes the ABI has no knob for are "not applicable".
# Usage: repro_plugin_test.sh PATH/TO/plumb FOLDER/WITH/PLUGINS
set -u
PLUMB="$1"
LIB="$2"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
has() {  # has FILE FIXED-STRING WHAT
  if grep -qF -- "$2" "$1"; then echo "ok: $3"; else fail "$3: no line with [$2]"; sed 's/^/    /' "$1" | tail -30; fi
}
B="--batches 1,2,3,5,8,16,17,32"

# 1. The example plugin's GEMM: invariant on batch and threads, repeatable in and across processes.
"$PLUMB" repro --plugin "$LIB/libplumb_example_plugin.so" --op gemm --axis all --rows 16 --cols 256 $B \
  --json "$TMP/g.json" > "$TMP/g.txt" 2> "$TMP/g.err"
rc=$?; [ $rc = 0 ] || fail "example gemm: exit $rc (expected 0)"
has "$TMP/g.txt" "default: plugin kernel example_gemm_naive" "example gemm: the default column is the plugin kernel"
[ "$(grep -c 'verdict: default invariant' "$TMP/g.txt")" = 2 ] || fail "example gemm: batch and threads not both invariant"
[ "$(grep -c 'verdict: default repeatable' "$TMP/g.txt")" = 2 ] || fail "example gemm: repeats and fresh not both repeatable"
has "$TMP/g.txt" "built-in default kernel's witness" "example gemm: the witness is the built-in kernel's"
has "$TMP/g.txt" "axis split: not applicable to a plugin kernel" "split: not applicable"
has "$TMP/g.txt" "axis gpus: not applicable to a plugin kernel" "gpus: not applicable"
has "$TMP/g.txt" "kernel_error: 0" "example gemm: no kernel_error"
has "$TMP/g.txt" "concurrent calls (threads axis): 8 groups, 0 with outputs not bitwise identical" "threads: concurrent calls agree"
has "$TMP/g.err" "fresh process 2" "fresh processes ran"
has "$TMP/g.json" '"default_kernel"' "JSON names the default kernel"
has "$TMP/g.json" '"not_applicable"' "JSON lists the not-applicable axes"

# 2. The example plugin's softmax, in process (threads: real thread-safety test).
"$PLUMB" repro --plugin "$LIB/libplumb_example_plugin.so" --plugin-in-process --op softmax --axis batch,threads,repeats \
  --rows 16 --cols 1024 $B > "$TMP/s.txt" 2>&1
rc=$?; [ $rc = 0 ] || fail "example softmax: exit $rc (expected 0)"
has "$TMP/s.txt" "default: plugin kernel example_softmax_fp64" "example softmax: the default column is the plugin kernel"
grep -A12 "^axis batch" "$TMP/s.txt" | grep -qF "verdict: default invariant (worst spread 0 ULP)" ||
  fail "example softmax: batch axis not invariant"
grep -A12 "^axis batch" "$TMP/s.txt" | grep -qF "vacuity: observable" || fail "example softmax: batch axis not observable"
has "$TMP/s.txt" "verdict: default repeatable" "example softmax: repeatable"

# 3. The batch-variant GEMM: varies on the batch axis with a nonzero spread; exit 1.
"$PLUMB" repro --plugin "$LIB/libplumb_batch_variant_plugin.so" --kernel batch_variant_gemm_splitk --op gemm \
  --axis batch,repeats --rows 16 --cols 256 $B > "$TMP/v.txt" 2>&1
rc=$?; [ $rc = 1 ] || fail "batch-variant gemm: exit $rc (expected 1)"
line=$(grep -A14 "^axis batch" "$TMP/v.txt" | grep "verdict: default varies")
[ -n "$line" ] || fail "batch-variant gemm: batch axis not 'varies'"
spread=$(echo "$line" | sed -n 's/.*default varies (worst spread \([0-9]*\) ULP).*/\1/p')
[ -n "$spread" ] && [ "$spread" -gt 0 ] && echo "ok: batch-variant gemm varies, spread $spread ULP" ||
  fail "batch-variant gemm: no nonzero ULP spread in [$line]"
has "$TMP/v.txt" "invariant invariant (worst spread 0 ULP)" "batch-variant gemm: plumb's invariant column stays invariant"
has "$TMP/v.txt" "verdict: default repeatable" "batch-variant gemm: still repeatable"

# 4. Several GEMM kernels need --kernel; a crashing kernel gives kernel_error rows and the run finishes.
"$PLUMB" repro --plugin "$LIB/libplumb_batch_variant_plugin.so" --op gemm --axis batch > "$TMP/k.txt" 2>&1
rc=$?; [ $rc = 2 ] || fail "two gemm kernels without --kernel: exit $rc (expected 2)"
has "$TMP/k.txt" "pick one with --kernel" "two gemm kernels: asks for --kernel"
"$PLUMB" repro --plugin "$LIB/libplumb_batch_variant_plugin.so" --kernel crash_gemm_m3 --op gemm --axis batch \
  --rows 16 --cols 256 --batches 1,3,5 > "$TMP/c.txt" 2>&1
rc=$?; [ $rc = 1 ] || fail "crashing gemm: exit $rc (expected 1)"
has "$TMP/c.txt" "SIGSEGV in plugin kernel crash_gemm_m3 on cell fp32 3x8x256" "crash: kernel_error row with its reason"
has "$TMP/c.txt" "summary" "crash: the run finished"

# 5. Ops and dtypes the plugin ABI does not share with repro are refused.
"$PLUMB" repro --plugin "$LIB/libplumb_example_plugin.so" --op rmsnorm --axis batch > "$TMP/r.txt" 2>&1
rc=$?; [ $rc = 2 ] || fail "rmsnorm with --plugin: exit $rc (expected 2)"

[ $failures = 0 ] && echo "repro --plugin: all checks passed"
exit $failures
