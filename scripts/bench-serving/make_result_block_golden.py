"""Golden for the serving benchmark's metrics and printed block.

Reads synthetic request outcomes (client/src/test/resources/bench/outcomes.json), computes the metrics with
numpy exactly as SGLang's python/sglang/bench_serving.py calculate_metrics() defines them, and prints the
result block with the format strings bench_serving uses (plus the TPOT section older releases and vLLM print).
Run from the repository root:
    python3 scripts/bench-serving/make_result_block_golden.py > client/src/test/resources/bench/result_block.txt
"""
import json
import numpy as np

with open("client/src/test/resources/bench/outcomes.json") as f:
    spec = json.load(f)

dur_s = spec["duration"]
output_lens, retok, ttfts, tpots, itls, e2e = [], [], [], [], [], []
total_input = 0
completed = 0
for o in spec["outcomes"]:
    if not o["success"]:
        output_lens.append(0)
        retok.append(0)
        continue
    output_lens.append(o["output_len"])
    retok.append(o["output_len"])
    total_input += o["prompt_len"]
    if o["output_len"] > 1:
        tpots.append((o["latency"] - o["ttft"]) / (o["output_len"] - 1))
    itls += o["itl"]
    ttfts.append(o["ttft"])
    e2e.append(o["latency"])
    completed += 1

m = dict(
    completed=completed,
    total_input=total_input,
    total_output=sum(output_lens),
    total_output_retokenized=sum(retok),
    request_throughput=completed / dur_s,
    input_throughput=total_input / dur_s,
    output_throughput=sum(output_lens) / dur_s,
    total_throughput=(total_input + sum(output_lens)) / dur_s,
    mean_ttft_ms=np.mean(ttfts or 0) * 1000,
    median_ttft_ms=np.median(ttfts or 0) * 1000,
    p99_ttft_ms=np.percentile(ttfts or 0, 99) * 1000,
    mean_tpot_ms=np.mean(tpots or 0) * 1000,
    median_tpot_ms=np.median(tpots or 0) * 1000,
    p99_tpot_ms=np.percentile(tpots or 0, 99) * 1000,
    mean_itl_ms=np.mean(itls or 0) * 1000,
    median_itl_ms=np.median(itls or 0) * 1000,
    p95_itl_ms=np.percentile(itls or 0, 95) * 1000,
    p99_itl_ms=np.percentile(itls or 0, 99) * 1000,
    max_itl_ms=np.max(itls or 0) * 1000,
    mean_e2e_latency_ms=np.mean(e2e) * 1000,
    median_e2e_latency_ms=np.median(e2e) * 1000,
    concurrency=np.sum(e2e) / dur_s,
)

backend, request_rate, max_concurrency = spec["backend"], float(spec["request_rate"]), spec["max_concurrency"]
print("\n{s:{c}^{n}}".format(s=" Serving Benchmark Result ", n=50, c="="))
print("{:<40} {:<10}".format("Backend:", backend))
print("{:<40} {:<10}".format("Traffic request rate:", request_rate))
print("{:<40} {:<10}".format("Max request concurrency:", max_concurrency if max_concurrency else "not set"))
print("{:<40} {:<10}".format("Successful requests:", m["completed"]))
print("{:<40} {:<10.2f}".format("Benchmark duration (s):", dur_s))
print("{:<40} {:<10}".format("Total input tokens:", m["total_input"]))
print("{:<40} {:<10}".format("Total generated tokens:", m["total_output"]))
print("{:<40} {:<10}".format("Total generated tokens (retokenized):", m["total_output_retokenized"]))
print("{:<40} {:<10.2f}".format("Request throughput (req/s):", m["request_throughput"]))
print("{:<40} {:<10.2f}".format("Input token throughput (tok/s):", m["input_throughput"]))
print("{:<40} {:<10.2f}".format("Output token throughput (tok/s):", m["output_throughput"]))
print("{:<40} {:<10.2f}".format("Total token throughput (tok/s):", m["total_throughput"]))
print("{:<40} {:<10.2f}".format("Concurrency:", m["concurrency"]))
print("{s:{c}^{n}}".format(s="End-to-End Latency", n=50, c="-"))
print("{:<40} {:<10.2f}".format("Mean E2E Latency (ms):", m["mean_e2e_latency_ms"]))
print("{:<40} {:<10.2f}".format("Median E2E Latency (ms):", m["median_e2e_latency_ms"]))
print("{s:{c}^{n}}".format(s="Time to First Token", n=50, c="-"))
print("{:<40} {:<10.2f}".format("Mean TTFT (ms):", m["mean_ttft_ms"]))
print("{:<40} {:<10.2f}".format("Median TTFT (ms):", m["median_ttft_ms"]))
print("{:<40} {:<10.2f}".format("P99 TTFT (ms):", m["p99_ttft_ms"]))
print("{s:{c}^{n}}".format(s="Time per Output Token (excl. 1st token)", n=50, c="-"))
print("{:<40} {:<10.2f}".format("Mean TPOT (ms):", m["mean_tpot_ms"]))
print("{:<40} {:<10.2f}".format("Median TPOT (ms):", m["median_tpot_ms"]))
print("{:<40} {:<10.2f}".format("P99 TPOT (ms):", m["p99_tpot_ms"]))
print("{s:{c}^{n}}".format(s="Inter-Token Latency", n=50, c="-"))
print("{:<40} {:<10.2f}".format("Mean ITL (ms):", m["mean_itl_ms"]))
print("{:<40} {:<10.2f}".format("Median ITL (ms):", m["median_itl_ms"]))
print("{:<40} {:<10.2f}".format("P95 ITL (ms):", m["p95_itl_ms"]))
print("{:<40} {:<10.2f}".format("P99 ITL (ms):", m["p99_itl_ms"]))
print("{:<40} {:<10.2f}".format("Max ITL (ms):", m["max_itl_ms"]))
print("=" * 50)
