package dev.sglj.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.sglj.engine.Engine;
import dev.sglj.engine.FinishReason;
import dev.sglj.engine.GenerateRequest;
import dev.sglj.engine.GenerateResult;
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

    @Option(names = "--input-ids", paramLabel = "IDS", required = true,
            description = "Prompt token ids, comma separated; repeat the flag for a batch.")
    List<String> inputIds;

    @ArgGroup(exclusive = false, heading = "Sampling parameters%n")
    SamplingOptions sampling = new SamplingOptions();

    static final class SamplingOptions {
        @Option(names = "--max-new-tokens", defaultValue = "16") int maxNewTokens;
        @Option(names = "--min-new-tokens", defaultValue = "0") int minNewTokens;
        @Option(names = "--temperature", defaultValue = "0") double temperature;
        @Option(names = "--top-p", defaultValue = "1.0") double topP;
        @Option(names = "--top-k", defaultValue = "-1") int topK;
        @Option(names = "--min-p", defaultValue = "0") double minP;
        @Option(names = "--sampling-seed") Long seed;
        @Option(names = "--ignore-eos") boolean ignoreEos;
        @Option(names = "--return-logprob") boolean returnLogprob;
        @Option(names = "--top-logprobs-num", defaultValue = "0") int topLogprobsNum;
        @Option(names = "--n", defaultValue = "1") int n;
    }

    @Override
    public Integer call() throws Exception {
        List<int[]> prompts = parsePrompts();
        SamplingParams params = SamplingParams.builder()
                .maxNewTokens(sampling.maxNewTokens).minNewTokens(sampling.minNewTokens)
                .temperature(sampling.temperature).topP(sampling.topP).topK(sampling.topK).minP(sampling.minP)
                .samplingSeed(sampling.seed).ignoreEos(sampling.ignoreEos).returnLogprob(sampling.returnLogprob)
                .topLogprobsNum(sampling.topLogprobsNum).n(sampling.n).build();
        ObjectMapper json = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);
        try (Engine engine = Engine.start(server.toServerArgs())) {
            List<GenerateRequest> requests = new ArrayList<>();
            for (int[] p : prompts) requests.add(new GenerateRequest(p, params.withDefaults(engine.generationConfig())));
            long start = System.nanoTime();
            List<GenerateResult> results = engine.generate(requests);
            double seconds = (System.nanoTime() - start) / 1e9;
            for (GenerateResult r : results) {
                System.out.println(json.writeValueAsString(toJson(r, seconds)));
            }
        }
        return 0;
    }

    private List<int[]> parsePrompts() {
        List<int[]> prompts = new ArrayList<>();
        for (String group : inputIds) {
            String[] parts = group.split(",");
            int[] ids = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    ids[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--input-ids: '" + parts[i] + "' is not a token id");
                }
            }
            prompts.add(ids);
        }
        return prompts;
    }

    private static Map<String, Object> toJson(GenerateResult r, double seconds) {
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
            case FinishReason.Stop s -> m.put("matched", s.matchedToken() != null ? s.matchedToken() : s.matchedText());
            case FinishReason.Length l -> m.put("length", l.length());
            case FinishReason.Abort a -> m.put("message", a.message());
        }
        return m;
    }
}
