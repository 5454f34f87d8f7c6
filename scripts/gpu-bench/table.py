"""Prints issue 7's table from the files run.sh leaves in its output folder: one_batch.jsonl (sglj bench
one-batch), offline.log (sglj bench offline-throughput), serving.jsonl (sglj bench serving) and hf.jsonl
(hf_decode.py). Each SGL-J figure is shown with the bandwidth floor where one applies and its ratio to
transformers measured in the same call. Usage: python3 table.py OUT_DIR [INPUT_LEN OUTPUT_LEN]"""
import json
import os
import re
import sys

WEIGHT_BYTES = 16.06e9      # Llama-3.1-8B in bf16
KV_BYTES_PER_TOKEN = 131072  # 32 layers x 8 kv heads x 128 x (K, V) x 2 bytes
BANDWIDTH = 3.06e12          # H100 read bandwidth measured on the lent card (java-stack.md)


def load(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.startswith("{")]


def floor_tok_s(bs, context):
    return bs / ((WEIGHT_BYTES + bs * context * KV_BYTES_PER_TOKEN) / BANDWIDTH)


def decode_table(out, input_len, output_len, hf):
    sglj = {r["batch_size"]: r for r in load(f"{out}/one_batch.jsonl") if r.get("median_decode_throughput")}
    if not sglj:
        return
    context = input_len + output_len // 2
    print(f"One batch, input {input_len} / output {output_len} (decode floor: weights + KV at mid-output context)")
    print("| batch | SGL-J decode tok/s | transformers decode tok/s | SGL-J / transformers | floor tok/s "
          "| SGL-J / floor | SGL-J prefill tok/s | transformers prefill tok/s | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for bs in sorted(sglj):
        s, h = sglj[bs], hf.get(bs)
        dec, pre = s["median_decode_throughput"], s["prefill_throughput"]
        floor = floor_tok_s(bs, context)
        hd = f"{h['decode_tok_s']:.1f} | {dec / h['decode_tok_s']:.2f}" if h else "- | -"
        hp = f"{h['prefill_tok_s']:.0f} | {pre / h['prefill_tok_s']:.2f}" if h else "- | -"
        print(f"| {bs} | {dec:.1f} | {hd} | {floor:.1f} | {dec / floor:.2f} | {pre:.0f} | {hp} |")
    print()


def offline_table(out, hf):
    path = f"{out}/offline.log"
    if not os.path.exists(path):
        return
    text = open(path).read()
    m = re.search(r"Output token throughput \(tok/s\):\s+([\d.]+)", text)
    if not m:
        print("offline: no result line in offline.log\n")
        return
    tok_s = float(m.group(1))
    best = max(hf.values(), key=lambda h: h["decode_tok_s"]) if hf else None
    vs = f"{tok_s / best['decode_tok_s']:.2f}x transformers' best decode ({best['decode_tok_s']:.0f} tok/s at batch " \
         f"{best['batch_size']})" if best else "no transformers figure"
    print(f"Offline output throughput: {tok_s:.1f} tok/s (target 4200, SGLang CI 3800); {vs}")
    logged = [(int(r), int(t)) for r, t in re.findall(r"#running-req: (\d+), #token: (\d+)", text)]
    if logged:
        floors = sorted(r / ((WEIGHT_BYTES + t * KV_BYTES_PER_TOKEN) / BANDWIDTH) for r, t in logged)
        print(f"decode floor at the logged batches (running requests / (weights + their KV) at the bandwidth): "
              f"median {floors[len(floors) // 2]:.0f} tok/s over {len(floors)} lines")
    print()


def serving_table(out, hf):
    rows = load(f"{out}/serving.jsonl")
    if not rows:
        return
    r = rows[-1]
    h = hf.get(1)
    print("Server at 1 request/s, random 1024 / 256")
    print("| metric | SGL-J | target | SGLang CI | transformers batch 1 | SGL-J / transformers |")
    print("|---|---:|---:|---:|---:|---:|")
    ttft_hf = 1024 / h["prefill_tok_s"] * 1e3 if h else None
    itl_hf = h["decode_step_ms"] if h else None
    for name, value, target, ci, ref in (("median TTFT (ms)", r["median_ttft_ms"], 60, 86, ttft_hf),
                                         ("median ITL (ms)", r["median_itl_ms"], 8, 10, itl_hf)):
        refs = f"{ref:.2f} | {value / ref:.2f}" if ref else "- | -"
        print(f"| {name} | {value:.2f} | < {target} | < {ci} | {refs} |")
    print(f"completed {r.get('completed')} requests, output throughput {r.get('output_throughput', 0):.1f} tok/s\n")


def main():
    out = sys.argv[1]
    input_len = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
    output_len = int(sys.argv[3]) if len(sys.argv) > 3 else 128
    hf = {r["batch_size"]: r for r in load(f"{out}/hf.jsonl")}
    decode_table(out, input_len, output_len, hf)
    offline_table(out, hf)
    serving_table(out, hf)


if __name__ == "__main__":
    main()
