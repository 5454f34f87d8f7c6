#!/usr/bin/env bash
# Issue 7's GPU benchmark on a Llama-3.1-8B-shaped model with --load-format dummy, bf16:
#   a  sglj bench one-batch, batch 1 8 32 64 128 256 (BATCHES), input 1024 / output 128
#   b  sglj bench offline-throughput, OFFLINE_PROMPTS x (OFFLINE_IN in / OFFLINE_OUT out), ignore_eos
#      (default the 500 x 4096 / 2048 drawn as SGLang's CI draws them: run_bench_serving in
#      sglang/test/test_utils.py passes random_range_ratio=0.0 and seed 0, lengths uniform in [1, len];
#      OFFLINE_RANGE_RATIO=1.0 gives fixed lengths)
#   c  the server under sglj bench serving at 1 request/s, random 1024 / 256, SERVING_PROMPTS (200) prompts
#   d  Hugging Face transformers (bf16, sdpa, static cache, compiled) at batch 1 and 32, same shape
#   e  (not in the default set) the server with one request at a time, random 1024 / 256, SINGLE_PROMPTS (10):
#      batch-1 decode through the scheduler (overlap schedule on), as a server user sees it
#   f  (not in the default set) the server with sampled draws (temperature 0.7, top_p 0.9 through
#      /v1/completions), random 1024 / 256: one request at a time (SAMPLED_SINGLE prompts, 8), then 32 at a
#      time (SAMPLED_BATCH prompts, 64)
# then one table (table.py). Sections run in the order given (default: a c d b). EXTRA_ARGS are added to
# the sglj commands of a, b and c (e.g. "--cuda-graph-max-bs 256").
#
# Here:    bash scripts/cuda/engine-e2e.sh stage
# Device:  run(carry=[".device"], command="bash scripts/gpu-bench/run.sh [a] [b] [c] [d]")
set -euo pipefail
source scripts/cuda/device-env.sh
out=${OUT:-/tmp/gpu-bench}; mkdir -p "$out"
l8b=$(make_llama8b_dir)
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
sections=${*:-a c d b}

one_batch() {
  echo "== (a) sglj bench one-batch, input 1024 / output 128"
  sglj bench one-batch --model-path "$l8b" --load-format dummy --batch-size ${BATCHES:-1 8 32 64 128 256} \
    --input-len 1024 --output-len 128 ${EXTRA_ARGS:-} --result-filename "$out/one_batch.jsonl" 2>&1 | grep -E "^(Prefill|Decode|Total)\.|skipping|rror|xception"
}

offline() {
  echo "== (b) sglj bench offline-throughput, ${OFFLINE_PROMPTS:=500} x (${OFFLINE_IN:=4096} in / ${OFFLINE_OUT:=2048} out), range ratio ${OFFLINE_RANGE_RATIO:=0.0}"
  sglj bench offline-throughput --model-path "$l8b" --load-format dummy --num-prompts "$OFFLINE_PROMPTS" \
    --random-input-len "$OFFLINE_IN" --random-output-len "$OFFLINE_OUT" --random-range-ratio "$OFFLINE_RANGE_RATIO" \
    --seed 0 --decode-log-interval 200 ${EXTRA_ARGS:-} 2>&1 | grep -v "Prefill batch" | tee "$out/offline.log" | tail -16
}

# Starts the server (log $1), runs `sglj bench serving` on random 1024 / 256 prompts ($3 of them, results in
# $2, the last $4 lines shown, further bench arguments after) and stops it.
bench_server() {
  local log=$1 results=$2 prompts=$3 shown=$4; shift 4
  start_server "$log" --model-path "$l8b" --load-format dummy --port 30000 ${EXTRA_ARGS:-}
  wait_healthy 30000 "$SERVER_PID" "$log"
  sglj bench serving --backend sglang --port 30000 --dataset-name random --tokenizer "$l8b" \
    --random-input-len 1024 --random-output-len 256 --random-range-ratio 1.0 --num-prompts "$prompts" \
    --disable-tqdm --output-file "$results" "$@" 2>&1 | tail -"$shown"
  stop_server
}

serving() {
  echo "== (c) server at 1 request/s, random 1024 / 256, ${SERVING_PROMPTS:=200} prompts"
  bench_server "$out/serve.log" "$out/serving.jsonl" "$SERVING_PROMPTS" 40 --request-rate 1
}

sampled() {
  echo "== (f) server, temperature 0.7 / top_p 0.9, random 1024 / 256: ${SAMPLED_SINGLE:=8} prompts one at a time, ${SAMPLED_BATCH:=64} prompts 32 at a time"
  start_server "$out/serve-sampled.log" --model-path "$l8b" --load-format dummy --port 30000 ${EXTRA_ARGS:-}
  wait_healthy 30000 "$SERVER_PID" "$out/serve-sampled.log"
  local c n
  for c in 1 32; do
    n=$SAMPLED_SINGLE; [ "$c" = 32 ] && n=$SAMPLED_BATCH
    echo "-- max concurrency $c, $n prompts"
    sglj bench serving --backend sglang-oai --port 30000 --dataset-name random --tokenizer "$l8b" \
      --random-input-len 1024 --random-output-len 256 --random-range-ratio 1.0 --num-prompts "$n" \
      --max-concurrency "$c" --extra-request-body '{"temperature": 0.7, "top_p": 0.9}' --disable-tqdm \
      --output-file "$out/sampled.jsonl" 2>&1 | grep -E "Output token throughput|Median (ITL|TPOT|TTFT)|Successful"
  done
  stop_server
}

one_at_a_time() {
  echo "== (e) server, one request at a time (batch-1 decode through the scheduler), random 1024 / 256, ${SINGLE_PROMPTS:=10} prompts"
  bench_server "$out/serve-single.log" "$out/single.jsonl" "$SINGLE_PROMPTS" 22 --max-concurrency 1
}

transformers() {
  echo "== (d) transformers, same shape"
  python3 scripts/gpu-bench/hf_decode.py --config "$l8b" --batch-sizes 1,32 --input-len 1024 \
    --output-len 128 2>/dev/null | tee "$out/hf.jsonl"
}

for s in $sections; do
  case $s in
    a) one_batch ;; b) offline ;; c) serving ;; d) transformers ;; e) one_at_a_time ;; f) sampled ;;
    *) echo "unknown section $s (a b c d e f)" >&2; exit 2 ;;
  esac
done
echo "== table"
python3 scripts/gpu-bench/table.py "$out"
