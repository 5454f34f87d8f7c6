#!/usr/bin/env bash
# Decode-kernel check on the GPU machine, in one call: the harness, the GPU tests, then `bench one-batch`
# on a Llama-3.1-8B-shaped dummy model with CUDA graphs and with --disable-cuda-graph.
#
# Here (from the worktree):  bash scripts/cuda/kernel-bench/device-run.sh stage /work/main/.cuda-run-decode
# Device:  run(carry=[".cuda-run-decode"], command="bash .cuda-run-decode/device-run.sh run .cuda-run-decode")
set -uo pipefail
dir=${2:?usage: device-run.sh stage|run DIR}
case "$1" in
  stage)
    set -e
    here=$(cd "$(dirname "$0")" && pwd)
    top=$(git -C "$here" rev-parse --show-toplevel)
    export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
    (cd "$top" && mvn -B -ntp -q -o install -DskipTests)
    (cd "$top" && bash scripts/cuda/stage.sh "$dir")
    # Under the 64 MiB a call carries with the checkout: the GPU tests read neither tokenizers nor chat
    # templates, and the console launcher bundles JUnit.
    rm -rf "$dir/test-classes/tokenizers" "$dir/test-classes/chat-templates"
    rm -f "$dir"/lib/junit-jupiter-*.jar "$dir"/lib/junit-platform-commons-*.jar "$dir"/lib/junit-platform-engine-*.jar \
      "$dir"/lib/opentest4j-*.jar "$dir"/lib/apiguardian-*.jar
    mkdir -p "$dir/cli-lib"
    cp "$top"/cli/target/sglj-cli.jar "$dir/cli-lib/"
    for jar in "$top"/cli/target/lib/*.jar; do
      name=$(basename "$jar")
      case "$name" in tokenizers-*|jna-*|sglj-engine-*) continue ;; esac
      [ -e "$dir/lib/$name" ] || cp "$jar" "$dir/cli-lib/"
    done
    bash "$here/build.sh" "$dir/kbench"
    cp "$here/device-run.sh" "$dir/"
    du -sh "$dir" ;;
  run)
    out=${OUT:-/tmp}
    export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
    export SGLJ_CUDA_CACHE=/tmp/sglj-cuda-cache
    nvidia-smi --query-gpu=name,memory.used,clocks.sm,clocks.mem,temperature.gpu --format=csv
    timeout 45 "$dir/kbench" > "$out/kbench.log" 2>&1
    echo "kbench rc=$?"
    timeout 60 bash "$dir/run-gpu-tests.sh" "$dir" tests > "$out/tests-full.log" 2>&1
    echo "tests rc=$?"
    mkdir -p /tmp/l8b && cp engine/src/test/resources/configs/llama-3.1-8b-instruct.json /tmp/l8b/config.json
    cp="$dir/classes:$dir/cli-lib/*:$dir/lib/*"
    for mode in graph eager; do
      extra=""; [ "$mode" = eager ] && extra="--disable-cuda-graph"
      # shellcheck disable=SC2086
      timeout 55 /tmp/jrt/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx16g \
        -cp "$cp" dev.sglj.cli.Main bench one-batch --device cuda --model-path /tmp/l8b --load-format dummy \
        --batch-size 1 8 32 --input-len 512 --output-len 32 $extra > "$out/bench-$mode.log" 2>&1
      echo "bench $mode rc=$?"
    done
    grep -E "FAIL|failures" "$out/kbench.log" | head -20
    grep -E "✘|tests (successful|failed)|Exception" "$out/tests-full.log" | head -20
    for mode in graph eager; do
      echo "== $mode"; grep -E "^(max_total|Decode\.  median)|Exception|rror" "$out/bench-$mode.log" | head -12
    done ;;
  *) echo "usage: $0 stage|run DIR" >&2; exit 2 ;;
esac
