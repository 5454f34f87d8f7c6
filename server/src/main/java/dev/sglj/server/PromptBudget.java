package dev.sglj.server;

import dev.sglj.engine.Engine;
import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.sampling.SamplingParams;

/** Checks a tokenized prompt against the context length and resolves its sampling parameters. */
final class PromptBudget {
    private PromptBudget() {
    }

    /**
     * The engine request for one prompt. {@code maxNewTokens} null keeps the builder's value ({@code /generate}:
     * SGLang's default 128); {@code untilContext} makes an unset maximum run to the end of the context, as the
     * OpenAI endpoints do.
     *
     * @throws ApiException 400 for a prompt or a request over the context length, or invalid parameters
     */
    static GenerateRequest request(Engine engine, int[] ids, SamplingParams.Builder builder, Integer maxNewTokens,
                                   boolean untilContext, String rid) {
        int context = engine.contextLength();
        if (ids.length == 0) throw ApiException.badParam("prompt", "the prompt is empty");
        if (ids.length >= context) {
            throw ApiException.badRequest("The input (" + ids.length + " tokens) is longer than the model's context"
                    + " length (" + context + " tokens).");
        }
        if (maxNewTokens != null) {
            if (ids.length + maxNewTokens > context) {
                throw ApiException.badRequest("Requested token count exceeds the model's maximum context length of "
                        + context + " tokens. You requested a total of " + (ids.length + maxNewTokens) + " tokens: "
                        + ids.length + " tokens from the input messages and " + maxNewTokens
                        + " tokens for the completion. Please reduce the number of tokens in the input messages or"
                        + " the completion to fit within the limit.");
            }
            builder.maxNewTokens(maxNewTokens);
        } else if (untilContext) {
            builder.maxNewTokens(context - ids.length);
        }
        SamplingParams params;
        try {
            params = builder.withDefaults(engine.generationConfig()).build().validate(engine.modelConfig().vocabSize());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        return new GenerateRequest(ids, params, rid);
    }
}
