#!/usr/bin/env python3
"""The chat end-to-end fixture of the server tests: a tiny Qwen3-architecture model (hidden 16, 2 layers, BF16)
with the real Qwen3 vocabulary (151936), and what transformers generates greedily for a few conversations
rendered with the real Qwen3 chat template (apply_chat_template, add_generation_prompt=True).

    OUT=/tmp/out python3 scripts/server/make_chat_fixture.py [TOKENIZER_DIR]

TOKENIZER_DIR holds tokenizer.json(.gz) and tokenizer_config.json(.gz) (default: the engine's built-in Qwen3
tokenizer resources). Writes $OUT/config.json, generation_config.json, model.safetensors and expected.json.
The reference is transformers in float32 with eager attention on the BF16-rounded weights; a seed is kept only
when every greedy step's top-1/top-2 logit margin is at least MIN_MARGIN, so float32 differences between
implementations cannot flip a token.
"""

import gzip
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig, Qwen3Config, Qwen3ForCausalLM

MIN_MARGIN = 0.05
MAX_NEW_TOKENS = 12
EOS = [151645, 151643]
DEFAULT_TOKENIZER = Path(__file__).resolve().parents[2] / "engine/src/main/resources/dev/sglj/engine/tokenizer/builtin/qwen3"

CASES = [
    dict(messages=[{"role": "user", "content": "Hello! Who are you?"}]),
    dict(messages=[{"role": "system", "content": "You are a terse assistant."},
                   {"role": "user", "content": "Name three colours."}]),
    dict(messages=[{"role": "user", "content": "What is 2 + 2?"},
                   {"role": "assistant", "content": "4"},
                   {"role": "user", "content": "And times 3? Réponds en français, s'il te plaît."}]),
    dict(messages=[{"role": "user", "content": "Write a haiku about the sea."}],
         chat_template_kwargs={"enable_thinking": False}),
]


def read_maybe_gz(directory, name):
    plain, gz = directory / name, directory / (name + ".gz")
    if plain.is_file():
        return plain.read_bytes()
    if gz.is_file():
        return gzip.decompress(gz.read_bytes())
    sys.exit(f"{directory}: no {name} or {name}.gz")


def tokenizer_dir(source, work):
    d = work / "tokenizer"
    d.mkdir()
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (d / name).write_bytes(read_maybe_gz(source, name))
    return d


def config():
    return Qwen3Config(vocab_size=151936, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                       num_attention_heads=2, num_key_value_heads=1, head_dim=8, max_position_embeddings=1024,
                       rms_norm_eps=1e-6, tie_word_embeddings=True, use_sliding_window=False,
                       bos_token_id=151643, eos_token_id=151645, rope_theta=1000000.0)


def randomize(model, generator):
    """Spread logits: embeddings (tied lm_head) N(0, 1), matrices N(0, 0.3), norm weights 1 + 0.1 N(0, 1)."""
    with torch.no_grad():
        for name, param in model.named_parameters():
            noise = torch.randn(param.shape, generator=generator, dtype=torch.float32)
            if "norm" in name:
                param.copy_(1.0 + 0.1 * noise)
            elif "embed_tokens" in name:
                param.copy_(noise)
            else:
                param.copy_(0.3 * noise)


def save(model, directory):
    model = model.to(torch.bfloat16)
    model.generation_config = GenerationConfig(bos_token_id=151643, eos_token_id=EOS, do_sample=False)
    model.save_pretrained(directory, safe_serialization=True)


def load_reference(directory):
    model = AutoModelForCausalLM.from_pretrained(directory, dtype=torch.float32, attn_implementation="eager")
    model.eval()
    return model


def greedy(model, prompt_ids):
    ids = list(prompt_ids)
    out, margin = [], float("inf")
    with torch.no_grad():
        for _ in range(MAX_NEW_TOKENS):
            logits = model(torch.tensor([ids])).logits[0, -1].double()
            top = torch.topk(logits, 2)
            margin = min(margin, float(top.values[0] - top.values[1]))
            token = int(top.indices[0])
            out.append(token)
            ids.append(token)
            if token in EOS:
                break
    return out, margin


def check_generate(model, prompt_ids, expected):
    """transformers' own generate() must agree with the step-by-step greedy loop."""
    got = model.generate(torch.tensor([prompt_ids]), max_new_tokens=MAX_NEW_TOKENS, do_sample=False,
                         eos_token_id=EOS, pad_token_id=151643)[0, len(prompt_ids):].tolist()
    if got != expected:
        sys.exit(f"generate() {got} != greedy loop {expected}")


def main():
    out = Path(os.environ["OUT"])
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TOKENIZER
    work = Path(tempfile.mkdtemp())
    tok = AutoTokenizer.from_pretrained(tokenizer_dir(source, work))
    rendered = []
    for case in CASES:
        text = tok.apply_chat_template(case["messages"], tokenize=False, add_generation_prompt=True,
                                       **case.get("chat_template_kwargs", {}))
        rendered.append((text, tok(text, add_special_tokens=False).input_ids))
    for seed in range(1, 40):
        torch.manual_seed(seed)
        model = Qwen3ForCausalLM(config())
        randomize(model, torch.Generator().manual_seed(seed))
        model_dir = work / f"seed{seed}"
        save(model, model_dir)
        reference = load_reference(model_dir)
        results, worst = [], float("inf")
        for case, (text, ids) in zip(CASES, rendered):
            tokens, margin = greedy(reference, ids)
            worst = min(worst, margin)
            results.append(dict(case, prompt_text=text, prompt_ids=ids, output_ids=tokens,
                                output_text=tok.decode(tokens, skip_special_tokens=True),
                                finish_reason="stop" if tokens[-1] in EOS else "length", min_margin=margin))
        print(f"seed {seed}: min margin {worst:.4f}", flush=True)
        if worst < MIN_MARGIN:
            continue
        for r in results:
            check_generate(reference, r["prompt_ids"], r["output_ids"])
        for name in ("config.json", "generation_config.json", "model.safetensors"):
            shutil.copy(model_dir / name, out / name)
        expected = dict(name="qwen3-chat", seed=seed, max_new_tokens=MAX_NEW_TOKENS, min_margin=worst,
                        transformers_version=transformers.__version__, torch_version=torch.__version__,
                        notes="tiny Qwen3 (hidden 16, 2 layers, tied, BF16) with the real Qwen3 tokenizer and chat "
                              "template; greedy reference in float32, eager attention",
                        cases=results)
        (out / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
        return
    sys.exit(f"no seed reached a margin of {MIN_MARGIN}")


if __name__ == "__main__":
    main()
