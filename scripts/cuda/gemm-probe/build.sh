#!/usr/bin/env bash
# Builds the cuBLAS / cuBLASLt decode-GEMM probe (probe.cu) for sm_90, CUDA runtime static, libcublas and
# libcublasLt dynamic (sonames libcublas.so.13 / libcublasLt.so.13 with CUDA 13), stripped.
# Usage: build.sh [OUT_BINARY]   (default scripts/cuda/gemm-probe/build/gemm-probe)
# cuBLAS headers and libraries are taken from, in order: $CUBLAS_ROOT (include/ and lib64/ or lib/),
# nvcc's CUDA root, a pip-installed nvidia-cublas (nvidia/cu13), or the nvidia_cublas-13 wheel on this
# machine's local wheel folders (unpacked into build/cublas).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/build/gemm-probe}
mkdir -p "$here/build" "$(dirname "$out")"

has_cublas() {  # $1 = include dir, $2 = lib dir
  [ -f "$1/cublasLt.h" ] && compgen -G "$2/libcublasLt.so*" >/dev/null && compgen -G "$2/libcublas.so*" >/dev/null
}

inc='' lib=''
cands=()
[ -n "${CUBLAS_ROOT:-}" ] && cands+=("$CUBLAS_ROOT")
cuda_root=$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")
cands+=("$cuda_root" /usr/local/cuda)
for d in $(python3 -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null || true); do
  cands+=("$d/nvidia/cu13")
done
cands+=("$here/build/cublas/nvidia/cu13")
for root in "${cands[@]}"; do
  for l in "$root/lib64" "$root/lib" "$root/targets/x86_64-linux/lib"; do
    for i in "$root/include" "$root/targets/x86_64-linux/include"; do
      if [ -z "$inc" ] && has_cublas "$i" "$l"; then inc=$i lib=$l; fi
    done
  done
done
if [ -z "$inc" ]; then
  whl=$(ls ${CUBLAS_WHEEL:-} /opt/pypi-more/files/nvidia_cublas-13*.whl /opt/wheels/nvidia_cublas-13*.whl 2>/dev/null | head -1 || true)
  [ -n "$whl" ] || { echo "no cuBLAS 13 found: set CUBLAS_ROOT (include/cublasLt.h, lib64/libcublasLt.so*)" >&2; exit 1; }
  echo "unpacking cuBLAS headers and libraries from $whl"
  python3 - "$whl" "$here/build/cublas" <<'EOF'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for n in z.namelist():
    if n.startswith('nvidia/cu13/include/') or n.endswith(('libcublas.so.13', 'libcublasLt.so.13')):
        z.extract(n, sys.argv[2])
EOF
  inc=$here/build/cublas/nvidia/cu13/include lib=$here/build/cublas/nvidia/cu13/lib
fi

# -lcublas / -lcublasLt need the unversioned names; a wheel ships only the .so.13 files.
link=$here/build/link gen=$here/build/gen
mkdir -p "$link" "$gen"
for name in libcublas libcublasLt; do
  real=$(ls "$lib/$name.so" "$lib/$name".so.[0-9]* 2>/dev/null | head -1 || true)
  [ -n "$real" ] || { echo "no $name.so* in $lib" >&2; exit 1; }
  ln -sf "$(readlink -f "$real")" "$link/$name.so"
done

# Names of the tile / stages / cluster-shape enums of this cublasLt.h, for printing algo configs.
{
  echo 'struct LtName { long long id; const char* name; };'
  for e in MATMUL_TILE:kTileNames MATMUL_STAGES:kStagesNames CLUSTER_SHAPE:kClusterNames; do
    echo "static const LtName ${e#*:}[] = {"
    sed -n "s/^ *CUBLASLT_${e%%:*}_\([0-9A-Za-z]*\) *= *\([0-9]*\),.*/  {\2, \"\1\"},/p" "$inc/cublasLt.h"
    echo '};'
  done
} > "$gen/lt_names.inc"

nvcc -gencode arch=compute_90,code=sm_90 -O3 -std=c++17 -cudart static -Xcompiler -Wall,-Wextra \
  -I"$inc" -I"$gen" -o "$out" "$here/probe.cu" -L"$link" -lcublas -lcublasLt \
  -Xlinker -s -Xlinker -rpath -Xlinker /usr/local/cuda/lib64
echo "built $out ($(stat -c %s "$out") bytes) against $inc"
readelf -d "$out" | grep -E 'NEEDED|RUNPATH|RPATH' || true
