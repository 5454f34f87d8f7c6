#!/usr/bin/env bash
# A change against a baseline on one GPU machine, in one device call: machines of one kind differ by a few
# percent, and one build's batch-1 median moves by up to 3.5% from run to run, so both builds run in turns.
#
# Here:    bash scripts/cuda/engine-e2e.sh stage             # this checkout's build into .device/
#          bash scripts/gpu-bench/ab.sh stage REV            # REV's engine jar into .device/base-engine.jar
# Device:  run(carry=[".device"], command="bash scripts/gpu-bench/ab.sh run [one-batch|offline|sampled] [ROUNDS]")
#
# one-batch (default): `sglj bench one-batch` at BATCHES (default 1 2 4), input 1024 / output 128, graphs
# captured up to the largest of them; offline: `run.sh b` (OFFLINE_* as there); sampled: `run.sh f` (the server
# with temperature 0.7 / top_p 0.9 draws, one request at a time and 32 at a time; median ITL and output tok/s). ROUNDS (default 2) alternations of this build and the
# baseline, then one line per build and round with its median decode latency per batch (from the runs' JSONL, to
# 0.1 us) or its offline throughput. Logs and JSONL land in $OUT.
set -euo pipefail
case "${1:-}" in
  stage)
    rev=${2:?usage: $0 stage REV}
    top=$(git rev-parse --show-toplevel)
    tmp=$(mktemp -d)
    git -C "$top" worktree add -q --detach "$tmp" "$rev"
    (cd "$tmp" && JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -ntp -q -o -pl engine -am package -DskipTests)
    cp "$tmp"/engine/target/sglj-engine-*.jar "$top/.device/base-engine.jar"
    git -C "$top" worktree remove --force "$tmp"
    echo "baseline $(git -C "$top" rev-parse --short "$rev") in .device/base-engine.jar" ;;
  run)
    what=${2:-one-batch}
    rounds=${3:-2}
    source scripts/cuda/device-env.sh
    out=${OUT:-/tmp/ab}
    mkdir -p "$out"
    base=/tmp/app-base
    rm -rf "$base"
    cp -r .device/app "$base"
    cp .device/base-engine.jar "$base"/sglj-engine-*.jar
    l8b=$(make_llama8b_dir)
    batches=${BATCHES:-1 2 4}
    graphMax=$(printf '%s\n' $batches | sort -n | tail -1)
    for round in $(seq 1 "$rounds"); do
      for build in new base; do
        app=.device/app
        [ "$build" = base ] && app=$base
        # Each build keeps its own NVRTC cache and GEMM plans: a build must not run the plans the other tuned.
        export SGLJ_CUDA_CACHE=/tmp/sglj-cuda-cache-$build
        log="$out/$what-$build-$round.log"
        case $what in
          one-batch)
            rm -f "${log%.log}.jsonl"
            SGLJ_APP=$app bash -c "source scripts/cuda/device-env.sh; sglj bench one-batch --model-path $l8b \
              --load-format dummy --batch-size $batches --input-len 1024 --output-len 128 \
              --cuda-graph-max-bs $graphMax --result-filename ${log%.log}.jsonl" >"$log" 2>&1 ;;
          offline)
            SGLJ_APP=$app OUT="$out/$build-$round" bash scripts/gpu-bench/run.sh b >"$log" 2>&1 ;;
          sampled)
            SGLJ_APP=$app OUT="$out/$build-$round" bash scripts/gpu-bench/run.sh f >"$log" 2>&1 ;;
          *) echo "unknown benchmark $what (one-batch, offline, sampled)" >&2; exit 2 ;;
        esac
      done
    done
    for build in new base; do
      for round in $(seq 1 "$rounds"); do
        log="$out/$what-$build-$round.log"
        if [ "$what" = one-batch ]; then
          # The JSONL has the measured runs (not the warm-up) at full precision; the log prints 10 us.
          echo "$build round $round: $(python3 -c 'import json, sys
print(" ".join("%.1f us" % (json.loads(l)["median_decode_latency"] * 1e6) for l in open(sys.argv[1])))' "${log%.log}.jsonl")"
        elif [ "$what" = sampled ]; then
          echo "$build round $round: $(grep -E 'Output token throughput|Median ITL' "$log" | awk '{printf "%s ", $NF}')"
        else
          echo "$build round $round: $(grep -E 'Output token throughput' "$log" | awk '{print $NF " tok/s"}')"
        fi
      done
    done ;;
  *) echo "usage: $0 stage REV | run [one-batch|offline|sampled] [ROUNDS]" >&2; exit 2 ;;
esac
