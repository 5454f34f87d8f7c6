#!/usr/bin/env python3
"""Expected encodings and decodes of the fixture tokenizers, from Hugging Face tokenizers/transformers.

Run from the repository root (on a machine with the `tokenizers` and `transformers` packages):
    python3 scripts/tokenizers/make_tokenizer_fixtures.py OUT_DIR
Writes OUT_DIR/<name>.json.gz for each tokenizer; commit them to engine/src/test/resources/tokenizers/expected/.

Each file holds, for every text of scripts/tokenizers/corpus.json plus one long text built from them:
  ids with and without special tokens (tokenizers' Tokenizer.encode, which DJL binds), and
  decodes of those ids; plus random id sequences (uniform, byte tokens, specials, cut multi-byte runs)
  with their decodes. A decode is transformers' AutoTokenizer.decode (tokenizers' decode followed by
  clean_up_tokenization_spaces when tokenizer_config.json asks for it); the raw tokenizers decode is kept too.
"""
import gzip
import json
import os
import random
import sys
import tempfile
import traceback

import tokenizers
import transformers
from transformers import AutoTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKENIZERS = {
    "llama2": "engine/src/test/resources/tokenizers/llama2",
    "llama3_1": "engine/src/test/resources/tokenizers/llama3_1",
    "qwen3": "engine/src/main/resources/dev/sglj/engine/tokenizer/builtin/qwen3",
}
RANDOM_SEQUENCES = 40


def unpacked(src_dir):
    tmp = tempfile.mkdtemp()
    for name in ("tokenizer.json", "tokenizer_config.json"):
        with gzip.open(os.path.join(ROOT, src_dir, name + ".gz"), "rb") as f:
            data = f.read()
        with open(os.path.join(tmp, name), "wb") as f:
            f.write(data)
    return tmp


def corpus():
    with open(os.path.join(ROOT, "scripts/tokenizers/corpus.json"), encoding="utf-8") as f:
        texts = json.load(f)["texts"]
    long_text = "\n\n".join(t for t in texts for _ in range(3))
    return texts + [long_text]


def decodes(raw, hf, ids):
    return {
        "decode": hf.decode(ids, skip_special_tokens=False),
        "decode_skip": hf.decode(ids, skip_special_tokens=True),
        "raw_decode": raw.decode(ids, skip_special_tokens=False),
        "raw_decode_skip": raw.decode(ids, skip_special_tokens=True),
        "decode_no_spaces_between_special": hf.decode(
            ids, skip_special_tokens=False, spaces_between_special_tokens=False),
    }


def random_sequences(raw, texts, rng):
    vocab = raw.get_vocab_size(with_added_tokens=True)
    specials = sorted(raw.get_added_tokens_decoder().keys())
    byte_ids = [raw.token_to_id("<0x%02X>" % b) for b in range(256)]
    byte_ids = [i for i in byte_ids if i is not None]
    multibyte = [raw.encode(t, add_special_tokens=False).ids
                 for t in texts if any(ord(c) > 0x7FF for c in t)]
    sequences = []
    for k in range(RANDOM_SEQUENCES):
        n = rng.randint(1, 48)
        kind = k % 4
        if kind == 0:
            seq = [rng.randrange(vocab) for _ in range(n)]
        elif kind == 1 and byte_ids:
            seq = [rng.choice(byte_ids) if rng.random() < 0.6 else rng.randrange(vocab) for _ in range(n)]
        elif kind == 2:
            seq = [rng.choice(specials) if rng.random() < 0.3 else rng.randrange(vocab) for _ in range(n)]
        else:
            src = rng.choice(multibyte)
            a = rng.randrange(len(src))
            seq = src[a:a + n]
            if rng.random() < 0.5 and len(seq) > 2:
                del seq[rng.randrange(1, len(seq) - 1)]
        sequences.append(seq)
    return sequences


def fixture(name, src_dir):
    tmp = unpacked(src_dir)
    raw = tokenizers.Tokenizer.from_file(os.path.join(tmp, "tokenizer.json"))
    hf = AutoTokenizer.from_pretrained(tmp)
    texts = corpus()
    cases = []
    for text in texts:
        ids = raw.encode(text, add_special_tokens=True).ids
        ids_plain = raw.encode(text, add_special_tokens=False).ids
        case = {"text": text, "ids": ids, "ids_no_special": ids_plain,
                "hf_ids": hf.encode(text, add_special_tokens=True)}
        case.update(decodes(raw, hf, ids))
        cases.append(case)
    rng = random.Random(1234 + sum(map(ord, name)))
    sequences = []
    for ids in random_sequences(raw, texts, rng):
        seq = {"ids": ids}
        seq.update(decodes(raw, hf, ids))
        sequences.append(seq)
    return {
        "tokenizer": name,
        "tokenizers_version": tokenizers.__version__,
        "transformers_version": transformers.__version__,
        "hf_class": type(hf).__name__,
        "clean_up_tokenization_spaces": bool(getattr(hf, "clean_up_tokenization_spaces", False)),
        "vocab_size_with_added": raw.get_vocab_size(with_added_tokens=True),
        "cases": cases,
        "random_sequences": sequences,
    }


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    print("tokenizers", tokenizers.__version__, "transformers", transformers.__version__)
    for name, src_dir in TOKENIZERS.items():
        try:
            data = fixture(name, src_dir)
        except Exception:
            traceback.print_exc()
            continue
        path = os.path.join(out_dir, name + ".json.gz")
        with gzip.GzipFile(path, "wb", mtime=0) as f:
            f.write(json.dumps(data, ensure_ascii=False).encode("utf-8"))
        mismatched = sum(c["ids"] != c["hf_ids"] for c in data["cases"])
        print(name, data["hf_class"], "cases", len(data["cases"]), "transformers/tokenizers id mismatches",
              mismatched, "size", os.path.getsize(path))


if __name__ == "__main__":
    main()
