package dev.sglj.engine;

import dev.sglj.engine.sampling.SamplingParams;

/** One prompt as token ids with its sampling parameters. */
public record GenerateRequest(int[] inputIds, SamplingParams params) {
    public GenerateRequest {
        if (inputIds.length == 0) throw new IllegalArgumentException("input_ids must not be empty");
    }
}
