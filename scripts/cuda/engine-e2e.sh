#!/usr/bin/env bash
# The engine end to end on the GPU machine through the sglj command line: a fixture model's greedy
# tokens on --device cuda (compare with its expected.json), then bench one-batch and
# offline-throughput on a Llama-3.1-8B-shaped dummy model.
#
# Here:    bash /work/shared/tools/device-jdk.sh && bash scripts/cuda/engine-e2e.sh stage
# Device:  run(carry=[".device"], command="bash scripts/cuda/engine-e2e.sh run")
set -euo pipefail
case "${1:-}" in
  stage)
    JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64} mvn -B -ntp -q -DskipTests install
    rm -rf .device/app && mkdir -p .device/app
    cp cli/target/sglj-cli.jar cli/target/lib/*.jar .device/app/
    # The carry limit is 64 MiB: keep only the linux-x86_64 library of the tokenizers jar (15 of its 60 MB).
    zip -q -d .device/app/tokenizers-*.jar 'native/lib/linux-aarch64/*' 'native/lib/osx-*' 'native/lib/win-*'
    du -sh .device ;;
  run)
    tar xzf .device/jdk.tgz -C /tmp
    export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
    sglj() { /tmp/jrt/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
               -cp '.device/app/*' dev.sglj.cli.Main "$@"; }
    nvidia-smi --query-gpu=name,memory.total --format=csv
    fx=engine/src/test/resources/fixtures/models/qwen3
    prompt=$(python3 -c "import json;print(','.join(map(str,json.load(open('$fx/expected.json'))['cases'][1]['prompt'])))")
    expected=$(python3 -c "import json;print(json.load(open('$fx/expected.json'))['cases'][1]['output'])")
    echo "== fixture qwen3 on cuda, transformers gave $expected"
    sglj generate --device cuda --model-path "$fx" --input-ids "$prompt" --max-new-tokens 10 --temperature 0 \
      --ignore-eos --max-total-tokens 4096 2>&1 | tail -1
    mkdir -p /tmp/l8b && cp engine/src/test/resources/configs/llama-3.1-8b-instruct.json /tmp/l8b/config.json
    echo "== bench one-batch, Llama-3.1-8B shape, dummy weights"
    sglj bench one-batch --device cuda --model-path /tmp/l8b --load-format dummy --batch-size 1 8 32 \
      --input-len 512 --output-len 32 2>&1 | grep -E "^(Prefill|Decode|Total)\."
    echo "== offline-throughput, 64 x (512 in / 64 out)"
    sglj bench offline-throughput --device cuda --model-path /tmp/l8b --load-format dummy --num-prompts 64 \
      --random-input-len 512 --random-output-len 64 --max-running-requests 64 --decode-log-interval 1000 2>&1 \
      | grep -v "Prefill batch" | tail -15 ;;
  *) echo "usage: $0 stage|run" >&2; exit 2 ;;
esac
