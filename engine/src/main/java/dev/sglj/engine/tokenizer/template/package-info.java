/**
 * Chat templates: an interpreter for the subset of Jinja2 that Hugging Face chat templates use, rendering
 * byte-for-byte as transformers' {@code apply_chat_template} does (Python Jinja2 in an immutable sandbox with
 * {@code trim_blocks}, {@code lstrip_blocks}, loop controls, {@code raise_exception}, {@code strftime_now} and a
 * {@code tojson} filter that is Python's {@code json.dumps(ensure_ascii=False)}).
 *
 * <p>Contract: {@link dev.sglj.engine.tokenizer.template.ChatTemplate#compile(String)} parses once (a syntax
 * error is a {@link dev.sglj.engine.tokenizer.template.TemplateException} naming the line); a compiled template is
 * immutable and may render concurrently. Values follow Python semantics: {@code null} is {@code None},
 * integers are {@code Long}, floats {@code Double}, JSON objects {@code Map}, arrays {@code List}; missing
 * names and keys are {@link dev.sglj.engine.tokenizer.template.Undefined}. Rendering errors (the template's
 * {@code raise_exception} message, type errors, undefined attribute access) are
 * {@code TemplateException}s, which the server maps to HTTP 400.
 * {@link dev.sglj.engine.tokenizer.template.ChatTemplateLoader} finds a model's template.
 *
 * <p>Supported: {@code if/elif/else}, {@code for} (unpacking, inline {@code if}, {@code else}, {@code loop.*},
 * {@code break/continue}), {@code set} (names, tuples, {@code namespace} attributes, blocks), macros with defaults,
 * {@code raw}, transformers' {@code generation} tag (renders its body); Jinja's expression grammar and precedence
 * with Python operators, slices and chained comparisons; the tests and filters in {@code Tests} and
 * {@code Filters}; non-mutating str and dict methods; globals {@code range, dict, namespace, raise_exception,
 * strftime_now}. Not supported (a clear TemplateException): include/extends/import/block/call/filter/with tags,
 * recursive loops, {@code *args/**kwargs}, macro {@code varargs/kwargs/caller}, filtered set blocks,
 * {@code str.format}, integers beyond 64 bits, and the rarely used filters (batch, groupby, truncate, ...).
 */
package dev.sglj.engine.tokenizer.template;
