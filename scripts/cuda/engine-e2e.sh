#!/usr/bin/env bash
# Stages everything the GPU-machine scripts need into .device/ (git-ignored), under the 64 MiB carry limit:
#   jdk.txz  a jlinked Java 25 runtime (uncompressed modules, xz: ~16 MB)
#   app/     the sglj command line's jars (the tokenizers jar keeps only its linux-x86_64 library)
#   test/    the engine's test classes (without the tokenizer and chat-template data) and the JUnit
#            console launcher with the test-scope jars, for the gpu-tagged tests
# then `run` there, fixture model end to end: greedy tokens on --device cuda against its expected.json.
#
# Here:    bash scripts/cuda/engine-e2e.sh stage
# Device:  run(carry=[".device"], command="bash scripts/cuda/engine-e2e.sh run")
#          (or scripts/cuda/gpu-tests.sh, scripts/cuda/serve-8b.sh, scripts/gpu-bench/run.sh)
set -euo pipefail
case "${1:-}" in
  stage)
    export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
    mvn -B -ntp -q -DskipTests install
    rm -rf .device/app .device/test && mkdir -p .device/app .device/test/lib
    cp cli/target/sglj-cli.jar cli/target/lib/*.jar .device/app/
    zip -q -d .device/app/tokenizers-*.jar 'native/lib/linux-aarch64/*' 'native/lib/osx-*' 'native/lib/win-*'
    cp -r engine/target/test-classes .device/test/classes
    rm -rf .device/test/classes/tokenizers .device/test/classes/chat-templates
    mvn -B -ntp -q -o -pl engine dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$PWD/.device/test/all"
    for jar in .device/test/all/*.jar; do
      [ -e ".device/app/$(basename "$jar")" ] || case $(basename "$jar") in
        junit-*|opentest4j-*|apiguardian-*|assertj-*) cp "$jar" .device/test/lib/ ;;
      esac
    done
    rm -rf .device/test/all
    cp ~/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.14.4/junit-platform-console-standalone-1.14.4.jar .device/test/lib/
    if [ ! -f .device/jdk.txz ]; then
      tmp=$(mktemp -d)
      "$JAVA_HOME/bin/jlink" --add-modules java.base,java.net.http,jdk.httpserver,jdk.incubator.vector,java.logging,jdk.unsupported,java.management,java.naming,java.xml,java.sql,jdk.crypto.ec,jdk.management,jdk.zipfs \
        --strip-debug --no-man-pages --no-header-files --compress=zip-0 --output "$tmp/jrt" 2>/dev/null
      tar cJf .device/jdk.txz -C "$tmp" jrt
      rm -rf "$tmp"
    fi
    rm -f .device/jdk.tgz
    du -sh .device ;;
  run)
    source scripts/cuda/device-env.sh
    nvidia-smi --query-gpu=name,memory.total --format=csv
    fx=engine/src/test/resources/fixtures/models/qwen3
    prompt=$(python3 -c "import json;print(','.join(map(str,json.load(open('$fx/expected.json'))['cases'][1]['prompt'])))")
    expected=$(python3 -c "import json;print(json.load(open('$fx/expected.json'))['cases'][1]['output'])")
    echo "== fixture qwen3 on cuda, transformers gave $expected"
    sglj generate --device cuda --model-path "$fx" --input-ids "$prompt" --max-new-tokens 10 --temperature 0 \
      --ignore-eos --max-total-tokens 4096 2>&1 | tail -1 ;;
  *) echo "usage: $0 stage|run" >&2; exit 2 ;;
esac
