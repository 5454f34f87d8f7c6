"""Prints issue 7's side-by-side table from SGL-J's bench one-batch JSONL and hf_decode.py's JSON lines:
decode tok/s per batch size, the bandwidth floor (bf16 weights + KV read once per step) and the ratios."""
import json
import sys

WEIGHT_BYTES = 16.06e9      # Llama-3.1-8B in bf16
KV_BYTES_PER_TOKEN = 131072  # 32 layers x 8 kv heads x 128 x (K, V) x 2 bytes
BANDWIDTH = 3.06e12          # H100 read bandwidth measured on the lent card (java-stack.md)


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.startswith("{")]


def main(sglj_path, hf_path, input_len, output_len):
    sglj = {r["batch_size"]: r for r in load(sglj_path) if r.get("median_decode_throughput")}
    hf = {r["batch_size"]: r for r in load(hf_path)}
    context = input_len + output_len // 2
    print("| batch | SGL-J decode tok/s | SGL-J prefill tok/s | transformers decode tok/s | SGL-J / transformers "
          "| floor tok/s | SGL-J / floor |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for bs in sorted(sglj):
        s = sglj[bs]
        floor = bs / ((WEIGHT_BYTES + bs * context * KV_BYTES_PER_TOKEN) / BANDWIDTH)
        h = hf.get(bs)
        ratio = f"{s['median_decode_throughput'] / h['decode_tok_s']:.2f}" if h else "-"
        hf_tok = f"{h['decode_tok_s']:.1f}" if h else "-"
        print(f"| {bs} | {s['median_decode_throughput']:.1f} | {s['prefill_throughput']:.0f} | {hf_tok} | {ratio} "
              f"| {floor:.1f} | {s['median_decode_throughput'] / floor:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
