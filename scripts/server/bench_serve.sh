#!/usr/bin/env bash
# The server benchmark of issue 5: `sglj serve` with the built-in model, N concurrent streaming chat requests
# (sglj bench serving --backend sglang-oai-chat, all sent at once), and the server's resident memory (VmRSS)
# at idle and at its peak under that load.
#
#   scripts/server/bench_serve.sh [NUM_PROMPTS=500] [INPUT_LEN=64] [OUTPUT_LEN=32] [PORT=30555] [extra serve flags...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N="${1:-500}"; IN="${2:-64}"; OUTLEN="${3:-32}"; PORT="${4:-30555}"; shift $(( $# < 4 ? $# : 4 ))
LOG="$(mktemp -t sglj-serve.XXXXXX.log)"

"$ROOT/sglj" serve --port "$PORT" "$@" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
  kill -0 $SERVER 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 1
done
JVM=$(pgrep -P $SERVER java || echo $SERVER)
rss() { awk '/VmRSS/ {print $2}' "/proc/$JVM/status"; }
sleep 2
IDLE=$(rss)

PEAK=$IDLE
( while kill -0 $SERVER 2>/dev/null; do r=$(rss 2>/dev/null || echo 0); echo "$r"; sleep 0.25; done ) >"$LOG.rss" &
SAMPLER=$!
"$ROOT/sglj" bench serving --backend sglang-oai-chat --port "$PORT" --dataset-name random-ids \
  --random-input-len "$IN" --random-output-len "$OUTLEN" --random-range-ratio 1.0 --num-prompts "$N" \
  --request-rate inf --max-concurrency "$N" --disable-tqdm
kill $SAMPLER 2>/dev/null || true
PEAK=$(sort -n "$LOG.rss" | tail -1)
echo "Server RSS idle (MiB):                   $(( IDLE / 1024 ))"
echo "Server RSS peak under load (MiB):        $(( PEAK / 1024 ))"
grep -c '"POST /v1/chat/completions HTTP/1.1" 200' "$LOG" | sed 's/^/Access-log lines with 200:               /'
