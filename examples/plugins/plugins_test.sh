#!/usr/bin/env bash
# plumb verify --plugin (docs/PLUGINS.md): the example plugin passes next to
# the built-in kernels; the planted plugin is rejected with counterexamples;
# crashing, hanging and out-of-bounds kernels are kernel_error with their
# reasons while the run finishes; bad plugins are refused with exit status 2.
# Usage: plugins_test.sh PATH/TO/plumb FOLDER/WITH/PLUGINS
set -u
plumb="$1"
lib="$2"
failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: expected [$2] got [$3]"
    failures=$((failures + 1))
  else
    echo "ok: $1"
  fi
}
has() {  # has NAME FILE FIXED-STRING: the file has a line containing it
  if grep -qF -- "$3" "$2"; then echo "ok: $1"; else
    echo "FAIL: $1: no line with [$3] in $2:"; sed 's/^/    /' "$2" | grep -v 'skipped:' | tail -20
    failures=$((failures + 1))
  fi
}

# 1. The correct plugin, next to the built-in kernels: one table, exit 0.
"$plumb" verify --plugin "$lib/libplumb_example_plugin.so" --suite edge_cases_fp32 --suite softmax --suite gemm \
  --json "$tmp/example.json" >"$tmp/example.out" 2>&1
check "example plugin: exit 0" 0 $?
grep -E "example_fp32_to_e4m3fn +fp32->e4m3fn" "$tmp/example.out" | grep -q "passed (18 skipped)"
check "example conversion: 3 nearest_even cells passed, the other modes declined" 0 $?
grep -qE "^edge_cases_fp32 +cpu_scalar +fp32->e4m3fn .* passed" "$tmp/example.out"
check "built-in kernels in the same run" 0 $?
check "every softmax cell of the plugin passed" 10 "$(grep -E '^softmax +example_softmax_fp64 .* passed$' "$tmp/example.out" | wc -l)"
grep -qE '^gemm +example_gemm_naive +fp32 .* passed$' "$tmp/example.out" &&
  grep -qE '^gemm +example_gemm_naive +int8 .* passed$' "$tmp/example.out"
check "the plugin's fp32 and int8 GEMM cells pass" 0 $?
has "summary" "$tmp/example.out" " 0 failed"
grep -q '"kernel": "example_softmax_fp64"' "$tmp/example.json"
check "plugin verdicts in the result file" 0 $?

# 2. The same kernels called in plumb's own process give the same verdicts.
"$plumb" verify --plugin "$lib/libplumb_example_plugin.so" --only-plugins --plugin-in-process --suite softmax \
  >"$tmp/inproc.out" 2>&1
check "in process: exit 0" 0 $?
check "in process: 10 softmax cells passed" 10 "$(grep -cE '^softmax +example_softmax_fp64 .* passed$' "$tmp/inproc.out")"

# 2b. A C++ plugin on plumb's formats headers (L-Mul, block quantise) passes
# every cell: the adapters carry every argument field both ways.
"$plumb" verify --plugin "$lib/libplumb_formats_plugin.so" --only-plugins --suite lmul --suite block_formats \
  >"$tmp/formats.out" 2>&1
check "formats plugin: exit 0" 0 $?
grep -qE '^lmul +formats_lmul .* passed$' "$tmp/formats.out" &&
  grep -qE '^block_formats +formats_block .* passed$' "$tmp/formats.out"
check "formats plugin: L-Mul and block cells pass" 0 $?
has "formats plugin: nothing skipped" "$tmp/formats.out" " passed, 0 skipped or not supported, 0 failed"

# 3. The planted bug (ties away from zero) is rejected with counterexamples.
"$plumb" verify --plugin "$lib/libplumb_planted_plugin.so" --only-plugins --suite edge_cases_fp32 \
  >"$tmp/planted.out" 2>&1
check "planted plugin: exit 1" 1 $?
has "planted: verdict line" "$tmp/planted.out" \
  "FAILURE edge_cases_fp32 user_fp32_to_e4m3fn_ties_away fp32->e4m3fn nearest_even/saturate: incorrect, 128 of 11470 cases differ"
has "planted: a tie as counterexample" "$tmp/planted.out" \
  "input 0x3a800000 (0.0009765625): got 0x1 (inexact|underflow), expected 0x0 (inexact|underflow)"
has "planted: the rerun command names the plugin" "$tmp/planted.out" \
  "verify --plugin $(cd "$lib" && pwd)/libplumb_planted_plugin.so --only-plugins --suite edge_cases_fp32 --seed 1"
has "planted: summary" "$tmp/planted.out" "3 failed"

# 4. Misbehaving kernels: each reported with its reason; the run goes on.
start=$(date +%s)
"$plumb" verify --plugin "$lib/libplumb_misbehaving_plugin.so" --only-plugins --suite edge_cases_fp32 \
  --plugin-timeout 1 --junit "$tmp/bad.xml" >"$tmp/bad.out" 2>&1
check "misbehaving plugin: exit 1" 1 $?
has "segfault" "$tmp/bad.out" \
  "bad_segfault fp32->e4m3fn nearest_even/saturate: kernel_error: SIGSEGV in plugin kernel bad_segfault on cell fp32->e4m3fn nearest_even/saturate"
has "hang" "$tmp/bad.out" \
  "bad_hang fp32->e4m3fn nearest_even/saturate: kernel_error: timed out after 1 s (killed): plugin kernel bad_hang"
has "out-of-bounds write" "$tmp/bad.out" \
  "kernel_error: SIGSEGV in plugin kernel bad_overrun on cell fp32->e4m3fn nearest_even/saturate (11470 cases): out-of-bounds write 1 byte(s) past the end of output 'out' (11470 bytes)"
grep -E "good_after_bad +fp32->e4m3fn" "$tmp/bad.out" | grep -q "passed (18 skipped)"
check "the correct kernel after the bad ones still passes" 0 $?
has "the run finished" "$tmp/bad.out" "3 passed, 1422 skipped or not supported, 3 failed"
check "the hang cost about one timeout" 1 $(( $(date +%s) - start < 120 ))
grep -q "timed out after 1 s" "$tmp/bad.xml"
check "kernel errors in JUnit" 0 $?

# 5. Bad plugins and options: refused before any suite runs, exit 2.
"$plumb" verify --plugin "$lib/libplumb_wrong_abi_plugin.so" >"$tmp/abi.out" 2>&1
check "wrong ABI: exit 2" 2 $?
has "wrong ABI: message" "$tmp/abi.out" "ABI version 42, but this plumb speaks 1"
libm=$(ldd "$plumb" | awk '/libm\.so/ {print $3; exit}')
if [ -n "$libm" ]; then
  "$plumb" verify --plugin "$libm" >"$tmp/nosym.out" 2>&1
  check "not a plugin: exit 2" 2 $?
  has "not a plugin: message" "$tmp/nosym.out" "missing symbol plumb_plugin_abi_version"
fi
"$plumb" verify --plugin "$tmp/none.so" >"$tmp/none.out" 2>&1
check "no such file: exit 2" 2 $?
has "no such file: message" "$tmp/none.out" "cannot load"
"$plumb" verify --plugin "$lib/libplumb_example_plugin.so" --plugin-timeout 0 >"$tmp/t.out" 2>&1
check "bad timeout: exit 2" 2 $?
"$plumb" verify --only-plugins >"$tmp/o.out" 2>&1
check "--only-plugins without --plugin: exit 2" 2 $?
"$plumb" verify --plugin "$lib/libplumb_example_plugin.so" --plugin "$lib/libplumb_example_plugin.so" >"$tmp/dup.out" 2>&1
check "the same kernel names twice: exit 2" 2 $?
has "duplicate: message" "$tmp/dup.out" "kernel name example_fp32_to_e4m3fn is already taken"

[ "$failures" -eq 0 ] && echo "all plugin tests passed" || echo "$failures plugin test(s) failed"
[ "$failures" -eq 0 ]
