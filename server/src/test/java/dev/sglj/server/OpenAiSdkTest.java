package dev.sglj.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.ResponseFormatJsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against the built-in model. */
class OpenAiSdkTest {
    static final String MODEL = "sglj-builtin-qwen3-tiny";
    static TestServer s;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        s = TestServer.shared();
        client = OpenAIOkHttpClient.builder().baseUrl(s.base() + "/v1").apiKey("unused").maxRetries(0).build();
    }

    private static ChatCompletionCreateParams.Builder chat(String user, int maxTokens) {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(user).maxCompletionTokens(maxTokens);
    }

    private static String streamed(ChatCompletionCreateParams p, Map<Long, StringBuilder> byIndex,
                                   List<ChatCompletionChunk> chunks) {
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(p)) {
            stream.stream().forEach(c -> {
                chunks.add(c);
                for (var choice : c.choices()) {
                    byIndex.computeIfAbsent(choice.index(), k -> new StringBuilder())
                            .append(choice.delta().content().orElse(""));
                }
            });
        }
        return byIndex.getOrDefault(0L, new StringBuilder()).toString();
    }

    @Test
    void chatStreamedEqualsNonStreamed() {
        var p = chat("Tell me a story", 16).temperature(0.7).seed(42).build();
        ChatCompletion whole = client.chat().completions().create(p);
        String text = whole.choices().getFirst().message().content().orElseThrow();
        assertThat(whole.usage().orElseThrow().completionTokens()).isEqualTo(16);
        assertThat(whole.choices().getFirst().finishReason().asString()).isEqualTo("length");

        List<ChatCompletionChunk> chunks = new ArrayList<>();
        var streamP = p.toBuilder().streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        String streamed = streamed(streamP, new HashMap<>(), chunks);
        assertThat(streamed).isEqualTo(text);
        ChatCompletionChunk last = chunks.getLast();
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(16);
        assertThat(last.usage().orElseThrow().promptTokens()).isEqualTo(whole.usage().orElseThrow().promptTokens());
        assertThat(chunks.getFirst().choices().getFirst().delta().role()).isPresent();
    }

    @Test
    void chatWithNAndLogprobs() {
        var p = chat("Count", 6).n(2).seed(3).logprobs(true).topLogprobs(2).build();
        ChatCompletion c = client.chat().completions().create(p);
        assertThat(c.choices()).hasSize(2);
        for (var choice : c.choices()) {
            var content = choice.logprobs().orElseThrow().content().orElseThrow();
            assertThat(content).hasSize(6);
            assertThat(content.getFirst().topLogprobs()).hasSize(2);
            assertThat(content.getFirst().logprob()).isLessThanOrEqualTo(0);
        }
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(12);
        Map<Long, StringBuilder> byIndex = new HashMap<>();
        streamed(p, byIndex, new ArrayList<>());
        for (var choice : c.choices()) {
            assertThat(byIndex.get(choice.index()).toString()).isEqualTo(choice.message().content().orElseThrow());
        }
    }

    @Test
    void stopStringIsTrimmedAndNeverStreamed() {
        var base = chat("Say something long", 24).temperature(1.0).seed(11);
        String full = client.chat().completions().create(base.build()).choices().getFirst().message().content()
                .orElseThrow();
        String stop = pickStop(full);
        String expected = full.substring(0, full.indexOf(stop));
        var withStop = base.stop(ChatCompletionCreateParams.Stop.ofString(stop)).build();
        ChatCompletion c = client.chat().completions().create(withStop);
        assertThat(c.choices().getFirst().message().content().orElseThrow()).isEqualTo(expected);
        assertThat(c.choices().getFirst().finishReason().asString()).isEqualTo("stop");
        assertThat(c.choices().getFirst()._additionalProperties().get("matched_stop")).isEqualTo(JsonValue.from(stop));
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        assertThat(streamed(withStop, new HashMap<>(), chunks)).isEqualTo(expected);

        var noTrim = base.stop(ChatCompletionCreateParams.Stop.ofString(stop))
                .putAdditionalBodyProperty("no_stop_trim", JsonValue.from(true)).build();
        assertThat(client.chat().completions().create(noTrim).choices().getFirst().message().content().orElseThrow())
                .isEqualTo(expected + stop);
    }

    /** A short piece from the middle of the text, so the stop cuts it somewhere inside. */
    static String pickStop(String text) {
        int from = Math.min(text.length() / 2, Math.max(0, text.length() - 3));
        String stop = text.substring(from, Math.min(text.length(), from + 3));
        assertThat(stop).as("output too short to pick a stop string: '%s'", text).isNotEmpty();
        return stop;
    }

    @Test
    void completionsWithLogprobsAndBatch() {
        var p = CompletionCreateParams.builder().model(MODEL).prompt("The capital of France is").maxTokens(5)
                .temperature(0.0).logprobs(3L).build();
        Completion c = client.completions().create(p);
        var choice = c.choices().getFirst();
        var lp = choice.logprobs().orElseThrow();
        assertThat(lp.tokens().orElseThrow()).hasSize(5);
        assertThat(lp.tokenLogprobs().orElseThrow()).hasSize(5);
        assertThat(lp.topLogprobs().orElseThrow()).hasSize(5);
        assertThat(lp.textOffset().orElseThrow().getFirst()).isZero();
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(5);

        List<Long> ids = List.of(785L, 6722L, 315L);
        var batch = CompletionCreateParams.builder().model(MODEL)
                .prompt(CompletionCreateParams.Prompt.ofArrayOfTokenArrays(List.of(ids, ids.subList(0, 2))))
                .maxTokens(3).n(2).seed(5).build();
        Completion b = client.completions().create(batch);
        assertThat(b.choices()).hasSize(4);
        assertThat(b.choices().stream().map(x -> x.index()).toList()).containsExactly(0L, 1L, 2L, 3L);
        assertThat(b.usage().orElseThrow().promptTokens()).isEqualTo(5);
        assertThat(b.usage().orElseThrow().completionTokens()).isEqualTo(12);

        StringBuilder streamed = new StringBuilder();
        try (var stream = client.completions().createStreaming(p)) {
            stream.stream().forEach(x -> x.choices().forEach(ch -> streamed.append(ch.text())));
        }
        assertThat(streamed.toString()).isEqualTo(choice.text());
    }

    @Test
    void concurrentGreedyEqualsSequential() throws Exception {
        List<String> prompts = List.of("alpha", "beta gamma", "delta epsilon zeta", "eta", "theta iota", "kappa");
        List<String> sequential = new ArrayList<>();
        for (String q : prompts) sequential.add(greedy(q));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> futures = new ArrayList<>();
            for (String q : prompts) futures.add(pool.submit(() -> greedy(q)));
            for (int i = 0; i < prompts.size(); i++) assertThat(futures.get(i).get()).isEqualTo(sequential.get(i));
        }
    }

    private static String greedy(String q) {
        return client.chat().completions().create(chat(q, 10).temperature(0.0).build()).choices().getFirst().message()
                .content().orElseThrow();
    }

    @Test
    void unsupportedAndInvalidRequestsAre400() {
        assertThatThrownBy(() -> client.chat().completions().create(chat("x", 4)
                .responseFormat(ResponseFormatJsonObject.builder().build()).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("response_format");
        assertThatThrownBy(() -> client.chat().completions().create(chat("x", 4).model("gpt-4o").build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("gpt-4o");
        assertThatThrownBy(() -> client.chat().completions().create(chat("x", 4).temperature(-1.0).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("temperature");
        assertThatThrownBy(() -> client.chat().completions().create(chat("x", 5000).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("context length");
        assertThat(greedy("still serving")).isNotNull();
    }
}
