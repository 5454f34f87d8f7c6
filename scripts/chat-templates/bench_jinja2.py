#!/usr/bin/env python3
"""Reference timing: Python Jinja2 (set up as transformers does) rendering the same 20-turn conversation as
ChatTemplateRenderBench. Usage: python3 scripts/chat-templates/bench_jinja2.py [iterations]"""
import json
import pathlib
import sys
import time

from make_goldens import RES, chat_context, make_env

FILLER = "Here is some context about the question, with numbers 12345 and unicode — é 😀 谢谢. "


def conversation(turns):
    messages = [{"role": "system", "content": "You are a helpful assistant. Answer briefly and cite sources when you can."}]
    for i in range(turns):
        messages.append({"role": "user", "content": f"Question {i}: " + FILLER * 3})
        messages.append({"role": "assistant", "content": f"Answer {i}: " + FILLER * 3})
    messages.append({"role": "user", "content": "Final question?"})
    return messages


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    env = make_env()
    conv = {"messages": conversation(20), "add_generation_prompt": True}
    for name in ["qwen3", "qwen2.5-instruct", "llama-3.2-instruct", "mistral-7b-instruct-v0.3",
                 "deepseek-r1-distill-qwen", "gemma-3-it", "llama-2-chat"]:
        meta = json.loads((RES / "real" / f"{name}.json").read_text(encoding="utf-8"))
        template = env.from_string((RES / "real" / f"{name}.jinja").read_text(encoding="utf-8"))
        ctx = chat_context(meta, conv)
        for _ in range(min(iterations, 200)):
            out = template.render(**ctx)
        times = []
        for _ in range(iterations):
            t0 = time.perf_counter_ns()
            template.render(**ctx)
            times.append(time.perf_counter_ns() - t0)
        times.sort()
        print(f"{name:26s} {len(conv['messages'])} messages -> {len(out):6d} code points: median "
              f"{times[len(times) // 2] / 1e3:7.1f} us, p90 {times[len(times) * 9 // 10] / 1e3:7.1f} us")


if __name__ == "__main__":
    main()
