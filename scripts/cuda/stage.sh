#!/usr/bin/env bash
# Builds the engine's classes here and stages what the GPU machine needs into DIR (default
# /work/main/.cuda-run, git-ignored): a jlinked Java 25 runtime, main and test classes, the runtime
# jars and the JUnit console launcher. Then: run(carry=[".cuda-run"], command="bash .cuda-run/run-gpu-tests.sh .cuda-run").
set -euo pipefail
top=$(git rev-parse --show-toplevel)
dest=${1:-/work/main/.cuda-run}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cd "$top"
mvn -B -ntp -q -o -pl engine test-compile
rm -rf "$dest" && mkdir -p "$dest/lib"
# As /work/shared/tools/device-jdk.sh does, with the modules the engine needs (that script expects a
# plain checkout, not a worktree).
tmp=$(mktemp -d)
"$JAVA_HOME/bin/jlink" --add-modules java.base,jdk.incubator.vector,java.logging,jdk.unsupported,java.management,jdk.management \
  --strip-debug --no-man-pages --no-header-files --compress=zip-9 --output "$tmp/jrt"
tar czf "$dest/jdk.tgz" -C "$tmp" jrt
rm -rf "$tmp"
cp -r engine/target/classes engine/target/test-classes "$dest/"
mvn -B -ntp -q -o -pl engine dependency:copy-dependencies -DincludeScope=test -DoutputDirectory="$dest/lib"
rm -f "$dest"/lib/tokenizers-*.jar "$dest"/lib/jna-*.jar "$dest"/lib/byte-buddy-*.jar  # not used by the GPU tests; keeps the carry under 64 MiB
cp ~/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.14.4/junit-platform-console-standalone-1.14.4.jar "$dest/lib/"
cp scripts/cuda/run-gpu-tests.sh "$dest/"
repo=$(git -C "$dest/.." rev-parse --show-toplevel 2>/dev/null || true)
if [ -n "$repo" ] && ! git -C "$repo" check-ignore -q "$dest"; then
  exclude=$(git -C "$repo" rev-parse --path-format=absolute --git-path info/exclude)
  grep -qx "/$(basename "$dest")/" "$exclude" 2>/dev/null || echo "/$(basename "$dest")/" >> "$exclude"
fi
du -sh "$dest"
