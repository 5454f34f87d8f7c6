#!/usr/bin/env bash
# On the GPU machine, from what scripts/cuda/engine-e2e.sh stage put in .device/:
#   tests  the gpu-tagged JUnit tests (CUDA kernels, sampling, fused ops, attention, graphs, fixture parity
#          against transformers); GPU_TESTS=CudaSamplingTest,CudaKernelsTest runs only those classes
#   bench  DecodeBench on the Llama-3.1-8B shape: per-op profile of a decode step and, unless BENCH_GEMV=0,
#          the GEMV/cuBLAS table (BENCH_PROMPT, BENCH_STEPS, BENCH_BATCHES)
#   steps  StepCostBench: a synchronous batch-1 decode step's wall time against its CUDA graph's GPU time
# Logs go to $OUT (gpu-tests.log, decode-bench.log, step-cost.log).
# Device:  run(carry=[".device"], command="bash scripts/cuda/gpu-tests.sh [tests|bench|steps|all]")
set -uo pipefail
source scripts/cuda/device-env.sh
out=${OUT:-/tmp}
what=${1:-tests}
export SGLJ_CUDA_CACHE=/tmp/sglj-cuda-cache
cp=".device/test/classes:$(ls .device/app/*.jar .device/test/lib/*.jar | grep -v console-standalone | tr "\n" ":")"
# shellcheck disable=SC2206
java=(/tmp/jrt/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g ${JVM_OPTS:-})
rc=0
if [ "$what" = tests ] || [ "$what" = all ]; then
  select="--select-package dev.sglj.engine.compute.cuda"
  if [ -n "${GPU_TESTS:-}" ]; then
    select=""
    for c in ${GPU_TESTS//,/ }; do select="$select --select-class dev.sglj.engine.compute.cuda.$c"; done
  fi
  # shellcheck disable=SC2086
  "${java[@]}" -jar .device/test/lib/junit-platform-console-standalone-*.jar execute --class-path "$cp" \
    --include-tag gpu $select --details=tree --disable-banner >"$out/gpu-tests.log" 2>&1 || rc=1
  grep -E "tests (successful|failed|skipped|found)|✘" "$out/gpu-tests.log" | head -40
fi
if [ "$what" = bench ] || [ "$what" = all ]; then
  "${java[@]}" -XX:MaxDirectMemorySize=100g -cp "$cp" dev.sglj.engine.compute.cuda.DecodeBench \
    "${BENCH_PROMPT:-512}" "${BENCH_STEPS:-30}" "${BENCH_BATCHES:-1,8,32}" 2>&1 | tee "$out/decode-bench.log" || rc=1
fi
if [ "$what" = steps ]; then
  "${java[@]}" -XX:MaxDirectMemorySize=100g -cp "$cp" dev.sglj.engine.compute.cuda.StepCostBench \
    "${BENCH_PROMPT:-1024}" "${BENCH_STEPS:-512}" 2>&1 | tee "$out/step-cost.log" || rc=1
fi
exit $rc
