#!/bin/sh
# plumb repro from the command line: the fresh-process axis round-trips
# outputs through re-executed plumb processes and .npy files, the JSON
# section is written, --gpus real is refused honestly, bad input exits 2.
set -eu
PLUMB="$1"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$PLUMB" repro --op dot --rows 5 --cols 300 --axis fresh,split --fresh-processes 2 --seed 9 \
  --json "$TMP/r.json" > "$TMP/out.txt" 2> "$TMP/err.txt" || fail "repro exited $?"
grep -q "this process vs process 2" "$TMP/out.txt" || fail "no fresh-process pair"
grep -q "fresh process 2" "$TMP/err.txt" || fail "no second child process"
# Fresh processes recompute the same bits: every row identical, for both variants.
grep "this process vs process" "$TMP/out.txt" | grep -qv "100.0%.*100.0%" && fail "fresh process differs"
grep -q '"axis": "fresh"' "$TMP/r.json" || fail "no fresh axis in the JSON"
grep -q '"repro"' "$TMP/r.json" || fail "no repro section"
ls /tmp/plumb-repro-* >/dev/null 2>&1 && echo "note: other plumb-repro temp files exist"

out=$("$PLUMB" repro --op sum --axis gpus --gpus real --rows 4 --cols 64) || fail "--gpus real exited $?"
echo "$out" | grep -q "not run" || fail "--gpus real did not say it is not run"

set +e
"$PLUMB" repro --op nosuch --axis batch > /dev/null 2>&1; [ $? -eq 2 ] || fail "bad --op did not exit 2"
"$PLUMB" repro --op sum --axis nosuch > /dev/null 2>&1; [ $? -eq 2 ] || fail "bad --axis did not exit 2"
"$PLUMB" repro --op sum --axis batch --batches 0 > /dev/null 2>&1; [ $? -eq 2 ] || fail "batch 0 did not exit 2"
echo "plumb repro CLI: ok"
