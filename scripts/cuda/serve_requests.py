"""Sends a fixed set of greedy requests to a running SGL-J (or SGLang) server and prints one JSON object:
the chat completion's text and, for eight concurrent /generate requests, their output token ids.
Usage: python3 serve_requests.py PORT"""
import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

PORT = int(sys.argv[1])
BASE = f"http://127.0.0.1:{PORT}"


def post(path, body):
    req = urllib.request.Request(BASE + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read())


chat = post("/v1/chat/completions", {
    "model": "default", "temperature": 0, "max_tokens": 48,
    "messages": [{"role": "system", "content": "You are a helpful assistant."},
                 {"role": "user", "content": "List three facts about the H100 GPU."}]})

prompts = [f"Request {i}: the quick brown fox jumps over the lazy dog, step {i}." for i in range(8)]


def generate(text):
    out = post("/generate", {"text": text, "sampling_params": {"temperature": 0, "max_new_tokens": 48, "ignore_eos": True}})
    return out["output_ids"]


with ThreadPoolExecutor(8) as pool:
    batch = list(pool.map(generate, prompts))

print(json.dumps({"chat_text": chat["choices"][0]["message"]["content"],
                  "chat_usage": chat["usage"], "generate_output_ids": batch}))
