package dev.sglj.bench;

import java.util.List;

/**
 * What one benchmark request measured. Times are in seconds; {@code sentAt} counts from the benchmark's
 * start, {@code arrivals} from the request's own start.
 *
 * @param promptLen the prompt's token count used for the input totals
 * @param outputLen the output token count the server reported (or the requested count when it reported none)
 * @param serverPromptTokens the prompt token count the server reported, -1 if none
 */
public record RequestOutcome(boolean success, String generatedText, double latency, double ttft, List<Double> itl,
                             int promptLen, int outputLen, int serverPromptTokens, String error, double sentAt,
                             List<TokenArrival> arrivals) {
    public RequestOutcome {
        itl = List.copyOf(itl);
        arrivals = List.copyOf(arrivals);
    }

    /** Tokens that arrived {@code at} seconds after the request was sent. */
    public record TokenArrival(double at, int tokens) {
    }

    public static RequestOutcome failed(String error, int promptLen, double sentAt, double latency) {
        return new RequestOutcome(false, "", latency, 0, List.of(), promptLen, 0, -1, error, sentAt, List.of());
    }

    /** This outcome with the prompt length replaced (by the server's count when no tokenizer is given). */
    public RequestOutcome withPromptLen(int tokens) {
        return new RequestOutcome(success, generatedText, latency, ttft, itl, tokens, outputLen, serverPromptTokens,
                error, sentAt, arrivals);
    }
}
