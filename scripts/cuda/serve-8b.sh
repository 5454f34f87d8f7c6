#!/usr/bin/env bash
# Issue 6's server check on the GPU machine: a random-weight model of Llama-3.1-8B's exact shape
# (--load-format dummy, the Llama 3.1 tokenizer and chat template) serves /v1/chat/completions and /generate
# with CUDA graphs on, then with --disable-cuda-graph; the greedy outputs must be identical, and the decode
# log lines of the graph run must say "cuda graph: True".
#
# Here:    bash scripts/cuda/engine-e2e.sh stage
# Device:  run(carry=[".device"], command="bash scripts/cuda/serve-8b.sh")
set -euo pipefail
source scripts/cuda/device-env.sh
out=${OUT:-/tmp/serve-8b}; mkdir -p "$out"
l8b=$(make_llama8b_dir)

serve_and_ask() {   # name, extra flags...
  local name=$1; shift
  start_server "$out/serve-$name.log" --model-path "$l8b" --load-format dummy --port 30000 --decode-log-interval 8 "$@"
  wait_healthy 30000 "$SERVER_PID" "$out/serve-$name.log"
  python3 scripts/cuda/serve_requests.py 30000 >"$out/outputs-$name.json" || { stop_server; return 1; }
  stop_server
}

serve_and_ask graphs
serve_and_ask eager --disable-cuda-graph
echo "== decode log lines, graphs on (first 4):"; grep "Decode batch" "$out/serve-graphs.log" | head -4
echo "== decode log lines, graphs off (first 2):"; grep "Decode batch" "$out/serve-eager.log" | head -2
echo "== chat completion text (graphs): $(python3 -c "import json;print(repr(json.load(open('$out/outputs-graphs.json'))['chat_text'][:160]))")"
python3 - "$out/outputs-graphs.json" "$out/outputs-eager.json" <<'PY'
import json, sys
g, e = (json.load(open(p)) for p in sys.argv[1:3])


def compare(name, key):
    same = g[key + "_ids"] == e[key + "_ids"]
    diffs = [abs(a - b) for ga, ea in zip(g[key + "_logprobs"], e[key + "_logprobs"]) for a, b in zip(ga, ea)]
    print(f"{name}: output ids identical graphs vs eager: {same}; logprobs max |difference| {max(diffs):.2e} "
          f"over {len(diffs)} tokens; {len(set(map(tuple, g[key + '_ids'])))} distinct sequences of 8")
    for i, (a, b) in enumerate(zip(g[key + "_ids"], e[key + "_ids"])):
        if a != b:
            print(f"  request {i}: first difference at output token {next(k for k in range(len(a)) if a[k] != b[k])}")
    return same


same_chat = g["chat_text"] == e["chat_text"]
print(f"chat completion text identical graphs vs eager: {same_chat}")
same_alone = compare("8 /generate requests one after another", "alone")
compare("8 prompts in one /generate batch (composition may vary with timing)", "batch")
sys.exit(0 if same_chat and same_alone else 1)
PY
grep -q "cuda graph: True" "$out/serve-graphs.log" && echo "graph run logged 'cuda graph: True'"
