package dev.sglj.engine;

import dev.sglj.engine.sampling.SamplingParams;

/**
 * One prompt as token ids with its sampling parameters; {@code rid} names it for aborts and logs
 * (null: the engine assigns one).
 */
public record GenerateRequest(int[] inputIds, SamplingParams params, String rid) {
    public GenerateRequest {
        if (inputIds.length == 0) throw new IllegalArgumentException("input_ids must not be empty");
    }

    public GenerateRequest(int[] inputIds, SamplingParams params) {
        this(inputIds, params, null);
    }
}
