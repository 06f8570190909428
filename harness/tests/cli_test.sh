#!/usr/bin/env bash
# CLI tests of the plumb command: exit codes, error messages naming the line,
# known values from the format specifications, and the worked example of a
# failing kernel (the planted bug is caught, and its printed command reproduces
# the mismatch). Usage: cli_test.sh PATH/TO/plumb
set -u
plumb="$1"
failures=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: expected [$2] got [$3]"
    failures=$((failures + 1))
  else
    echo "ok: $1"
  fi
}

# Values fixed by the OCP 8-bit spec: 448 is e4m3fn's max (0x7e); 464 is the
# tie between 448 and 480 and goes to the even code; 480 is not finite.
out=$(printf '448\n464\n465\n' | "$plumb" convert --to e4m3fn --overflow saturate | tr '\n' ' ')
check "e4m3fn saturate" "0x7e 448 0x7e 448 0x7e 448 " "$out"
out=$(echo 465 | "$plumb" convert --to fp8_e4m3 --overflow nan --flags)
check "e4m3fn overflow to NaN with flags" "0x7f nan inexact|overflow|invalid" "$out"
out=$(echo 0x1.8p+3 | "$plumb" convert --to fp16)
check "hex float input" "0x4a00 12" "$out"
out=$(echo 0x43e00000 | "$plumb" convert --bits --to e4m3fn)
check "--bits input" "0x7e 448" "$out"
out=$(echo 1.0625 | "$plumb" convert --to e4m3fn --rounding nearest_away)
check "nearest_away tie" "0x39 1.125" "$out"
out=$(echo 2.5 | "$plumb" convert --to e2m1fn --rounding stochastic --sr-bits 4 --rbits 8)
check "stochastic with given bits (f=0.5, r=8 of 16: up)" "0x5 3" "$out"
out=$(echo 2.5 | "$plumb" convert --to e2m1fn --rounding stochastic --sr-bits 4 --rbits 7)
check "stochastic with given bits (f=0.5, r=7 of 16: down)" "0x4 2" "$out"

# Bad input: the line is named, the other lines still convert, exit 1.
out=$(printf '1\nabc\n2\n' | "$plumb" convert --to e5m2 2>/tmp/plumb_cli_err.$$)
rc=$?
check "bad token keeps other lines" "0x3c 1 error 0x40 2 " "$(echo "$out" | tr '\n' ' ')"
check "bad token exit status" "1" "$rc"
grep -q "line 2: cannot read 'abc'" /tmp/plumb_cli_err.$$; check "bad token names its line" "0" "$?"
echo nan | "$plumb" convert --to e2m1fn >/dev/null 2>/tmp/plumb_cli_err.$$
grep -q "has no NaN" /tmp/plumb_cli_err.$$; check "NaN into a format without NaN is an error" "0" "$?"
"$plumb" convert --to e9m2 </dev/null 2>/tmp/plumb_cli_err.$$; rc=$?
check "unknown format exit status" "2" "$rc"
grep -q "Valid names: fp64 fp32" /tmp/plumb_cli_err.$$; check "unknown format lists valid names" "0" "$?"
"$plumb" verify --suite nosuch >/dev/null 2>&1; check "unknown suite exit status" "2" "$?"
"$plumb" formats >/dev/null; check "formats exit status" "0" "$?"

# The default run (every kernel built here, planted ones included; CUDA ones
# skipped without a GPU) passes: exit 0, the planted bug caught.
"$plumb" verify --suite exhaustive_fp16 --suite decode >/tmp/plumb_cli_default.$$ 2>&1
check "default verify exit status" "0" "$?"
grep -q "CAUGHT (planted bug)" /tmp/plumb_cli_default.$$; check "default verify catches the planted bug" "0" "$?"

# The worked example: an explicitly named planted kernel fails (exit 1), and
# the first printed command reproduces a result that differs from the oracle.
"$plumb" verify --kernel planted_ties_away --suite exhaustive_fp16 --no-oracle-agreement \
  --json /tmp/plumb_cli_planted.$$.json >/tmp/plumb_cli_out.$$ 2>&1
check "planted kernel fails verify" "1" "$?"
cmd=$(grep -m1 "plumb convert --bits" /tmp/plumb_cli_out.$$ | sed 's/^ *//')
[ -n "$cmd" ]; check "failure prints a plumb convert command" "0" "$?"
got=$(eval "$cmd")  # pasted as printed: plumb's full path when it is not on PATH
want=$(eval "${cmd//--kernel planted_ties_away/--kernel mpfr}")
[ "$got" != "$want" ]; check "the pasted command differs from the oracle" "0" "$?"
grep -q '"schema_version": 1' /tmp/plumb_cli_planted.$$.json; check "result file has a schema version" "0" "$?"

# Block formats: the default run catches planted_scale_ceil; named explicitly
# it fails, printing the block (scale codes got and expected) and the command.
"$plumb" verify --suite block_formats >/tmp/plumb_cli_block.$$ 2>&1
check "block_formats verify exit status" "0" "$?"
grep -q "planted_scale_ceil .*CAUGHT (planted bug)" /tmp/plumb_cli_block.$$
check "block_formats catches the planted block kernel" "0" "$?"
"$plumb" verify --suite block_formats --kernel planted_scale_ceil >/tmp/plumb_cli_block.$$ 2>&1
check "planted block kernel fails verify" "1" "$?"
grep -q "scale got 0x.*, expected 0x" /tmp/plumb_cli_block.$$; check "block failure shows the scales" "0" "$?"
grep -q "verify --suite block_formats --kernel planted_scale_ceil --seed 1" /tmp/plumb_cli_block.$$
check "block failure prints the command that reruns it" "0" "$?"

rm -f /tmp/plumb_cli_*.$$ /tmp/plumb_cli_default.$$ /tmp/plumb_cli_planted.$$.json
echo "$failures failure(s)"
[ "$failures" -eq 0 ]
