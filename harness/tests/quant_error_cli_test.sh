#!/usr/bin/env bash
# CLI tests of `plumb quant-error`: one seed gives the same measurements and
# findings twice (and with another thread count), the seed is printed, and bad
# names or sizes are usage errors (exit 2) that say what is valid.
# Usage: quant_error_cli_test.sh PATH/TO/plumb
set -u
plumb="$1"
tmp=$(mktemp -d /tmp/plumb_quant_cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: expected [$2] got [$3]"
    failures=$((failures + 1))
  else
    echo "ok: $1"
  fi
}
# The measurements of a result file, without what differs between runs (the
# creation time, the command line, the wall time) and with keys sorted.
measurements() {
  grep -vE '^ *"(created|command|seconds|dirty)":' "$1"
}

small=(--rows 32 --cols 64 --seed 12345)
"$plumb" quant-error "${small[@]}" --threads 1 --out "$tmp/a.json" >"$tmp/a.out" 2>"$tmp/a.err"
check "quant-error exit status" "0" "$?"
"$plumb" quant-error "${small[@]}" --threads 2 --out "$tmp/b.json" >"$tmp/b.out" 2>/dev/null
check "quant-error again exit status" "0" "$?"
measurements "$tmp/a.json" >"$tmp/a.m"
measurements "$tmp/b.json" >"$tmp/b.m"
cmp -s "$tmp/a.m" "$tmp/b.m"; check "same seed, same measurements (1 and 2 threads)" "0" "$?"
grep -q '"quant_error"' "$tmp/a.json"; check "result has a quant_error section" "0" "$?"
grep -q '"schema_version": 1' "$tmp/a.json"; check "result has a schema version" "0" "$?"
n=$(grep -c '"max_rel_at":' "$tmp/a.json")
check "8 formats x 2 rules x 3 distributions x 2 (Hadamard) measurements" "96" "$n"
grep -q "seed 12345" "$tmp/a.out"; check "the seed is printed" "0" "$?"
grep -q "mxint8_vs_mxfp8 " "$tmp/a.out"; check "the findings are printed" "0" "$?"
diff <(grep -v "measurements in" "$tmp/a.out" | grep -v "^results:") \
     <(grep -v "measurements in" "$tmp/b.out" | grep -v "^results:") >/dev/null
check "same table on stdout" "0" "$?"
"$plumb" quant-error "${small[@]}" --seed 12346 --out "$tmp/c.json" >/dev/null 2>&1
measurements "$tmp/c.json" >"$tmp/c.m"
cmp -s "$tmp/a.m" "$tmp/c.m"; check "another seed, other measurements" "1" "$?"

"$plumb" quant-error "${small[@]}" --format mxfp9 --out "$tmp/bad.json" >/dev/null 2>"$tmp/bad.err"
check "unknown --format exit status" "2" "$?"
grep -q "unknown block format 'mxfp9'" "$tmp/bad.err"; check "unknown --format is named" "0" "$?"
grep -q "nvint4" "$tmp/bad.err"; check "unknown --format lists the valid names" "0" "$?"
[ ! -e "$tmp/bad.json" ]; check "no result file after a usage error" "0" "$?"
"$plumb" quant-error --rows 4 --cols 40 --out "$tmp/bad.json" >/dev/null 2>"$tmp/bad.err"
check "--cols not a multiple of 16 exit status" "2" "$?"
grep -q "multiple of 16" "$tmp/bad.err"; check "--cols error says why" "0" "$?"
"$plumb" quant-error --distribution cauchy >/dev/null 2>"$tmp/bad.err"
check "unknown --distribution exit status" "2" "$?"
grep -q "student_t3" "$tmp/bad.err"; check "unknown --distribution lists the valid names" "0" "$?"
"$plumb" quant-error --format mxfp8 --distribution gaussian "${small[@]}" --out "$tmp/one.json" >/dev/null 2>&1
check "an alias and one distribution" "4" "$(grep -c '"max_rel_at":' "$tmp/one.json")"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
