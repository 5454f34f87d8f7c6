#!/usr/bin/env python3
"""Reference rotary frequencies for the config.json fixtures of the model package tests.

Implements, in float64 numpy, the formulas of transformers' modeling_rope_utils.py
(_compute_default/linear_scaling/dynamic_ntk/llama3/yarn_parameters, transformers >= 4.57
semantics: an explicit yarn factor is kept; without one it is max_position_embeddings /
original_max_position_embeddings). For each config under engine/src/test/resources/configs it
writes inv_freq and attention_factor to engine/src/test/resources/rope/rope_reference.json.

Run from the repository root:  python3 scripts/rope/rope_reference.py
With --check-transformers (where torch and transformers are installed, e.g. the GPU machine) it
also compares every non-default case with transformers' own ROPE_INIT_FUNCTIONS (float32, so to
a relative 2e-6) and exits non-zero on a mismatch; 4.50-4.56 are expected to differ on yarn configs
that set original_max_position_embeddings (transformers issue 38224).
"""
import json
import math
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "engine/src/test/resources/configs"
OUT = ROOT / "engine/src/test/resources/rope/rope_reference.json"


def rope_dict(config):
    """(rope_theta, rope parameters) as transformers reads them, legacy or rope_parameters form."""
    params = config.get("rope_parameters")
    if params is not None:
        return params.get("rope_theta", 10000.0), params
    return config.get("rope_theta", 10000.0), config.get("rope_scaling") or {}


def head_dim(config):
    return config.get("head_dim") or config["hidden_size"] // config["num_attention_heads"]


def default_inv_freq(base, dim):
    return 1.0 / (base ** (np.arange(0, dim, 2, dtype=np.int64).astype(np.float64) / dim))


def linear(base, dim, rs):
    return default_inv_freq(base, dim) / rs["factor"], 1.0


def dynamic(base, dim, rs, max_pos, seq_len):
    factor = rs["factor"]
    seq_len = max_pos if seq_len is None else max(seq_len, max_pos)
    base = base * ((factor * seq_len / max_pos) - (factor - 1)) ** (dim / (dim - 2))
    return default_inv_freq(base, dim), 1.0


def llama3(base, dim, rs):
    inv_freq = default_inv_freq(base, dim)
    factor = rs["factor"]
    low_freq_factor = rs["low_freq_factor"]
    high_freq_factor = rs["high_freq_factor"]
    old_context_len = rs["original_max_position_embeddings"]
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = np.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium = ~(wavelen < high_freq_wavelen) & ~(wavelen > low_freq_wavelen)
    return np.where(is_medium, smoothed, inv_freq_llama), 1.0


def yarn(base, dim, rs, max_pos):
    original = rs.get("original_max_position_embeddings") or max_pos
    factor = rs.get("factor")
    if factor is None:
        factor = max_pos / original
    attention_factor = rs.get("attention_factor")
    mscale = rs.get("mscale")
    mscale_all_dim = rs.get("mscale_all_dim")

    def get_mscale(scale, m=1):
        return 1.0 if scale <= 1 else 0.1 * m * math.log(scale) + 1.0

    if attention_factor is None:
        if mscale and mscale_all_dim:
            attention_factor = float(get_mscale(factor, mscale) / get_mscale(factor, mscale_all_dim))
        else:
            attention_factor = get_mscale(factor)
    beta_fast = rs.get("beta_fast") or 32
    beta_slow = rs.get("beta_slow") or 1

    def find_correction_dim(num_rotations):
        return (dim * math.log(original / (num_rotations * 2 * math.pi))) / (2 * math.log(base))

    low = find_correction_dim(beta_fast)
    high = find_correction_dim(beta_slow)
    if rs.get("truncate", True):
        low, high = math.floor(low), math.ceil(high)
    low, high = max(low, 0), min(high, dim - 1)
    if low == high:
        high += 0.001
    ramp = np.clip((np.arange(dim // 2, dtype=np.float64) - low) / (high - low), 0, 1)
    pos_freqs = base ** (np.arange(0, dim, 2).astype(np.float64) / dim)
    extrapolation = 1.0 / pos_freqs
    interpolation = 1.0 / (factor * pos_freqs)
    extrapolation_factor = 1 - ramp
    return interpolation * (1 - extrapolation_factor) + extrapolation * extrapolation_factor, attention_factor


def compute(config, seq_len):
    base, rs = rope_dict(config)
    dim = head_dim(config)
    max_pos = config["max_position_embeddings"]
    kind = rs.get("rope_type", rs.get("type", "default"))
    if kind == "default":
        return kind, default_inv_freq(base, dim), 1.0
    if kind == "linear":
        return (kind, *linear(base, dim, rs))
    if kind == "dynamic":
        return (kind, *dynamic(base, dim, rs, max_pos, seq_len))
    if kind == "llama3":
        return (kind, *llama3(base, dim, rs))
    if kind == "yarn":
        return (kind, *yarn(base, dim, rs, max_pos))
    raise ValueError(kind)


def check_transformers(cases):
    """Compares the cases with transformers' rope functions; returns the number of mismatches."""
    import transformers
    from transformers import AutoConfig
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

    print("transformers", transformers.__version__)
    bad = 0
    for case in cases:
        if case["rope_type"] == "default":
            continue
        raw = json.loads((CONFIGS / case["config"]).read_text())
        config = AutoConfig.for_model(**raw)
        inv_freq, attention_factor = ROPE_INIT_FUNCTIONS[case["rope_type"]](config, "cpu", case["seq_len"])
        expected = np.asarray(case["inv_freq"])
        rel = np.max(np.abs(inv_freq.double().numpy() - expected) / expected)
        af_rel = abs(attention_factor - case["attention_factor"]) / case["attention_factor"]
        ok = rel <= 2e-6 and af_rel <= 1e-12
        bad += not ok
        print(f"{'ok ' if ok else 'BAD'} {case['config']} seq_len={case['seq_len']} inv_freq rel {rel:.2e} "
              f"attention_factor {attention_factor} vs {case['attention_factor']}")
    return bad


def main():
    cases = []
    for path in sorted(CONFIGS.rglob("*.json")):
        config = json.loads(path.read_text())
        _, rs = rope_dict(config)
        max_pos = config["max_position_embeddings"]
        dynamic_kind = rs.get("rope_type", rs.get("type")) == "dynamic"
        seq_lens = [None, max_pos // 2, max_pos, max_pos + 1, 3 * max_pos] if dynamic_kind else [None]
        for seq_len in seq_lens:
            kind, inv_freq, attention_factor = compute(config, seq_len)
            cases.append({
                "config": path.relative_to(CONFIGS).as_posix(),
                "rope_type": kind,
                "head_dim": head_dim(config),
                "seq_len": seq_len,
                "inv_freq": [float(x) for x in inv_freq],
                "attention_factor": float(attention_factor),
            })
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"source": "scripts/rope/rope_reference.py", "cases": cases}, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")
    if "--check-transformers" in sys.argv[1:] and check_transformers(cases):
        sys.exit(1)


if __name__ == "__main__":
    main()
