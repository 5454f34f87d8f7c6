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
import dev.sglj.engine.tokenizer.DecodeOptions;
import dev.sglj.engine.tokenizer.Tokenizer;
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
            List<int[]> inputs = prompts.texts != null ? encode(engine.requireTokenizer(), prompts.texts) : parseIds();
            SamplingParams params = sampling.toBuilder().withDefaults(engine.generationConfig()).build();
            List<GenerateRequest> requests = new ArrayList<>();
            for (int[] p : inputs) requests.add(new GenerateRequest(p, params));
            long start = System.nanoTime();
            List<GenerateResult> results = engine.generate(requests);
            double seconds = (System.nanoTime() - start) / 1e9;
            DecodeOptions decode = new DecodeOptions(params.skipSpecialTokens(), params.spacesBetweenSpecialTokens());
            for (GenerateResult r : results) {
                String text = engine.tokenizer().map(t -> t.decode(r.outputIds(), decode))
                        .map(t -> trimStop(t, r.finishReason(), params.noStopTrim())).orElse(null);
                System.out.println(json.writeValueAsString(toJson(text, r, seconds)));
            }
        }
        return 0;
    }

    /** SGLang trims a matched stop string (and what follows it) from the text unless no_stop_trim. */
    private static String trimStop(String text, FinishReason finish, boolean noStopTrim) {
        if (noStopTrim || !(finish instanceof FinishReason.Stop(Integer id, String matched)) || matched == null) {
            return text;
        }
        int at = text.indexOf(matched);
        return at < 0 ? text : text.substring(0, at);
    }

    private static List<int[]> encode(Tokenizer tokenizer, List<String> texts) {
        return texts.stream().map(t -> tokenizer.encode(t, true)).toList();
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
            case FinishReason.Stop s -> m.put("matched", s.matchedToken() != null ? s.matchedToken() : s.matchedText());
            case FinishReason.Length l -> m.put("length", l.length());
            case FinishReason.Abort a -> m.put("message", a.message());
        }
        return m;
    }
}
