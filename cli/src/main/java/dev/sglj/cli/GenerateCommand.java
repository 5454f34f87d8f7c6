package dev.sglj.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sglj.engine.Engine;
import dev.sglj.engine.FinishReason;
import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.GenerateResult;
import dev.sglj.engine.TextResult;
import dev.sglj.engine.TokenLogprob;
import dev.sglj.engine.sampling.SamplingParams;
import dev.sglj.engine.sampling.TopLogprob;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sglj generate}: one batch through the engine, printed as SGLang's /generate JSON. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate from prompts in-process and print SGLang /generate-style JSON, one object per line.")
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server = new ServerOptions();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Prompts prompts;

    static final class Prompts {
        @Option(names = "--text", paramLabel = "TEXT", description = "Prompt text; repeat the flag for a batch.")
        List<String> texts;

        @Option(names = "--input-ids", paramLabel = "IDS",
                description = "Prompt token ids, comma separated; repeat the flag for a batch.")
        List<String> inputIds;
    }

    @ArgGroup(exclusive = false, heading = "Sampling parameters%n")
    SamplingOptions sampling = new SamplingOptions();

    /** Unset options fall back to the model's generation_config.json, then to SGLang's defaults. */
    static final class SamplingOptions {
        @Option(names = "--max-new-tokens") Integer maxNewTokens;
        @Option(names = "--min-new-tokens") Integer minNewTokens;
        @Option(names = "--temperature") Double temperature;
        @Option(names = "--top-p") Double topP;
        @Option(names = "--top-k") Integer topK;
        @Option(names = "--min-p") Double minP;
        @Option(names = "--repetition-penalty") Double repetitionPenalty;
        @Option(names = "--sampling-seed") Long seed;
        @Option(names = "--ignore-eos") Boolean ignoreEos;
        @Option(names = "--return-logprob") Boolean returnLogprob;
        @Option(names = "--top-logprobs-num") Integer topLogprobsNum;
        @Option(names = "--n") Integer n;
        @Option(names = "--stop", description = "Stop string; repeat for several.") List<String> stop;

        SamplingParams.Builder toBuilder() {
            return SamplingParams.builder().maxNewTokens(maxNewTokens).minNewTokens(minNewTokens)
                    .temperature(temperature).topP(topP).topK(topK).minP(minP).repetitionPenalty(repetitionPenalty)
                    .samplingSeed(seed).ignoreEos(ignoreEos).returnLogprob(returnLogprob)
                    .topLogprobsNum(topLogprobsNum).n(n).stop(stop);
        }
    }

    @Override
    public Integer call() throws Exception {
        ObjectMapper json = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);
        try (Engine engine = Engine.start(server.toServerArgs())) {
            SamplingParams params = sampling.toBuilder().withDefaults(engine.generationConfig()).build();
            long start = System.nanoTime();
            List<TextResult> results = prompts.texts != null ? engine.generateText(prompts.texts, params)
                    : engine.generate(parseIds().stream().map(ids -> new GenerateRequest(ids, params)).toList())
                            .stream().map(r -> new TextResult(null, r)).toList();
            double seconds = (System.nanoTime() - start) / 1e9;
            for (TextResult r : results) {
                System.out.println(json.writeValueAsString(toJson(r.text(), r.result(), seconds)));
            }
        }
        return 0;
    }

    private List<int[]> parseIds() {
        List<int[]> out = new ArrayList<>();
        for (String group : prompts.inputIds) {
            String[] parts = group.split(",");
            int[] ids = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    ids[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--input-ids: '" + parts[i] + "' is not a token id");
                }
            }
            out.add(ids);
        }
        return out;
    }

    private static Map<String, Object> toJson(String text, GenerateResult r, double seconds) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("finish_reason", finishReason(r.finishReason()));
        meta.put("prompt_tokens", r.promptTokens());
        meta.put("completion_tokens", r.outputIds().length);
        meta.put("cached_tokens", r.cachedTokens());
        meta.put("e2e_latency", seconds);
        if (!r.outputLogprobs().isEmpty()) {
            meta.put("output_token_logprobs", r.outputLogprobs().stream().map(GenerateCommand::entry).toList());
            meta.put("output_top_logprobs", r.outputLogprobs().stream()
                    .map(t -> t.top().stream().map(GenerateCommand::entry).toList()).toList());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (text != null) out.put("text", text);
        out.put("output_ids", r.outputIds());
        out.put("meta_info", meta);
        return out;
    }

    private static List<Object> entry(TokenLogprob t) {
        return Arrays.asList(t.logprob(), t.tokenId(), null);
    }

    private static List<Object> entry(TopLogprob t) {
        return Arrays.asList(t.logprob(), t.tokenId(), null);
    }

    private static Map<String, Object> finishReason(FinishReason f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", f.type());
        switch (f) {
            case FinishReason.Stop s -> m.put("matched", s.matched());
            case FinishReason.Length l -> m.put("length", l.length());
            case FinishReason.Abort a -> m.put("message", a.message());
        }
        return m;
    }
}
