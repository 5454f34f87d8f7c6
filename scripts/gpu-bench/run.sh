#!/usr/bin/env bash
# Issue 7's GPU benchmark, the parts that run today: (a) sglj bench one-batch on a Llama-3.1-8B-shaped
# dummy model, input 1024 / output 128, batch 1..256; (b) offline throughput (scaled down by default:
# OFFLINE_PROMPTS x OFFLINE_IN / OFFLINE_OUT; the full size is 500 x 4096 / 2048); (d) Hugging
# Face transformers (bf16, sdpa, static cache) on the same shape at batch 1 and 32, side by side.
# (c), the server at 1 request/s, is not scripted yet.
#
# Here:    bash /work/shared/tools/device-jdk.sh && bash scripts/gpu-bench/run.sh stage
# Device:  run(carry=[".device"], command="bash scripts/gpu-bench/run.sh run")
set -euo pipefail
case "${1:-}" in
  stage) bash scripts/cuda/engine-e2e.sh stage ;;
  run)
    tar xzf .device/jdk.tgz -C /tmp
    export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
    sglj() { /tmp/jrt/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
               -cp '.device/app/*' dev.sglj.cli.Main "$@"; }
    out=${OUT:-/tmp/gpu-bench}; mkdir -p "$out"
    mkdir -p /tmp/l8b && cp engine/src/test/resources/configs/llama-3.1-8b-instruct.json /tmp/l8b/config.json
    nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
    echo "== (a) sglj bench one-batch, input 1024 / output 128"
    sglj bench one-batch --device cuda --model-path /tmp/l8b --load-format dummy \
      --batch-size ${BATCHES:-1 8 32 64 128 256} --input-len 1024 --output-len 128 \
      --result-filename "$out/one_batch.jsonl" 2>&1 | grep -E "^(Prefill|Decode|Total)\."
    echo "== (b) sglj bench offline-throughput, ${OFFLINE_PROMPTS:=100} x (${OFFLINE_IN:=1024} in / ${OFFLINE_OUT:=512} out)"
    sglj bench offline-throughput --device cuda --model-path /tmp/l8b --load-format dummy \
      --num-prompts "$OFFLINE_PROMPTS" --random-input-len "$OFFLINE_IN" --random-output-len "$OFFLINE_OUT" \
      --max-running-requests 256 --decode-log-interval 100000 2>&1 | grep -v "Prefill batch" | tail -14
    echo "== (d) transformers, same shape"
    python3 scripts/gpu-bench/hf_decode.py --config /tmp/l8b --batch-sizes 1,32 --input-len 1024 \
      --output-len 128 2>/dev/null | tee "$out/hf.jsonl"
    echo "== table"
    python3 scripts/gpu-bench/table.py "$out/one_batch.jsonl" "$out/hf.jsonl" 1024 128 ;;
  *) echo "usage: $0 stage|run" >&2; exit 2 ;;
esac
