#!/usr/bin/env python3
"""Writes a llama-family checkpoint with random BF16 weights as one model.safetensors.

Usage: write_random_llama.py CONFIG_JSON OUT_DIR [--seed N]

Tensor names and shapes follow Hugging Face LlamaForCausalLM. Linear and embedding weights are
N(0, 0.02) (the config's initializer_range), RMSNorm weights are 1. The file is written in chunks
so memory stays small.
"""
import argparse
import json
import os
import shutil
import sys

import numpy as np

CHUNK = 1 << 24


def tensor_specs(cfg):
    hidden = cfg["hidden_size"]
    inter = cfg["intermediate_size"]
    heads = cfg["num_attention_heads"]
    kv_heads = cfg.get("num_key_value_heads", heads)
    head_dim = cfg.get("head_dim") or hidden // heads
    vocab = cfg["vocab_size"]
    specs = [("model.embed_tokens.weight", (vocab, hidden), "normal")]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        specs += [
            (p + "input_layernorm.weight", (hidden,), "ones"),
            (p + "self_attn.q_proj.weight", (heads * head_dim, hidden), "normal"),
            (p + "self_attn.k_proj.weight", (kv_heads * head_dim, hidden), "normal"),
            (p + "self_attn.v_proj.weight", (kv_heads * head_dim, hidden), "normal"),
            (p + "self_attn.o_proj.weight", (hidden, heads * head_dim), "normal"),
            (p + "post_attention_layernorm.weight", (hidden,), "ones"),
            (p + "mlp.gate_proj.weight", (inter, hidden), "normal"),
            (p + "mlp.up_proj.weight", (inter, hidden), "normal"),
            (p + "mlp.down_proj.weight", (hidden, inter), "normal"),
        ]
    specs.append(("model.norm.weight", (hidden,), "ones"))
    if not cfg.get("tie_word_embeddings", False):
        specs.append(("lm_head.weight", (vocab, hidden), "normal"))
    return specs


def to_bf16_bits(x):
    """Rounds float32 to bfloat16 (round to nearest even) and returns the raw uint16 bits."""
    bits = x.astype(np.float32).view(np.uint32)
    rounded = bits + 0x7FFF + ((bits >> 16) & 1)
    return (rounded >> 16).astype(np.uint16)


def header_bytes(specs):
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape, _ in specs:
        size = int(np.prod(shape)) * 2
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    return raw


def write(cfg, out_dir, seed):
    std = float(cfg.get("initializer_range", 0.02))
    specs = tensor_specs(cfg)
    rng = np.random.default_rng(seed)
    tmp = os.path.join(out_dir, "model.safetensors.partial")
    with open(tmp, "wb") as f:
        header = header_bytes(specs)
        f.write(len(header).to_bytes(8, "little"))
        f.write(header)
        for _, shape, kind in specs:
            remaining = int(np.prod(shape))
            while remaining > 0:
                n = min(remaining, CHUNK)
                if kind == "ones":
                    values = np.ones(n, dtype=np.float32)
                else:
                    values = rng.standard_normal(n, dtype=np.float32)
                    values *= std
                f.write(to_bf16_bits(values).tobytes())
                remaining -= n
    os.replace(tmp, os.path.join(out_dir, "model.safetensors"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with open(args.config) as f:
        cfg = json.load(f)
    os.makedirs(args.out_dir, exist_ok=True)
    shutil.copyfile(args.config, os.path.join(args.out_dir, "config.json"))
    write(cfg, args.out_dir, args.seed)
    params = sum(int(np.prod(s)) for _, s, _ in tensor_specs(cfg))
    print(f"wrote {args.out_dir}/model.safetensors: {params} parameters, BF16", file=sys.stderr)


if __name__ == "__main__":
    main()
