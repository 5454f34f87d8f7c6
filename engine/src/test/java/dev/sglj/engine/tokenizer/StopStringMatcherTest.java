package dev.sglj.engine.tokenizer;

import dev.sglj.engine.tokenizer.decode.IncrementalDetokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StopStringMatcherTest {

    private static final String TEXT = "The answer is 42. Let me explain 中文字符 and 😀 emoji, then STOP_HERE please.";

    /** Stop strings straddling 1, 2 and 3 tokens of a real tokenizer are caught and never leak into the stream. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void stopAcrossTokensNeverLeaks(int tokensSpanned) {
        for (String name : FixtureTokenizers.NAMES) {
            Tokenizer tokenizer = FixtureTokenizers.tokenizer(name);
            int[] ids = tokenizer.encode(TEXT, false);
            List<String> pieces = pieces(tokenizer, ids);
            int found = 0;
            for (int first = 0; first + tokensSpanned <= pieces.size(); first++) {
                String stop = stopSpanning(pieces, first, tokensSpanned);
                if (stop == null) {
                    continue;
                }
                found++;
                for (boolean noStopTrim : new boolean[] {false, true}) {
                    var matcher = new StopStringMatcher(List.of("never-present", stop), noStopTrim);
                    var emitted = new StringBuilder();
                    StopStringMatcher.Result result = null;
                    for (String piece : pieces) {
                        result = matcher.push(piece);
                        emitted.append(result.text());
                        if (result.stopped()) {
                            break;
                        }
                        assertThat(emitted.toString()).doesNotContain(stop);
                    }
                    String full = String.join("", pieces);
                    int at = full.indexOf(stop);
                    assertThat(result.matched()).as("%s stop '%s'", name, stop).isEqualTo(stop);
                    assertThat(emitted.toString()).isEqualTo(full.substring(0, noStopTrim ? at + stop.length() : at));
                }
            }
            assertThat(found).as("%s stops spanning %d tokens", name, tokensSpanned).isGreaterThan(3);
        }
    }

    @Test
    void heldBackPrefixIsReleasedWhenItDoesNotComplete() {
        var matcher = new StopStringMatcher(List.of("</answer>"), false);
        assertThat(matcher.push("x </ans").text()).isEqualTo("x ");
        assertThat(matcher.push("wer").text()).isEmpty();
        assertThat(matcher.push("ed").text()).isEqualTo("</answered");
        assertThat(matcher.push("</a").text()).isEmpty();
        assertThat(matcher.finish()).isEqualTo("</a");
        assertThat(matcher.matched()).isNull();
    }

    @Test
    void firstCompletedStopWinsThenListOrder() {
        var matcher = new StopStringMatcher(List.of("world", "o w", "lo w"), false);
        var result = matcher.push("hello world");
        assertThat(result.matched()).isEqualTo("lo w");
        assertThat(result.text()).isEqualTo("hel");
        var trimmed = new StopStringMatcher(List.of("b", "ab"), true).push("xxab");
        assertThat(trimmed.matched()).isEqualTo("ab");
        assertThat(trimmed.text()).isEqualTo("xxab");
    }

    @Test
    void emptyStopStringsAreIgnored() {
        var matcher = new StopStringMatcher(List.of(""), false);
        assertThat(matcher.push("abc").text()).isEqualTo("abc");
        assertThat(matcher.matched()).isNull();
    }

    private static List<String> pieces(Tokenizer tokenizer, int[] ids) {
        IncrementalDetokenizer detokenizer = tokenizer.newDetokenizer(DecodeOptions.DEFAULT);
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            pieces.add(detokenizer.push(id));
        }
        pieces.set(pieces.size() - 1, pieces.getLast() + detokenizer.finish());
        return pieces;
    }

    /**
     * A stop string covering exactly the given non-empty pieces: it starts inside the first piece and ends inside
     * the last (whole pieces when they are one character), so it straddles every boundary between them.
     */
    private static String stopSpanning(List<String> pieces, int first, int count) {
        for (int i = first; i < first + count; i++) {
            if (pieces.get(i).isEmpty()) {
                return null;
            }
        }
        String head = pieces.get(first);
        String joined = String.join("", pieces.subList(first, first + count));
        String tail = pieces.get(first + count - 1);
        int start = count > 1 && head.length() > 1 ? head.length() - 1 : 0;
        int end = joined.length() - (count > 1 && tail.length() > 1 ? tail.length() - 1 : 0);
        String stop = joined.substring(start, end);
        String full = String.join("", pieces);
        int offset = String.join("", pieces.subList(0, first)).length() + start;
        return full.indexOf(stop) == offset && !stop.isBlank() ? stop : null;
    }
}
