"""Sends a fixed set of greedy requests to a running SGL-J (or SGLang) server and prints one JSON object:
the chat completion's text; the output ids and logprobs of eight /generate requests sent one after the
other (each decodes alone, so the batch composition cannot differ between two servers); and of one
/generate call carrying the eight prompts as a batch (decoded together, usually as one batch of eight).
Usage: python3 serve_requests.py PORT [MAX_NEW_TOKENS]"""
import json
import sys
import urllib.error
import urllib.request

PORT = int(sys.argv[1])
MAX_NEW = int(sys.argv[2]) if len(sys.argv) > 2 else 48
BASE = f"http://127.0.0.1:{PORT}"


def post(path, body):
    req = urllib.request.Request(BASE + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=600) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        sys.exit(f"POST {path}: HTTP {e.code}: {e.read().decode()}")


def ids_and_logprobs(out):
    return out["output_ids"], [lp[0] for lp in out["meta_info"]["output_token_logprobs"]]


with urllib.request.urlopen(BASE + "/v1/models", timeout=60) as r:
    model = json.loads(r.read())["data"][0]["id"]

chat = post("/v1/chat/completions", {
    "model": model, "temperature": 0, "max_tokens": MAX_NEW,
    "messages": [{"role": "system", "content": "You are a helpful assistant."},
                 {"role": "user", "content": "List three facts about the H100 GPU."}]})

prompts = [f"Request {i}: the quick brown fox jumps over the lazy dog, step {i}." for i in range(8)]
greedy = {"temperature": 0, "max_new_tokens": MAX_NEW, "ignore_eos": True}
alone = [ids_and_logprobs(post("/generate", {"text": p, "sampling_params": greedy, "return_logprob": True}))
         for p in prompts]
together = [ids_and_logprobs(o) for o in post("/generate", {"text": prompts, "sampling_params": greedy,
                                                             "return_logprob": True})]

print(json.dumps({"chat_text": chat["choices"][0]["message"]["content"], "chat_usage": chat["usage"],
                  "alone_ids": [i for i, _ in alone], "alone_logprobs": [l for _, l in alone],
                  "batch_ids": [i for i, _ in together], "batch_logprobs": [l for _, l in together]}))
