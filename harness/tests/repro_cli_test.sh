#!/bin/sh
# plumb repro from the command line: the fresh-process axis round-trips
# outputs through re-executed plumb processes and .npy files, the JSON
# section is written, --gpus real is refused honestly, the decode experiment
# writes its section, bad input exits 2.
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

# The decode experiment: a small run writes its section and exits 0 (invariant kernels identical).
"$PLUMB" repro --op decode --steps 20 --prompts 2 --batch 1,3 --tp 1,2 --vocab 64 --d-model 64 --heads 2 --mlp 128 \
  --json "$TMP/d.json" > "$TMP/dout.txt" 2> /dev/null || fail "decode exited $?"
grep -q '"repro_decode"' "$TMP/d.json" || fail "no repro_decode section"
grep -q "invariant batch=3" "$TMP/dout.txt" || fail "no invariant batch=3 row"
grep -q "default batch=1 tp=2 tree" "$TMP/dout.txt" || fail "no default tp=2 tree row"

set +e
"$PLUMB" repro --op decode --tp 0 > /dev/null 2>&1; [ $? -eq 2 ] || fail "decode --tp 0 did not exit 2"
"$PLUMB" repro --op decode --heads 3 > /dev/null 2>&1; [ $? -eq 2 ] || fail "decode --heads 3 did not exit 2"
"$PLUMB" repro --op nosuch --axis batch > /dev/null 2>&1; [ $? -eq 2 ] || fail "bad --op did not exit 2"
"$PLUMB" repro --op sum --axis nosuch > /dev/null 2>&1; [ $? -eq 2 ] || fail "bad --axis did not exit 2"
"$PLUMB" repro --op sum --axis batch --batches 0 > /dev/null 2>&1; [ $? -eq 2 ] || fail "batch 0 did not exit 2"
echo "plumb repro CLI: ok"
