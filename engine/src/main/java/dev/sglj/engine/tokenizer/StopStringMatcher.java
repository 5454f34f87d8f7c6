package dev.sglj.engine.tokenizer;

import java.util.List;

/**
 * Cuts a streamed text at the first stop string. {@link #push} returns the text that is safe to emit: any tail
 * that could be the beginning of a stop string is held back, so no part of a stop string ever reaches the
 * stream. The stop that completes first in the text wins (ties: the one listed first). On a match the text up
 * to the stop is released, with the stop string itself when {@code noStopTrim}. Not thread-safe.
 */
public final class StopStringMatcher {

    /** Text to emit now, and the stop string that ended the text (null while none has). */
    public record Result(String text, String matched) {
        public boolean stopped() {
            return matched != null;
        }
    }

    private final List<String> stops;
    private final boolean noStopTrim;
    private final StringBuilder pending = new StringBuilder();
    private String matched;

    public StopStringMatcher(List<String> stops, boolean noStopTrim) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
        this.noStopTrim = noStopTrim;
    }

    public Result push(String delta) {
        if (matched != null) {
            throw new IllegalStateException("stop string '" + matched + "' already matched");
        }
        pending.append(delta);
        int bestEnd = Integer.MAX_VALUE;
        int bestStart = -1;
        String best = null;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (at + stop.length() < bestEnd || (at + stop.length() == bestEnd && at < bestStart))) {
                bestEnd = at + stop.length();
                bestStart = at;
                best = stop;
            }
        }
        if (best != null) {
            matched = best;
            String text = pending.substring(0, noStopTrim ? bestEnd : bestStart);
            pending.setLength(0);
            return new Result(text, best);
        }
        int keep = heldBack();
        String text = pending.substring(0, pending.length() - keep);
        pending.delete(0, pending.length() - keep);
        return new Result(text, null);
    }

    /** At the end of the stream without a match: releases what was held back. */
    public String finish() {
        String text = pending.toString();
        pending.setLength(0);
        return text;
    }

    public String matched() {
        return matched;
    }

    /** Length of the longest suffix of the pending text that is a proper prefix of some stop string. */
    private int heldBack() {
        int n = pending.length();
        int longest = 0;
        for (String stop : stops) {
            for (int len = Math.min(stop.length() - 1, n); len > longest; len--) {
                if (endsWithPrefix(stop, len)) {
                    longest = len;
                    break;
                }
            }
        }
        return longest;
    }

    private boolean endsWithPrefix(String stop, int len) {
        int offset = pending.length() - len;
        for (int i = 0; i < len; i++) {
            if (pending.charAt(offset + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
