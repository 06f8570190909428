#!/usr/bin/env bash
# plumb quantize on user data: .npy in, codes/scales/dequantised out, --check
# against the MPFR reference, and clear errors for bad input.
# Usage: quantize_cli_test.sh PLUMB PYTHON   (PYTHON with numpy)
set -u
plumb=$1
python=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
check() {  # check NAME WANT GOT
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1 (want $2, got $3)"; failures=$((failures + 1)); fi
}

"$python" - "$dir" <<'PY'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(7)
x = rng.standard_t(3, size=(48, 45)).astype(np.float32)
x[0, :8] = 0; x[1, 3] = np.inf; x[2, 5] = np.nan; x[3, :] *= 1e-40
np.save(f"{d}/x.npy", x)
np.save(f"{d}/row.npy", rng.standard_normal(100).astype(np.float32))
np.save(f"{d}/x64.npy", x.astype(np.float64))
np.save(f"{d}/xf.npy", np.asfortranarray(x))
PY

for spec in "mxfp8" "mxfp4 --layout cols" "mxint8 --rule rceil" "nvfp4 --hadamard 3 --layout cols --sr 5" \
            "nvint4 --rule nv_exact --layout tile_2d" "mxfp6_e2m3 --block 16 --rule even"; do
  # shellcheck disable=SC2086
  "$plumb" quantize --format $spec --in "$dir/x.npy" --out "$dir/q" --check >"$dir/log" 2>&1
  check "quantize --check $spec agrees with MPFR" "0" "$?"
done
"$plumb" quantize --format nvfp4 --in "$dir/x.npy" --out "$dir/q" --hadamard 1 >"$dir/log" 2>&1
check "hadamard along 45 columns is refused" "2" "$?"
grep -q "16" "$dir/log"; check "the refusal names the multiple of 16" "0" "$?"

"$plumb" quantize --format mxfp4 --in "$dir/row.npy" --out "$dir/r" >/dev/null 2>&1
check "a 1-D array is one row" "0" "$?"
"$python" - "$dir" <<'PY'
import sys, json, numpy as np
d = sys.argv[1]
e, s, y = (np.load(f"{d}/r.{n}.npy") for n in ("elements", "scales", "dequantized"))
meta = json.load(open(f"{d}/r.json"))
x = np.load(f"{d}/row.npy")
assert e.shape == (1, 100) and e.dtype == np.uint8, e.shape
assert s.shape == (1, 4) and s.dtype == np.uint8, s.shape            # ceil(100/32) blocks
assert y.shape == (1, 100) and y.dtype == np.float32
assert meta["format"] == "mxfp4" and meta["rows"] == 1 and meta["cols"] == 100
# every element within one e2m1 quantum (2^(scale-127) * 0.5 at most 2 per unit... ) of x
scale = np.ldexp(1.0, s.astype(int) - 127).repeat(32)[:100]
assert np.all(np.abs(y[0] - x) <= scale * 2.0 + 1e-30), "dequantised value too far from x"
PY
check "outputs have the documented shapes and values near x" "0" "$?"

"$plumb" quantize --format mxfp4 --kernel planted_scale_ceil --in "$dir/x.npy" --out "$dir/p" --check >"$dir/log" 2>&1
check "the planted kernel fails --check" "1" "$?"
grep -q "scale \[" "$dir/log"; check "the difference names a scale" "0" "$?"

"$plumb" quantize --format mxfp9 --in "$dir/x.npy" --out "$dir/q" >"$dir/log" 2>&1
check "unknown format exits 2" "2" "$?"
grep -q "mxfp4" "$dir/log"; check "the error lists the valid names" "0" "$?"
"$plumb" quantize --format nvfp4 --rule floor --in "$dir/x.npy" --out "$dir/q" >/dev/null 2>&1
check "an MX rule with a ue4m3 scale exits 2" "2" "$?"
"$plumb" quantize --format mxfp8 --in "$dir/x64.npy" --out "$dir/q" >"$dir/log" 2>&1
check "float64 input exits 2" "2" "$?"
grep -q "<f8" "$dir/log"; check "the error names the dtype" "0" "$?"
"$plumb" quantize --format mxfp8 --in "$dir/xf.npy" --out "$dir/q" >"$dir/log" 2>&1
check "a Fortran-order array exits 2" "2" "$?"
"$plumb" quantize --format mxfp8 --in "$dir/missing.npy" --out "$dir/q" >/dev/null 2>&1
check "a missing file exits 2" "2" "$?"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
