#!/usr/bin/env bash
# Per-kernel GPU time of a forward, from Nsight Compute: DecodeBench (Llama-3.1-8B shape, dummy weights, no GEMV
# table) under `ncu` with one metric (gpu__time_duration) and no clock or cache control, so kernels run as in
# the engine but one at a time. Each NAME=PROMPT,STEPS,BATCH argument profiles one DecodeBench run into
# $OUT/ncu-NAME.csv.gz; scripts/cuda/ncu_summary.py sums a forward of it by kernel.
#
# Here:    bash scripts/cuda/engine-e2e.sh stage
# Device:  run(carry=[".device"], command="bash scripts/cuda/profile-kernels.sh b160=512,2,160 b1=2048,1,1")
# Here:    python3 scripts/cuda/ncu_summary.py FILE.csv.gz [FORWARD]   (FORWARD: 0 the prefill, -1 the last step)
set -uo pipefail
source scripts/cuda/device-env.sh
out=${OUT:-/tmp}
export SGLJ_CUDA_CACHE=/tmp/sglj-cuda-cache BENCH_GEMV=0
cp=".device/test/classes:$(ls .device/app/*.jar .device/test/lib/*.jar | grep -v console-standalone | tr "\n" ":")"
for spec in "$@"; do
  name=${spec%%=*}
  IFS=, read -r prompt steps batch <<<"${spec#*=}"
  timeout "${PROFILE_TIMEOUT:-150}" ncu --target-processes all --clock-control none --cache-control none \
    --metrics gpu__time_duration.sum --csv --log-file "$out/ncu-$name.csv" \
    /tmp/jrt/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g \
    -XX:MaxDirectMemorySize=100g -cp "$cp" dev.sglj.engine.compute.cuda.DecodeBench "$prompt" "$steps" "$batch" \
    >"$out/decode-bench-$name.log" 2>&1
  echo "$name (prompt $prompt, $steps steps, batch $batch): rc $?"
  gzip -f "$out/ncu-$name.csv"
done
