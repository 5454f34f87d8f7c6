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
same_chat = g["chat_text"] == e["chat_text"]
same_ids = g["generate_output_ids"] == e["generate_output_ids"]
print(f"chat text identical graphs vs eager: {same_chat}; 8 concurrent /generate output ids identical: {same_ids}")
diffs = [abs(a - b) for ga, ea in zip(g["generate_logprobs"], e["generate_logprobs"]) for a, b in zip(ga, ea)]
print(f"output token logprobs graphs vs eager: max |difference| {max(diffs):.2e} over {len(diffs)} tokens; "
      f"{len(set(map(tuple, g['generate_output_ids'])))} distinct output sequences of 8")
for i, (a, b) in enumerate(zip(g["generate_output_ids"], e["generate_output_ids"])):
    if a != b:
        first = next(k for k in range(min(len(a), len(b))) if a[k] != b[k])
        print(f"  request {i}: first difference at output token {first}")
sys.exit(0 if same_chat and same_ids else 1)
PY
grep -q "cuda graph: True" "$out/serve-graphs.log" && echo "graph run logged 'cuda graph: True'"
