#!/usr/bin/env bash
# The gpu-tagged JUnit tests (CUDA backend kernels, sampling, fused ops, attention, graphs and fixture
# parity against transformers) on the GPU machine, from what scripts/cuda/engine-e2e.sh stage put in .device/.
# GPU_TESTS=CudaSamplingTest,CudaKernelsTest runs only those classes of dev.sglj.engine.compute.cuda.
# Device:  run(carry=[".device"], command="bash scripts/cuda/gpu-tests.sh")
set -uo pipefail
source scripts/cuda/device-env.sh
out=${OUT:-/tmp}
export SGLJ_CUDA_CACHE=/tmp/sglj-cuda-cache
select="--select-package dev.sglj.engine.compute.cuda"
if [ -n "${GPU_TESTS:-}" ]; then
  select=""
  for c in ${GPU_TESTS//,/ }; do select="$select --select-class dev.sglj.engine.compute.cuda.$c"; done
fi
cp=".device/test/classes:$(ls .device/app/*.jar .device/test/lib/*.jar | grep -v console-standalone | tr "\n" ":")"
# shellcheck disable=SC2086
/tmp/jrt/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g \
  -jar .device/test/lib/junit-platform-console-standalone-*.jar execute --class-path "$cp" --include-tag gpu $select \
  --details=tree --disable-banner >"$out/gpu-tests.log" 2>&1
rc=$?
grep -E "tests (successful|failed|skipped|found)|✘" "$out/gpu-tests.log" | head -40
exit $rc
