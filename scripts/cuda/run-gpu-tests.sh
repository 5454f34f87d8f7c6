#!/usr/bin/env bash
# Runs the CUDA backend's GPU tests (JUnit tag "gpu") and the 8B-shaped decode benchmark on the GPU
# machine, which has no Java or Maven. Prepare the folder here with scripts/cuda/stage.sh DIR, carry
# DIR to the device, and run there from the repository root:  bash DIR/run-gpu-tests.sh DIR [tests|bench|all]
# Logs go to $OUT (tests.log, bench.log) when set. GPU_TESTS=CudaSamplingTest,CudaKernelsTest runs only
# those classes of dev.sglj.engine.compute.cuda (default: every gpu-tagged test of the package).
set -uo pipefail
dir=${1:?usage: run-gpu-tests.sh DIR [tests|bench|all]}
what=${2:-all}
out=${OUT:-/tmp}
tar xzf "$dir/jdk.tgz" -C /tmp
java=/tmp/jrt/bin/java
flags="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
export SGLJ_CUDA_CACHE=/tmp/sglj-cuda-cache
nvidia-smi --query-gpu=name,memory.total,memory.used,clocks.sm,clocks.mem --format=csv
select="--select-package dev.sglj.engine.compute.cuda"
if [ -n "${GPU_TESTS:-}" ]; then
  select=""
  for c in ${GPU_TESTS//,/ }; do select="$select --select-class dev.sglj.engine.compute.cuda.$c"; done
fi
cp="$dir/classes:$dir/test-classes:$(ls "$dir"/lib/*.jar | grep -Ev "junit|opentest4j|apiguardian" | tr "\n" ":")"
rc=0
if [ "$what" = tests ] || [ "$what" = all ]; then
  # shellcheck disable=SC2086
  $java $flags -Xmx8g -jar "$dir"/lib/junit-platform-console-standalone-*.jar execute \
    --class-path "$cp" --include-tag gpu $select \
    --details=tree --disable-banner 2>&1 | tee "$out/tests.log"
  rc=${PIPESTATUS[0]}
fi
if [ "$what" = bench ] || [ "$what" = all ]; then
  # shellcheck disable=SC2086
  $java $flags -Xmx8g -XX:MaxDirectMemorySize=100g -cp "$cp" dev.sglj.engine.compute.cuda.DecodeBench \
    "${BENCH_PROMPT:-512}" "${BENCH_STEPS:-30}" "${BENCH_BATCHES:-1,8,32}" 2>&1 | tee "$out/bench.log"
  [ "${PIPESTATUS[0]}" = 0 ] || rc=1
fi
exit $rc
