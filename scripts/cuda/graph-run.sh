#!/usr/bin/env bash
# CUDA graphs for decode on the GPU machine: the graph GPU tests (CudaGraphTest, with CudaParityTest
# as the eager baseline), then bench one-batch on a Llama-3.1-8B-shaped dummy model with graphs and
# with --disable-cuda-graph.
#
# Here (from a worktree):  bash scripts/cuda/graph-run.sh stage /work/main/.cg-run
# Device:  run(carry=[".cg-run"], command="bash .cg-run/graph-run.sh run .cg-run")   (or: engine)
set -uo pipefail
dir=${2:?usage: graph-run.sh stage|run|engine DIR}
case "$1" in
  stage)
    set -e
    export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
    mvn -B -ntp -q -o -DskipTests install
    rm -rf "$dir" && mkdir -p "$dir/lib" "$dir/test-classes"
    cp /work/main/.device/jdk.tgz "$dir/" 2>/dev/null || bash /work/shared/tools/device-jdk.sh
    cp cli/target/sglj-cli.jar cli/target/lib/*.jar "$dir/lib/"
    mvn -B -ntp -q -o -pl engine dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$dir/lib"
    rm -f "$dir"/lib/tokenizers-*.jar "$dir"/lib/jna-*.jar "$dir"/lib/byte-buddy-*.jar
    cp ~/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.14.4/junit-platform-console-standalone-1.14.4.jar "$dir/lib/"
    cp -r engine/target/test-classes/dev "$dir/test-classes/"   # fixtures come from the tree on the device
    cp scripts/cuda/graph-run.sh "$dir/"
    du -sh "$dir" ;;
  run)
    out=${OUT:-/tmp}
    tar xzf "$dir/jdk.tgz" -C /tmp
    java=/tmp/jrt/bin/java
    flags="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
    export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
    export SGLJ_CUDA_CACHE=/tmp/sglj-cuda-cache
    nvidia-smi --query-gpu=name,memory.total --format=csv
    cp="$dir/test-classes:engine/src/test/resources:$(ls "$dir"/lib/*.jar | grep -Ev "junit|opentest4j|apiguardian" | tr "\n" ":")"
    # shellcheck disable=SC2086
    $java $flags -Xmx8g -jar "$dir"/lib/junit-platform-console-standalone-*.jar execute --class-path "$cp" \
      --include-tag gpu --select-class dev.sglj.engine.compute.cuda.CudaGraphTest \
      --select-class dev.sglj.engine.compute.cuda.CudaParityTest --details=tree --disable-banner > "$out/tests.log" 2>&1
    echo "tests rc=$?"; grep -E "max \|dlogit|batched with graphs|tests (successful|failed)|✘|Exception|expected" "$out/tests.log" | head -80
    mkdir -p /tmp/l8b && cp engine/src/test/resources/configs/llama-3.1-8b-instruct.json /tmp/l8b/config.json
    for mode in graph eager; do
      extra=""; [ "$mode" = eager ] && extra="--disable-cuda-graph"
      echo "== bench one-batch ($mode), Llama-3.1-8B shape, dummy weights, input 512, output 32"
      # shellcheck disable=SC2086
      $java $flags -Xmx16g -cp "$dir/lib/*" dev.sglj.cli.Main bench one-batch --device cuda --model-path /tmp/l8b \
        --load-format dummy --batch-size 1 8 32 --input-len 512 --output-len 32 --result-filename "$out/$mode.jsonl" \
        $extra > "$out/bench-$mode.log" 2>&1
      echo "rc=$?"; grep -E "^(max_total|Prefill|Decode|Total)|Exception|rror" "$out/bench-$mode.log" | head -30
    done ;;
  engine)
    # The engine path (--device cuda, graphs by default): a fixture's greedy tokens, then offline
    # throughput with and without graphs, showing the decode log line's "cuda graph" field.
    tar xzf "$dir/jdk.tgz" -C /tmp
    export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
    export SGLJ_CUDA_CACHE=/tmp/sglj-cuda-cache
    sglj() { /tmp/jrt/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx16g \
               -cp "$dir/lib/*" dev.sglj.cli.Main "$@"; }
    out=${OUT:-/tmp}
    fx=engine/src/test/resources/fixtures/models/qwen3
    prompt=$(python3 -c "import json;print(','.join(map(str,json.load(open('$fx/expected.json'))['cases'][1]['prompt'])))")
    expected=$(python3 -c "import json;print(json.load(open('$fx/expected.json'))['cases'][1]['output'])")
    echo "== fixture qwen3 on cuda with graphs, transformers gave $expected"
    sglj generate --device cuda --model-path "$fx" --input-ids "$prompt" --max-new-tokens 10 --temperature 0 \
      --ignore-eos --max-total-tokens 4096 > "$out/generate.log" 2>&1
    echo "rc=$?"; grep -E "cuda_graph_max_bs|Exception" "$out/generate.log" | head -3; tail -1 "$out/generate.log"
    mkdir -p /tmp/l8b && cp engine/src/test/resources/configs/llama-3.1-8b-instruct.json /tmp/l8b/config.json
    for mode in graph eager; do
      extra=""; [ "$mode" = eager ] && extra="--disable-cuda-graph"
      echo "== offline-throughput ($mode), 64 x (512 in / 64 out), Llama-3.1-8B shape, dummy weights"
      # shellcheck disable=SC2086
      sglj bench offline-throughput --device cuda --model-path /tmp/l8b --load-format dummy --num-prompts 64 \
        --random-input-len 512 --random-output-len 64 --max-running-requests 64 --decode-log-interval 16 $extra \
        > "$out/offline-$mode.log" 2>&1
      echo "rc=$?"; grep -E "cuda_graph_max_bs|Decode batch|Exception" "$out/offline-$mode.log" | head -6
      grep -v -E "Prefill batch|Decode batch" "$out/offline-$mode.log" | tail -12
    done ;;
  *) echo "usage: $0 stage|run|engine DIR" >&2; exit 2 ;;
esac
