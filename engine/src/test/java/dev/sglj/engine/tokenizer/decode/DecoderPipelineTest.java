package dev.sglj.engine.tokenizer.decode;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Decoder chains that the fixture tokenizers do not use (Metaspace, Strip at the end, multi-character Replace,
 * no decoder, clean-up of tokenization spaces): streamed output equals the batch decode on random tokens, and
 * the batch decoders follow the Rust code on hand-checked cases.
 */
class DecoderPipelineTest {

    private static final String[] VOCAB = {
        "▁", "▁▁", "a", "▁b", "ab▁", "<0xE4>", "<0xB8>", "<0xAD>", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "<0x41>",
        " ", "  ", ".", " .", "'", "s", "n't", " '", "re", "xyz", "<s>", "</s>", "-", "--", "---", "▁.", "é", "😀",
        "Ġ", "Ċ", "ä¸", "Ń", "!", ",", "?", "m", "ve", "t", "e", "r", "v",
    };

    @Test
    void streamsEqualBatchForEveryChainShape() throws Exception {
        List<String> chains = List.of(
                "{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"always\",\"split\":true}",
                "{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"never\"}",
                "{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"add_prefix_space\":true}",
                "{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"▁\"},\"content\":\" \"},"
                        + "{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":2}]}",
                "{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\",\"pattern\":{\"String\":\"--\"},\"content\":\"=\"},"
                        + "{\"type\":\"Fuse\"},{\"type\":\"Replace\",\"pattern\":{\"String\":\"a▁b\"},\"content\":\"[ab]\"}]}",
                "{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"ByteFallback\"},{\"type\":\"Metaspace\",\"replacement\":\"▁\","
                        + "\"prepend_scheme\":\"first\"},{\"type\":\"Strip\",\"content\":\" \",\"start\":2,\"stop\":1}]}",
                "{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"ByteLevel\"},{\"type\":\"Strip\",\"content\":\"-\",\"start\":1,\"stop\":1}]}");
        Random random = new Random(11);
        var json = new ObjectMapper();
        BitSet special = new BitSet();
        special.set(23);
        special.set(24);
        for (String chain : chains) {
            TokenDecoder decoder = TokenDecoder.parse(json.readTree(chain));
            for (boolean cleanUp : new boolean[] {false, true}) {
                assertStreamsEqualBatch(new DecoderPipeline(VOCAB, special, decoder, cleanUp), random);
            }
        }
        assertStreamsEqualBatch(new DecoderPipeline(VOCAB, special, null, true), random);
    }

    @Test
    void batchDecodersFollowTheRustCode() throws Exception {
        var json = new ObjectMapper();
        var llama = TokenDecoder.parse(json.readTree("{\"type\":\"Sequence\",\"decoders\":[{\"type\":\"Replace\","
                + "\"pattern\":{\"String\":\"▁\"},\"content\":\" \"},{\"type\":\"ByteFallback\"},{\"type\":\"Fuse\"},"
                + "{\"type\":\"Strip\",\"content\":\" \",\"start\":1,\"stop\":0}]}"));
        assertThat(decode(llama, "▁Hey", "▁friend", "<0xE4>", "<0xB8>", "<0xAD>", "!")).isEqualTo("Hey friend中!");
        assertThat(decode(llama, "<0xE4>", "<0xB8>", "<0xAD>", "<0xE4>", "a")).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFDa");
        var metaspace = TokenDecoder.parse(json.readTree("{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"always\"}"));
        assertThat(decode(metaspace, "▁▁Hey", "▁friend▁")).isEqualTo("Hey friend ");
        var strip = new TokenDecoder.Strip('H', 1, 0);
        assertThat(strip.decodeChain(List.of("Hey", " friend!", "HHH"))).containsExactly("ey", " friend!", "HH");
        assertThat(new TokenDecoder.Strip('y', 0, 1).decodeChain(List.of("Hey", " friend!"))).containsExactly("He", " friend!");
        assertThat(new TokenDecoder.ByteLevel().decodeChain(List.of("Hello", "Ġworld", "Ċ", "ä¸", "Ń"))).containsExactly("Hello world\n中");
        assertThat(new TokenDecoder.ByteLevel().decodeChain(List.of("a b"))).containsExactly("a b");
    }

    @Test
    void cleanUpMatchesPythonReplaceChain() {
        assertThat(CleanUpSpaces.cleanUp("Hello , world . I do n't know . He 's here ' ok")).isEqualTo("Hello, world. I don't know. He's here'ok");
        assertThat(CleanUpSpaces.cleanUp("x  ' s")).isEqualTo("x's");
    }

    @Test
    void unsupportedDecodersAreRejectedByName() throws Exception {
        var json = new ObjectMapper();
        assertThatThrownBy(() -> TokenDecoder.parse(json.readTree("{\"type\":\"WordPiece\",\"prefix\":\"##\"}")))
                .hasMessageContaining("'WordPiece' is not supported");
        assertThatThrownBy(() -> TokenDecoder.parse(json.readTree("{\"type\":\"Replace\",\"pattern\":{\"Regex\":\" +\"},\"content\":\" \"}")))
                .hasMessageContaining("only non-empty String patterns");
    }

    private static String decode(TokenDecoder decoder, String... tokens) {
        return String.join("", decoder.decodeChain(List.of(tokens)));
    }

    private static void assertStreamsEqualBatch(DecoderPipeline pipeline, Random random) {
        for (int s = 0; s < 400; s++) {
            int[] ids = random.ints(random.nextInt(24), 0, VOCAB.length).toArray();
            for (boolean skip : new boolean[] {false, true}) {
                String full = pipeline.decode(ids, skip);
                IncrementalDetokenizer detokenizer = pipeline.newDetokenizer(skip);
                List<String> pieces = new ArrayList<>();
                for (int id : ids) {
                    pieces.add(detokenizer.push(id));
                }
                pieces.add(detokenizer.finish());
                assertThat(String.join("", pieces)).as("%s", java.util.Arrays.toString(ids)).isEqualTo(full);
            }
        }
    }
}
