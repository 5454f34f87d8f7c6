#!/usr/bin/env python3
"""Summary table of scripts/bench/cpu-one-batch.sh: SGL-J and Jlama decode speed against the
bandwidth floor.

The floor of one decode step is the bytes it must read divided by the measured read bandwidth:
every weight once (a tied embedding is read whole as the LM head; an untied one only for the batch's
rows), plus each request's KV cache (float32, as both engines keep it on the CPU) over its mean
context during the measured steps.
"""
import argparse
import json
import os
import struct


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def safetensors_tensor_bytes(model_dir):
    """Bytes of each tensor in the directory's .safetensors files, from their headers."""
    sizes = {}
    for name in sorted(os.listdir(model_dir)):
        if not name.endswith(".safetensors"):
            continue
        with open(os.path.join(model_dir, name), "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(n))
        for tensor, meta in header.items():
            if tensor != "__metadata__":
                begin, end = meta["data_offsets"]
                sizes[tensor] = end - begin
    if not sizes:
        raise SystemExit(f"no .safetensors files in {model_dir}")
    return sizes


def step_bytes(cfg, tensor_bytes, batch, context):
    weights = sum(tensor_bytes.values())
    embed = tensor_bytes["model.embed_tokens.weight"]
    if not cfg.get("tie_word_embeddings", False):
        weights -= embed - embed // cfg["vocab_size"] * batch
    head_dim = cfg.get("head_dim") or cfg["hidden_size"] // cfg["num_attention_heads"]
    kv_per_token = 2 * cfg["num_hidden_layers"] * cfg["num_key_value_heads"] * head_dim * 4
    return weights, batch * context * kv_per_token


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True)
    p.add_argument("--sglj", required=True)
    p.add_argument("--jlama", required=True)
    p.add_argument("--bandwidth-gbps", type=float, required=True)
    p.add_argument("--input-len", type=int, required=True)
    p.add_argument("--output-len", type=int, required=True)
    a = p.parse_args()

    with open(os.path.join(a.model, "config.json")) as f:
        cfg = json.load(f)
    tensor_bytes = safetensors_tensor_bytes(a.model)
    context = a.input_len + a.output_len / 2
    bw = a.bandwidth_gbps * 1e9

    sglj = {r["batch_size"]: r for r in read_jsonl(a.sglj)}
    jlama = read_jsonl(a.jlama)[-1]

    rows = []

    def row(engine, batch, record):
        weights, kv = step_bytes(cfg, tensor_bytes, batch, context)
        floor_latency = (weights + kv) / bw
        tps = record["median_decode_throughput"]
        rows.append((engine, batch, record["median_decode_latency"] * 1e3, tps,
                     record["prefill_throughput"], (weights + kv) / 1e9, batch / floor_latency,
                     tps / (batch / floor_latency)))

    if 1 in sglj:
        row("SGL-J", 1, sglj[1])
    row("Jlama 0.8.4", 1, jlama)
    for b in sorted(sglj):
        if b != 1:
            row("SGL-J", b, sglj[b])

    print(f"Llama-3.2-1B shape, BF16 weights ({sum(tensor_bytes.values()) / 1e9:.3f} GB), "
          f"input {a.input_len}, output {a.output_len}, greedy; "
          f"measured read bandwidth {a.bandwidth_gbps:.2f} GB/s")
    print()
    print("| engine | batch | decode step (median, ms) | decode tok/s | prefill tok/s "
          "| bytes read per step (GB) | bandwidth floor tok/s | fraction of floor |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for engine, b, ms, tps, prefill, gb, floor, frac in rows:
        print(f"| {engine} | {b} | {ms:.1f} | {tps:.2f} | {prefill:.2f} | {gb:.3f} | {floor:.2f} | {frac:.2f} |")
    print()
    if 1 in sglj:
        ratio = sglj[1]["median_decode_throughput"] / jlama["median_decode_throughput"]
        print(f"SGL-J / Jlama decode tok/s at batch 1: {ratio:.2f}x")
    for b in sorted(sglj):
        if b != 1:
            print(f"SGL-J batched decode throughput at batch {b}: {sglj[b]['median_decode_throughput']:.2f} tok/s")


if __name__ == "__main__":
    main()
