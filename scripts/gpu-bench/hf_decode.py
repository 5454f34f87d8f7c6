"""Hugging Face transformers on the same Llama-3.1-8B shape as SGL-J's dummy model: random BF16 weights,
SDPA attention, static KV cache, greedy generate. Prints prefill and decode tokens/s per batch size as
JSON lines, for the side-by-side table of run.sh. Runs on the GPU machine (torch + transformers there)."""
import argparse
import json
import time

import torch
from transformers import AutoConfig, AutoModelForCausalLM


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--batch-sizes", default="1,32")
    ap.add_argument("--input-len", type=int, default=1024)
    ap.add_argument("--output-len", type=int, default=128)
    args = ap.parse_args()

    config = AutoConfig.from_pretrained(args.config)
    torch.manual_seed(0)
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(config, torch_dtype=torch.bfloat16, attn_implementation="sdpa")
    model.eval()
    for bs in [int(b) for b in args.batch_sizes.split(",")]:
        ids = torch.randint(0, 10000, (bs, args.input_len), device="cuda")
        kwargs = dict(do_sample=False, cache_implementation="static", pad_token_id=0)
        with torch.inference_mode():
            # Warm up with the measured shapes: transformers compiles the static-cache decode step on
            # first use, which must not be timed.
            model.generate(ids, max_new_tokens=args.output_len, min_new_tokens=args.output_len, **kwargs)
            model.generate(ids, max_new_tokens=1, min_new_tokens=1, **kwargs)
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            model.generate(ids, max_new_tokens=1, min_new_tokens=1, **kwargs)
            torch.cuda.synchronize()
            prefill = time.perf_counter() - t0
            t0 = time.perf_counter()
            model.generate(ids, max_new_tokens=args.output_len, min_new_tokens=args.output_len, **kwargs)
            torch.cuda.synchronize()
            total = time.perf_counter() - t0
        decode_step = (total - prefill) / (args.output_len - 1)
        print(json.dumps({"engine": "transformers", "batch_size": bs, "prefill_tok_s": bs * args.input_len / prefill,
                          "decode_step_ms": decode_step * 1e3, "decode_tok_s": bs / decode_step}), flush=True)


if __name__ == "__main__":
    main()
