package dev.sglj.engine.tokenizer.template;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A compiled chat template. Thread-safe: rendering keeps its state per call.
 *
 * <pre>{@code
 * ChatTemplate t = ChatTemplate.compile(source);          // TemplateException on a syntax error
 * String prompt = t.render(new ChatTemplateInput(messages, tools, true, bos, eos, Map.of("enable_thinking", false), null));
 * }</pre>
 */
public final class ChatTemplate {
    private final String source;
    private final List<Node> body;

    private ChatTemplate(String source, List<Node> body) {
        this.source = source;
        this.body = body;
    }

    /** Parses a template; throws {@link TemplateException} (kind SYNTAX, with the line) when it does not parse. */
    public static ChatTemplate compile(String source) {
        if (source == null) throw new IllegalArgumentException("chat template source must not be null");
        return new ChatTemplate(source, Parser.parse(source));
    }

    public String source() {
        return source;
    }

    /** Renders as transformers' apply_chat_template(tokenize=False) does. */
    public String render(ChatTemplateInput in) {
        Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("messages", in.messages());
        ctx.put("tools", in.tools());
        ctx.put("documents", null);
        ctx.put("add_generation_prompt", in.addGenerationPrompt());
        if (in.bosToken() != null) ctx.put("bos_token", in.bosToken());
        if (in.eosToken() != null) ctx.put("eos_token", in.eosToken());
        ctx.putAll(in.kwargs());
        return render(ctx, in.clock());
    }

    /** Renders with arbitrary top-level variables (JSON-like values; see the package contract). */
    public String render(Map<String, ?> variables, Clock clock) {
        return Interpreter.render(body, variables, clock == null ? Clock.systemDefaultZone() : clock);
    }
}
