#!/usr/bin/env python3
"""Renders chat-template goldens with Python Jinja2, set up exactly as Hugging Face transformers does.

transformers (utils/chat_template_utils.py, _compile_jinja_template) renders chat templates with
ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[AssistantTracker,
loopcontrols]),
a `tojson` filter that is json.dumps(x, ensure_ascii=False, indent=indent, separators=separators,
sort_keys=sort_keys), and globals raise_exception (raises TemplateError) and strftime_now
(datetime.now().strftime). Here strftime_now reads a fixed instant so goldens do not depend on the date;
the Java test injects the same instant.

apply_chat_template passes messages, tools (None when absent), documents (None), add_generation_prompt,
the tokenizer's special tokens that are set (bos_token, eos_token) and any extra keyword arguments.

Usage: python3 scripts/chat-templates/make_goldens.py   (writes engine/src/test/resources/chat-templates/*.json)
"""
import json
import pathlib
from datetime import datetime

import jinja2
import jinja2.ext
from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from conversations import CONVERSATIONS, FIXED_NOW
from features import FEATURES

ROOT = pathlib.Path(__file__).resolve().parents[2]
RES = ROOT / "engine/src/test/resources/chat-templates"


class GenerationBlock(jinja2.ext.Extension):
    """transformers' AssistantTracker tag when no assistant mask is requested: {% generation %} renders its body."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def make_env():
    def raise_exception(message):
        raise TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return FIXED_NOW.strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[GenerationBlock, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(env, source, context):
    try:
        return {"output": env.from_string(source).render(**context)}
    except TemplateError as e:
        kind = type(e).__name__
        out = {"error": str(e) if e.message is not None else "", "errorType": kind}
        if getattr(e, "lineno", None) is not None and kind == "TemplateSyntaxError":
            out["line"] = e.lineno
        return out
    except Exception as e:  # TypeError, KeyError ... raised by Python operations inside the template
        return {"error": str(e), "errorType": type(e).__name__}


def chat_context(meta, conv):
    ctx = {"messages": conv["messages"], "tools": conv.get("tools"), "documents": None,
           "add_generation_prompt": conv["add_generation_prompt"]}
    for key in ("bos_token", "eos_token"):
        if meta.get(key) is not None:
            ctx[key] = meta[key]
    ctx.update(conv.get("kwargs", {}))
    return ctx


def main():
    env = make_env()
    real = []
    for meta_path in sorted((RES / "real").glob("*.json")):
        name = meta_path.stem
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        source = (RES / "real" / f"{name}.jinja").read_text(encoding="utf-8")
        for conv in CONVERSATIONS:
            case = {"template": name, "conversation": conv["name"]}
            case.update(render(env, source, chat_context(meta, conv)))
            real.append(case)
    (RES / "conversations.json").write_text(
        json.dumps({"now": FIXED_NOW.isoformat(), "conversations": CONVERSATIONS}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8")
    (RES / "real-goldens.json").write_text(json.dumps(real, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    features = []
    for name, source, context in FEATURES:
        case = {"name": name, "template": source, "context": context}
        case.update(render(env, source, context))
        features.append(case)
    (RES / "feature-goldens.json").write_text(json.dumps(features, ensure_ascii=False, indent=1) + "\n",
                                              encoding="utf-8")
    ok = sum(1 for c in real if "output" in c)
    print(f"real: {len(real)} cases ({ok} rendered, {len(real) - ok} errors); features: {len(features)} cases "
          f"({sum(1 for c in features if 'error' in c)} errors); jinja2 {jinja2.__version__}")


if __name__ == "__main__":
    main()
