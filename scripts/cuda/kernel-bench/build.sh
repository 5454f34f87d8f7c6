#!/usr/bin/env bash
# Builds the decode-kernel harness: the current resource kernels (gemv.cu, attention.cu) against a
# baseline snapshot of the same files taken from git at BASE (default: the kernels just before the
# streaming GEMV and cp.async decode attention of commit fdd748a, whose signatures bench.cu expects).
# Usage: build.sh [OUT_BINARY]   (default scripts/cuda/kernel-bench/build/kbench)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(git -C "$here" rev-parse --show-toplevel)
res=engine/src/main/resources/dev/sglj/engine/compute/cuda
base=${BASE:-$(git -C "$top" rev-parse fdd748a^)}
out=${1:-$here/build/kbench}
mkdir -p "$here/build" "$(dirname "$out")"
# The baseline goes into namespace oldk; its extern "C" names become C++ names there.
{
  for f in common.cuh gemv.cu attention.cu; do git -C "$top" show "$base:$res/$f"; echo; done
} | sed 's/extern "C" //' > "$here/build/baseline_kernels.cuh"
# The current GEMV with plain __ldg weight loads (namespace ldgk), to time the load hint.
{
  cat "$top/$res/common.cuh" "$top/$res/gemv.cu"
} | sed -e 's/extern "C" //' -e 's/ld.global.nc.L1::no_allocate.L2::256B/ld.global.nc/' \
  -e 's/\b\(load_weights\|unpack_bf16x8\|store_out\)(/ldg_\1(/g' > "$here/build/gemv_ldg.cuh"
# The engine's row-wise and fused ops (namespace eng), for the decode layer as it runs composed.
{
  cat "$top/$res/elementwise.cu" "$top/$res/fused.cu"
} | sed 's/extern "C" //' > "$here/build/engine_ops.cuh"
nvcc -gencode arch=compute_90,code=sm_90 -O3 -std=c++17 -Xptxas -warn-spills -I"$top/$res" -I"$here/build" \
  -cudart static -o "$out" "$here/bench.cu" -ldl
echo "built $out (baseline $base)"
