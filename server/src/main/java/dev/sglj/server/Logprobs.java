package dev.sglj.server;

import dev.sglj.engine.TokenLogprob;
import dev.sglj.engine.sampling.TopLogprob;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** SGLang's native logprob entries: {@code [logprob, token_id, text|null]}. */
final class Logprobs {
    private Logprobs() {
    }

    static List<List<Object>> tokens(List<TokenLogprob> logprobs, TextLayer text, boolean withText) {
        List<List<Object>> out = new ArrayList<>(logprobs.size());
        for (TokenLogprob t : logprobs) out.add(entry(t.logprob(), t.tokenId(), text, withText));
        return out;
    }

    static List<List<List<Object>>> tops(List<TokenLogprob> logprobs, TextLayer text, boolean withText) {
        List<List<List<Object>>> out = new ArrayList<>(logprobs.size());
        for (TokenLogprob t : logprobs) {
            List<List<Object>> top = new ArrayList<>(t.top().size());
            for (TopLogprob alt : t.top()) top.add(entry(alt.logprob(), alt.tokenId(), text, withText));
            out.add(top);
        }
        return out;
    }

    private static List<Object> entry(Float logprob, int id, TextLayer text, boolean withText) {
        return Arrays.asList(logprob, id, withText ? text.tokenText(id) : null);
    }
}
