#!/usr/bin/env bash
# Decode-kernel check on the GPU machine, in one call: the harness, the GPU tests, then `bench one-batch`
# on a Llama-3.1-8B-shaped dummy model with CUDA graphs and with --disable-cuda-graph.
#
# Here:    bash scripts/cuda/kernel-bench/device-run.sh stage
# Device:  run(carry=[".device"], command="bash scripts/cuda/kernel-bench/device-run.sh run")
set -uo pipefail
case "${1:-}" in
  stage)
    set -e
    bash scripts/cuda/engine-e2e.sh stage
    bash scripts/cuda/kernel-bench/build.sh "$PWD/.device/kbench" ;;
  run)
    source scripts/cuda/device-env.sh
    out=${OUT:-/tmp}
    export SGLJ_CUDA_CACHE=/tmp/sglj-cuda-cache
    nvidia-smi --query-gpu=name,memory.used,clocks.sm,clocks.mem,temperature.gpu --format=csv
    timeout 45 .device/kbench > "$out/kbench.log" 2>&1
    echo "kbench rc=$?"
    timeout 120 bash scripts/cuda/gpu-tests.sh tests
    echo "tests rc=$?"
    l8b=$(make_llama8b_dir)
    for mode in graph eager; do
      extra=""; [ "$mode" = eager ] && extra="--disable-cuda-graph"
      # shellcheck disable=SC2086
      timeout 55 sglj bench one-batch --model-path "$l8b" --load-format dummy \
        --batch-size 1 8 32 --input-len 512 --output-len 32 $extra > "$out/bench-$mode.log" 2>&1
      echo "bench $mode rc=$?"
    done
    grep -E "FAIL|failures" "$out/kbench.log" | head -20
    for mode in graph eager; do
      echo "== $mode"; grep -E "^(max_total|Decode\.  median)|Exception|rror" "$out/bench-$mode.log" | head -12
    done ;;
  *) echo "usage: $0 stage|run" >&2; exit 2 ;;
esac
