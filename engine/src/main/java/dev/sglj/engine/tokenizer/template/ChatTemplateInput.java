package dev.sglj.engine.tokenizer.template;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * What {@code apply_chat_template} passes to a template.
 *
 * @param messages OpenAI-style messages as parsed from JSON (role, content, tool_calls, tool_call_id, ...)
 * @param tools tool schemas, or null when the request has none (the template then sees {@code tools = None})
 * @param addGenerationPrompt whether to open an assistant turn at the end
 * @param bosToken the tokenizer's BOS token, or null when it has none (then {@code bos_token} is undefined)
 * @param eosToken the tokenizer's EOS token, or null
 * @param kwargs extra template variables, e.g. {@code enable_thinking}; they override the others
 * @param clock the time {@code strftime_now} reads
 */
public record ChatTemplateInput(List<? extends Map<String, ?>> messages, List<? extends Map<String, ?>> tools,
                                boolean addGenerationPrompt, String bosToken, String eosToken,
                                Map<String, ?> kwargs, Clock clock) {
    public ChatTemplateInput {
        if (messages == null) throw new IllegalArgumentException("chat template input: messages must not be null");
        kwargs = kwargs == null ? Map.of() : kwargs;
        clock = clock == null ? Clock.systemDefaultZone() : clock;
    }

    /** Messages only, system clock, no tools, tokens or extra arguments. */
    public static ChatTemplateInput of(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt) {
        return new ChatTemplateInput(messages, null, addGenerationPrompt, null, null, Map.of(), null);
    }
}
