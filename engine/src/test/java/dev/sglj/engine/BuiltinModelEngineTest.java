package dev.sglj.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sglj.engine.config.ServerArgs;
import dev.sglj.engine.sampling.SamplingParams;
import dev.sglj.engine.tokenizer.DecodeOptions;
import dev.sglj.engine.tokenizer.Tokenizer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The built-in model with the real Qwen3 tokenizer: text in, stop strings across token boundaries. */
class BuiltinModelEngineTest {
    private static Engine engine;

    @BeforeAll
    static void start() {
        engine = Engine.start(ServerArgs.builder().maxTotalTokens(4096).build());
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static SamplingParams.Builder greedy(int n) {
        return SamplingParams.builder().temperature(0.0).maxNewTokens(n).ignoreEos(true);
    }

    @Test
    void servesTheBuiltinModelWithTheQwen3Tokenizer() {
        Tokenizer t = engine.requireTokenizer();
        assertThat(engine.modelConfig().architecture()).isEqualTo("Qwen3ForCausalLM");
        assertThat(t.eosTokenIds()).contains(151645);
        int[] prompt = t.encode("Hello, my name is", true);
        GenerateResult r = engine.generate(new GenerateRequest(prompt, greedy(6).build()));
        assertThat(r.outputIds()).hasSize(6);
        assertThat(r.promptTokens()).isEqualTo(prompt.length);
    }

    @Test
    void stopStringSpanningTokensEndsTheRequest() {
        Tokenizer t = engine.requireTokenizer();
        int[] prompt = t.encode("The quick brown fox", true);
        GenerateResult free = engine.generate(new GenerateRequest(prompt, greedy(12).build()));
        String text = t.decode(free.outputIds(), DecodeOptions.DEFAULT);
        String piece2 = t.decode(Arrays.copyOfRange(free.outputIds(), 3, 5), DecodeOptions.DEFAULT);
        String stop = piece2.substring(Math.min(1, piece2.length() - 1));
        assertThat(stop).isNotEmpty();
        int stopAt = text.indexOf(stop);

        GenerateResult stopped = engine.generate(new GenerateRequest(prompt, greedy(12).stop(java.util.List.of(stop)).build()));
        assertThat(stopped.finishReason()).isEqualTo(FinishReason.Stop.text(stop));
        String stoppedText = t.decode(stopped.outputIds(), DecodeOptions.DEFAULT);
        assertThat(stoppedText).contains(stop);
        assertThat(stoppedText.indexOf(stop)).isEqualTo(stopAt);
        assertThat(stopped.outputIds()).isEqualTo(Arrays.copyOf(free.outputIds(), stopped.outputIds().length));

        SamplingParams withStop = greedy(12).stop(java.util.List.of(stop)).build();
        TextResult trimmed = engine.generateText(java.util.List.of("The quick brown fox"), withStop).getFirst();
        assertThat(trimmed.text()).isEqualTo(text.substring(0, stopAt));
        TextResult kept = engine.generateText(java.util.List.of("The quick brown fox"),
                withStop.toBuilder().noStopTrim(true).build()).getFirst();
        assertThat(kept.text()).startsWith(text.substring(0, stopAt) + stop);
    }

    @Test
    void invalidParallelSampleCountIsRejected() {
        assertThatThrownBy(() -> engine.submit(new GenerateRequest(new int[] {1, 2}, greedy(4).n(0).build())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n");
    }
}
