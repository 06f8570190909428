#!/usr/bin/env bash
# plumb check on user outputs (.npy): correct outputs from independent
# implementations (ml_dtypes, numpy, a numpy L-Mul written from
# docs/LMUL_SEMANTICS.md) and from `plumb quantize --kernel mpfr` pass (exit
# 0); one planted error fails (exit 1) and is named with its index; bad files
# exit 2 with a message naming what was expected.
# Usage: check_cli_test.sh PLUMB PYTHON [SEED]   (PYTHON with numpy and ml_dtypes)
set -u
plumb=$1
python=$2
seed=${3:-$RANDOM}
echo "seed $seed (rerun: check_cli_test.sh PLUMB PYTHON $seed)"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0
check() {  # check NAME WANT GOT
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1 (want $2, got $3)"; failures=$((failures + 1)); fi
}
says() {  # says NAME TEXT: the last log contains TEXT
  if grep -qF -- "$2" "$dir/log"; then echo "ok: $1"; else
    echo "FAIL: $1 (no '$2' in:)"; sed 's/^/    /' "$dir/log"; failures=$((failures + 1)); fi
}
run() {  # run ARGS...: plumb check ARGS, output in $dir/log, status in $rc
  "$plumb" check "$@" >"$dir/log" 2>&1
  rc=$?
}

"$python" - "$dir" "$seed" <<'PY' || { echo "FAIL: writing the inputs"; exit 1; }
import sys, numpy as np, ml_dtypes
d, seed = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(seed)
save = lambda name, a: np.save(f"{d}/{name}.npy", a)

# convert: fp32 -> e4m3fn with ml_dtypes (its overflow is plumb's `nan` policy).
x = (rng.standard_normal((16, 40)) * 2.0 ** rng.integers(-12, 10, (16, 40))).astype(np.float32)
x[0, :6] = [0.0, -0.0, np.inf, -np.inf, np.nan, 464.0]
y = x.astype(ml_dtypes.float8_e4m3fn)
save("x", x); save("e4m3_codes", y.view(np.uint8)); save("e4m3_values", y.astype(np.float32))
bad = y.view(np.uint8).copy(); bad[3, 7] ^= 1; save("e4m3_planted", bad)
save("e4m3_codes_u16", y.view(np.uint8).astype(np.uint16))
save("e4m3_codes_short", y.view(np.uint8)[:15])
save("not_values", np.full((16, 40), 0.3, np.float32))
save("x_fortran", np.asfortranarray(x))
nan_sign = y.view(np.uint8).copy(); nan_sign[0, 4] ^= 0x80; save("e4m3_nan_sign", nan_sign)
e2m1 = x.astype(ml_dtypes.float4_e2m1fn).astype(np.float32); e2m1[0, 4] = np.nan  # e2m1fn has no NaN
save("e2m1_values", e2m1)
# fp32 -> fp16 with numpy (nearest-even, overflow to infinity), as uint16 codes.
save("fp16_codes", x.astype(np.float16).view(np.uint16))

# softmax: numpy in float64, rounded to the output format.
s = (rng.standard_normal((8, 100)) * 4).astype(np.float32)
def softmax(v):
    e = np.exp(v - v.max(axis=1, keepdims=True)); return e / e.sum(axis=1, keepdims=True)
p = softmax(s.astype(np.float64)).astype(np.float32)
save("s", s); save("p", p)
q = p.copy(); q[5] *= np.float32(1.01); save("p_planted", q)
save("p_wide", np.concatenate([p, p], axis=1))
sb = s.astype(ml_dtypes.bfloat16)
save("s_bf16", sb.view(np.uint16))
save("p_bf16", softmax(sb.astype(np.float64)).astype(ml_dtypes.bfloat16).view(np.uint16))

# lmul: e4m3fn, carry `paper`, subnormals `flush`, from the formula of
# docs/LMUL_SEMANTICS.md: normal operands with exponents in [-3, 3] (no
# overflow), zeros and subnormals (read as zero).
def e4m3(codes): return codes.astype(np.uint8).view(ml_dtypes.float8_e4m3fn).astype(np.float64)
n = 4000
ex, mant, sign = rng.integers(4, 11, (2, n)), rng.integers(0, 8, (2, n)), rng.integers(0, 2, (2, n))
codes = (sign << 7) | (ex << 3) | mant
codes[:, rng.random(n) < 0.05] &= 0x87          # zeros and subnormals
a, b = codes
va, vb = e4m3(a), e4m3(b)
def frac(v):
    e = np.floor(np.log2(np.abs(np.where(v == 0, 1, v)))); return np.abs(v) / 2.0 ** e - 1, e
(fa, ea), (fb, eb) = frac(va), frac(vb)
v = (1 + fa + fb + 2.0 ** -3) * 2.0 ** (ea + eb)
neg = (a ^ b) & 0x80 != 0
normal = (np.abs(va) >= 2.0 ** -6) & (np.abs(vb) >= 2.0 ** -6)
v = np.where(normal & (v >= 2.0 ** -6), v, 0.0)
out = np.where(neg, -v, v).astype(ml_dtypes.float8_e4m3fn).view(np.uint8)
save("la", a.astype(np.uint8)); save("lb", b.astype(np.uint8)); save("lout", out)
lbad = out.copy(); lbad[1234] ^= 2; save("lout_planted", lbad)

# gemm: fp32 in numpy float64 (one rounding per entry), int8 exactly in int64.
A = rng.standard_normal((7, 33)).astype(np.float32)
B = rng.standard_normal((5, 33)).astype(np.float32)
C = (A.astype(np.float64) @ B.astype(np.float64).T).astype(np.float32)
save("A", A); save("B", B); save("C", C); save("Bkn", np.ascontiguousarray(B.T))
Cbad = C.copy(); Cbad[4, 2] += np.float32(1e-3) * max(1.0, abs(C[4, 2])); save("C_planted", Cbad)
save("B_k32", B[:, :32].copy())
Ai = rng.integers(-128, 128, (6, 70)).astype(np.int8)
Bi = rng.integers(-128, 128, (4, 70)).astype(np.int8)
Ci = (Ai.astype(np.int64) @ Bi.astype(np.int64).T).astype(np.int32)
save("Ai", Ai); save("Bi", Bi); save("Ci", Ci)
Cibad = Ci.copy(); Cibad[5, 3] += 1; save("Ci_planted", Cibad)

# bf16 operands as uint16 codes: bf16 -> e4m3fn with ml_dtypes; GEMM on bf16
# values (exact in float64); L-Mul `int_add` on bf16 normals as the one
# integer add of docs/LMUL_SEMANTICS.md (fields + fields - bias << 7 + 1 << (7 - 4)).
xb = x.astype(ml_dtypes.bfloat16)
save("xb", xb.view(np.uint16)); save("xb_e4m3", xb.astype(ml_dtypes.float8_e4m3fn).view(np.uint8))
Ab, Bb = A.astype(ml_dtypes.bfloat16), B.astype(ml_dtypes.bfloat16)
save("Ab", Ab.view(np.uint16)); save("Bb", Bb.view(np.uint16))
save("Cb", (Ab.astype(np.float64) @ Bb.astype(np.float64).T).astype(np.float32))
m = rng.integers(117, 138, (2, 3000)) << 7 | rng.integers(0, 128, (2, 3000)) | rng.integers(0, 2, (2, 3000)) << 15
save("ba", m[0].astype(np.uint16)); save("bb", m[1].astype(np.uint16))
save("bout", (((m[0] & 0x7fff) + (m[1] & 0x7fff) - (127 << 7) + (1 << 3)) | ((m[0] ^ m[1]) & 0x8000)).astype(np.uint16))

# quantize input
save("t", rng.standard_t(3, (8, 64)).astype(np.float32))
PY
head -c 100 "$dir/x.npy" >"$dir/x_truncated.npy"
echo "not an array" >"$dir/text.npy"

# convert
run --op convert --format e4m3fn --overflow nan "$dir/x.npy" "$dir/e4m3_codes.npy"
check "convert: ml_dtypes' e4m3fn codes pass" 0 "$rc"; says "convert: says codes were read" "uint8 codes of e4m3fn"
run --op convert --format e4m3fn --overflow nan "$dir/x.npy" "$dir/e4m3_values.npy"
check "convert: ml_dtypes' e4m3fn values (float32) pass" 0 "$rc"; says "convert: says values were read" "float32 values of e4m3fn"
run --op convert --format fp16 --overflow infinity "$dir/x.npy" "$dir/fp16_codes.npy"
check "convert: numpy's fp16 codes pass" 0 "$rc"
run --op convert --format e4m3fn --overflow saturate "$dir/x.npy" "$dir/e4m3_codes.npy" --json "$dir/sat.json"
check "convert: the wrong overflow policy is incorrect" 1 "$rc"; says "convert: names the +inf element" "e4m3_codes.npy[0, 2]: input 0x7f800000"
run --op convert --format e4m3fn --overflow nan "$dir/x.npy" "$dir/e4m3_planted.npy" --json "$dir/planted.json"
check "convert: one flipped code is incorrect" 1 "$rc"
says "convert: the planted index is a counterexample" "e4m3_planted.npy[3, 7]"
says "convert: one mismatch" "mismatches 1,"
"$python" -c "import json,sys; v=json.load(open(sys.argv[1]))['verdicts'][0]; assert v['disposition']=='incorrect' and v['mismatches']==1 and v['suite']=='check', v" "$dir/planted.json"
check "convert: --json writes the verdict" 0 "$?"
run --op convert --format e4m3fn "$dir/x.npy" "$dir/e4m3_codes_u16.npy"
check "convert: uint16 codes of an 8-bit format exit 2" 2 "$rc"; says "convert: asks for uint8" "uint8"
run --op convert --format e4m3fn "$dir/x.npy" "$dir/e4m3_codes_short.npy"
check "convert: a shape mismatch exits 2" 2 "$rc"; says "convert: names both shapes" "(15, 40)"
run --op convert --format e4m3fn "$dir/x.npy" "$dir/not_values.npy"
check "convert: values outside the format exit 2" 2 "$rc"; says "convert: names the value" "is not a value of e4m3fn"
run --op convert --format e4m3fn --overflow nan "$dir/x.npy" "$dir/e4m3_nan_sign.npy"
check "convert: a NaN code other than the canonical one is incorrect" 1 "$rc"; says "convert: names it" "[0, 4]"
run --op convert --format e4m3fn --overflow nan --any-nan "$dir/x.npy" "$dir/e4m3_nan_sign.npy"
check "convert: --any-nan accepts it" 0 "$rc"; says "convert: --any-nan counts it" "1 NaN codes other"
run --op convert --format e2m1fn "$dir/x.npy" "$dir/e2m1_values.npy"
check "convert: a NaN value for e2m1fn (no NaN) exits 2" 2 "$rc"
says "convert: names the NaN" "element 4 = nan is not a value of e2m1fn"
run --op convert --format e4m3fn "$dir/x_truncated.npy" "$dir/e4m3_codes.npy"
check "convert: a truncated file exits 2" 2 "$rc"; says "convert: says truncated" "truncated"
run --op convert --format e4m3fn "$dir/text.npy" "$dir/e4m3_codes.npy"
check "convert: a non-npy file exits 2" 2 "$rc"; says "convert: says not .npy" "not a .npy file"
run --op convert --format e4m3fn "$dir/x_fortran.npy" "$dir/e4m3_codes.npy"
check "convert: Fortran order exits 2" 2 "$rc"; says "convert: says Fortran" "Fortran"
run --op convert --format e9m9 "$dir/x.npy" "$dir/e4m3_codes.npy"
check "convert: an unknown format exits 2" 2 "$rc"; says "convert: lists the formats" "e4m3fn"
run --op convert --format e4m3fn --rounding nearest "$dir/x.npy" "$dir/e4m3_codes.npy"
check "convert: an unknown rounding exits 2" 2 "$rc"; says "convert: lists the modes" "nearest_even"
run --op transpose --format e4m3fn "$dir/x.npy" "$dir/e4m3_codes.npy"
check "an unknown op exits 2" 2 "$rc"; says "lists the ops" "softmax"

run --op convert --format e4m3fn --overflow nan --from bf16 "$dir/xb.npy" "$dir/xb_e4m3.npy"
check "convert: bf16 codes in, ml_dtypes' e4m3fn codes out pass" 0 "$rc"
run --op convert --format e4m3fn "$dir/xb.npy" "$dir/xb_e4m3.npy"
check "convert: uint16 input without --from exits 2" 2 "$rc"; says "convert: asks for --from" "needs --from"

# softmax
run --op softmax --format fp32 --algorithm three_pass_reload "$dir/s.npy" "$dir/p.npy"
check "softmax: numpy's rows pass the three_pass_reload bound" 0 "$rc"
run --op softmax --format fp32 --max-ulp 1 "$dir/s.npy" "$dir/p.npy"
check "softmax: numpy's rows are within 1 ulp" 0 "$rc"
run --op softmax --format bf16 --max-ulp 1 "$dir/s_bf16.npy" "$dir/p_bf16.npy"
check "softmax: bf16 codes within 1 ulp" 0 "$rc"
run --op softmax --format fp32 --algorithm online "$dir/s.npy" "$dir/p_planted.npy"
check "softmax: a row off by 1% is incorrect" 1 "$rc"; says "softmax: the planted row is named" "row 5 col"
run --op softmax --format fp32 --max-ulp 1 "$dir/s.npy" "$dir/p_wide.npy"
check "softmax: a shape mismatch exits 2" 2 "$rc"; says "softmax: names the shapes" "(8, 200)"
run --op softmax --format fp32 "$dir/s.npy" "$dir/p.npy"
check "softmax: no bound exits 2" 2 "$rc"; says "softmax: asks for a bound" "--max-ulp"
run --op softmax --format e4m3fn --max-ulp 1 "$dir/s.npy" "$dir/p.npy"
check "softmax: a format it has no reference for exits 2" 2 "$rc"

# lmul
run --op lmul --format e4m3fn "$dir/la.npy" "$dir/lb.npy" "$dir/lout.npy"
check "lmul: the formula's e4m3fn products pass" 0 "$rc"
run --op lmul --format e4m3fn "$dir/la.npy" "$dir/lb.npy" "$dir/lout_planted.npy"
check "lmul: one flipped product is incorrect" 1 "$rc"; says "lmul: names the pair" "pair 1234:"
run --op lmul --format bf16 --carry int_add "$dir/ba.npy" "$dir/bb.npy" "$dir/bout.npy"
check "lmul: bf16 int_add products (one integer add) pass" 0 "$rc"
run --op lmul --format bf16 "$dir/ba.npy" "$dir/bb.npy" "$dir/bout.npy"
check "lmul: the same products under carry paper are incorrect" 1 "$rc"
run --op lmul --format e4m3fn "$dir/la.npy" "$dir/lb.npy" "$dir/e4m3_codes.npy"
check "lmul: a shape mismatch exits 2" 2 "$rc"

# gemm
run --op gemm --format fp32 "$dir/A.npy" "$dir/B.npy" "$dir/C.npy"
check "gemm: numpy's fp32 product passes" 0 "$rc"
run --op gemm --format fp32 --b-layout kn "$dir/A.npy" "$dir/Bkn.npy" "$dir/C.npy"
check "gemm: B given k x n passes" 0 "$rc"
run --op gemm --format fp32 "$dir/A.npy" "$dir/B.npy" "$dir/C_planted.npy"
check "gemm: a wrong entry is incorrect" 1 "$rc"; says "gemm: names the entry" "C[4][2]"
run --op gemm --format bf16 "$dir/Ab.npy" "$dir/Bb.npy" "$dir/Cb.npy"
check "gemm: the bf16 product passes" 0 "$rc"
run --op gemm --format int8 "$dir/Ai.npy" "$dir/Bi.npy" "$dir/Ci.npy"
check "gemm: the int8 product passes bit for bit" 0 "$rc"
run --op gemm --format int8 "$dir/Ai.npy" "$dir/Bi.npy" "$dir/Ci_planted.npy"
check "gemm: an int8 entry off by one is incorrect" 1 "$rc"; says "gemm: names the int8 entry" "C[5][3]"
run --op gemm --format fp32 "$dir/A.npy" "$dir/B_k32.npy" "$dir/C.npy"
check "gemm: disagreeing inner dimensions exit 2" 2 "$rc"; says "gemm: names the inner dimension" "inner dimension 32"
run --op gemm --format int8 "$dir/A.npy" "$dir/B.npy" "$dir/C.npy"
check "gemm: float operands for int8 exit 2" 2 "$rc"; says "gemm: asks for int8" "'|i1'"

# quantize: plumb's MPFR reference, then one scale changed
for spec in "mxfp4" "mxfp8 --layout cols" "nvfp4"; do
  # shellcheck disable=SC2086
  "$plumb" quantize --kernel mpfr --format $spec --in "$dir/t.npy" --out "$dir/q" >/dev/null 2>&1
  ts=$("$python" -c "import json,sys; print(json.load(open(sys.argv[1]))['tensor_scale'])" "$dir/q.json")
  extra=""; case $spec in nvfp4*) extra="--tensor-scale $ts";; esac
  # shellcheck disable=SC2086
  run --op quantize --format $spec $extra "$dir/t.npy" "$dir/q.elements.npy" "$dir/q.scales.npy"
  check "quantize: the MPFR reference's $spec codes pass" 0 "$rc"
done
"$python" -c "
import numpy as np, sys
s = np.load(sys.argv[1]); s[2, 1] += 1; np.save(sys.argv[2], s)" "$dir/q.scales.npy" "$dir/q.scales_planted.npy"
run --op quantize --format nvfp4 --tensor-scale "$ts" "$dir/t.npy" "$dir/q.elements.npy" "$dir/q.scales_planted.npy"
check "quantize: one changed scale is incorrect" 1 "$rc"; says "quantize: names the block" "block 9 (row 2, cols 16..31)"
run --op quantize --format nvfp4 "$dir/t.npy" "$dir/q.elements.npy" "$dir/q.scales.npy"
check "quantize: nvfp4 without --tensor-scale exits 2" 2 "$rc"; says "quantize: asks for it" "--tensor-scale"
run --op quantize --format mxfp4 "$dir/t.npy" "$dir/q.elements.npy" "$dir/q.elements.npy"
check "quantize: scales of the wrong shape exit 2" 2 "$rc"; says "quantize: names the grid" "block grid"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
