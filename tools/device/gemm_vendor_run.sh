#!/bin/bash
# Device run for issue 6's vendor GEMMs: plumb_cuda_tests "[gemm]" and
# plumb verify --suite gemm on the GPU; logs under $OUT (tarred).
# Run from the repository root with the stripped binaries (and libmpfr / libgmp)
# in BIN (default build-cublas/dev), e.g. run(command="bash tools/device/gemm_vendor_run.sh", carry=["build-cublas/dev"]).
cd "${BIN:-build-cublas/dev}" || exit 1
export PLUMB_PYTHON=python3
for d in /usr/local/cuda/lib64 /usr/local/cuda/lib /usr/local/cuda-13.0/lib64; do [ -d $d ] && export LD_LIBRARY_PATH=$d:$LD_LIBRARY_PATH; done
if ! ldd ./plumb | grep -q "libcublasLt.so.13 => /"; then
  f=$(find / -name "libcublasLt.so.13*" -not -path "/proc/*" 2>/dev/null | head -1); [ -n "$f" ] && export LD_LIBRARY_PATH=$(dirname $f):$LD_LIBRARY_PATH
fi
L=$OUT/logs; mkdir -p $L
nvidia-smi --query-gpu=name,driver_version,compute_cap --format=csv > $L/gpu.txt 2>&1
ls /usr/local/cuda*/lib64/libcublasLt.so* >> $L/gpu.txt 2>&1
ldd ./plumb_cuda_tests | grep -i -E "cublas|not found" >> $L/gpu.txt 2>&1
cat $L/gpu.txt
echo "== plumb_cuda_tests [gemm]"
timeout 150 ./plumb_cuda_tests "[gemm]" --rng-seed 1 > $L/cuda_tests_gemm.txt 2>&1; echo "rc=$?" >> $L/cuda_tests_gemm.txt
grep -E "^  (cublas|launch)" $L/cuda_tests_gemm.txt | grep -v "not implemented" | cut -c1-330 | head -70; grep -E "FAILED|test cases|assertions|rc=" $L/cuda_tests_gemm.txt | sort | uniq -c | head
echo "== plumb verify --suite gemm"
timeout 60 ./plumb verify --suite gemm --json $L/verify_gemm.json > $L/verify_gemm.txt 2>&1; echo "rc=$?" >> $L/verify_gemm.txt
grep "^FAILURE" $L/verify_gemm.txt | cut -c1-300 | head -8; tail -c 300 $L/verify_gemm.txt
echo "== plumb verify --suite gemm --device cuda (filter)"
for dev in cuda cpu; do
  timeout 40 ./plumb verify --suite gemm --device $dev > $L/verify_gemm_$dev.txt 2>&1; echo "rc=$?" >> $L/verify_gemm_$dev.txt
  echo "--device $dev kernels:" $(grep "^gemm " $L/verify_gemm_$dev.txt | awk '{print $2}' | sort -u); tail -2 $L/verify_gemm_$dev.txt
done
echo "== cuBLASLt error log for the fp8 kernels"
for k in cublaslt_fp8 cublaslt_fp8_fast_accum cublaslt_fp8_blockwise; do
  CUBLASLT_LOG_LEVEL=2 timeout 30 ./plumb verify --suite gemm --device cuda --kernel $k > $L/lt_log_$k.txt 2>&1
  grep -E "cells:|FAILURE" $L/lt_log_$k.txt | cut -c1-300 | head -4; grep -i -E "error|unsupported|invalid" $L/lt_log_$k.txt | grep -v FAILURE | sort | uniq -c | head -5 | cut -c1-400
done
cd $OUT && tar czf gemm_logs.tgz logs && rm -rf logs
