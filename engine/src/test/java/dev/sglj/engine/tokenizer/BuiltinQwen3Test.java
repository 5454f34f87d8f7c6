package dev.sglj.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BuiltinQwen3Test {

    @Test
    void builtinQwen3HasQwen3sVocabularyAndEndTokens() {
        Tokenizer qwen3 = FixtureTokenizers.tokenizer("qwen3");
        assertThat(qwen3.vocabSize()).isEqualTo(151_669);
        assertThat(qwen3.eosTokenIds()).containsExactly(151_645, 151_643);
        assertThat(qwen3.eosToken()).isEqualTo("<|im_end|>");
        assertThat(qwen3.bosToken()).isNull();
        assertThat(qwen3.tokenId("<|im_start|>")).isEqualTo(151_644);
        assertThat(qwen3.tokenId("<think>")).isEqualTo(151_667);
        assertThat(qwen3.specialIds()).contains(151_643, 151_644, 151_645).doesNotContain(151_667);
        assertThat(qwen3.chatTemplate()).contains("<|im_start|>");
        int[] ids = qwen3.encode("<|im_start|>user\nHi<|im_end|>", true);
        assertThat(ids[0]).isEqualTo(151_644);
        assertThat(qwen3.decode(ids, DecodeOptions.DEFAULT)).isEqualTo("user\nHi");
    }

    @Test
    void loadsAPlainModelDirectoryAndNamesWhatIsMissing(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Tokenizers.load(dir)).hasMessageContaining("no tokenizer.json").hasMessageContaining(dir.toString());
        var llama2 = TokenizerFiles.fromResources("/tokenizers/llama2/");
        Files.write(dir.resolve("tokenizer.json"), llama2.tokenizerJson());
        Files.write(dir.resolve("tokenizer_config.json"), llama2.tokenizerConfigJson());
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 2, \"bos_token_id\": 1}");
        try (Tokenizer tokenizer = Tokenizers.load(dir)) {
            assertThat(tokenizer.bosToken()).isEqualTo("<s>");
            assertThat(tokenizer.eosTokenIds()).containsExactly(2);
            assertThat(tokenizer.encode("Hello", true)).startsWith(1);
        }
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\"}}");
        assertThatThrownBy(() -> Tokenizers.load(dir)).hasMessageContaining("model.vocab is missing");
    }
}
