#!/usr/bin/env bash
# Builds the EXTEND attention harness (nvcc 13, sm_90, static cudart: the binary needs only the driver on
# the GPU machine) into OUT (default .device/bench-extend, git-ignored), printing ptxas' register and spill
# lines for the kernels. On the GPU machine, from the repository root:
#   run(carry=[".device/bench-extend"], command=".device/bench-extend")
set -euo pipefail
top=$(git rev-parse --show-toplevel)
out=${1:-$top/.device/bench-extend}
src=$top/engine/src/main/resources/dev/sglj/engine/compute/cuda
mkdir -p "$(dirname "$out")"
nvcc -O3 -std=c++17 -gencode arch=compute_90,code=sm_90 -Xptxas -v -I"$src" -cudart static -Xlinker -s -o "$out" \
  "$top/scripts/cuda/kernel-bench-extend/bench.cu" -ldl 2>&1 \
  | grep -E "entry function|spill|Used" | grep -A2 -E "entry function '(v|extend_attention_tc)" \
  | sed -E "s/ptxas info +: //" || true
test -x "$out"
