"""Sends a fixed set of greedy requests to a running SGL-J (or SGLang) server and prints one JSON object:
the chat completion's text and, for eight concurrent /generate requests, their output token ids.
Usage: python3 serve_requests.py PORT"""
import json
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

PORT = int(sys.argv[1])
BASE = f"http://127.0.0.1:{PORT}"


def post(path, body):
    req = urllib.request.Request(BASE + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        sys.exit(f"POST {path}: HTTP {e.code}: {e.read().decode()}")


with urllib.request.urlopen(BASE + "/v1/models", timeout=60) as r:
    model = json.loads(r.read())["data"][0]["id"]

chat = post("/v1/chat/completions", {
    "model": model, "temperature": 0, "max_tokens": int(sys.argv[2]) if len(sys.argv) > 2 else 48,
    "messages": [{"role": "system", "content": "You are a helpful assistant."},
                 {"role": "user", "content": "List three facts about the H100 GPU."}]})

prompts = [f"Request {i}: the quick brown fox jumps over the lazy dog, step {i}." for i in range(8)]


def generate(text):
    out = post("/generate", {"text": text, "sampling_params": {"temperature": 0, "max_new_tokens": int(sys.argv[2]) if len(sys.argv) > 2 else 48, "ignore_eos": True},
                            "return_logprob": True})
    return out["output_ids"], [lp[0] for lp in out["meta_info"]["output_token_logprobs"]]


with ThreadPoolExecutor(8) as pool:
    batch = list(pool.map(generate, prompts))

print(json.dumps({"chat_text": chat["choices"][0]["message"]["content"], "chat_usage": chat["usage"],
                  "generate_output_ids": [ids for ids, _ in batch], "generate_logprobs": [lps for _, lps in batch]}))
