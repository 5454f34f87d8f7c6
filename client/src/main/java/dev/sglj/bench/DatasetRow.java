package dev.sglj.bench;

/** One benchmark prompt with its token count and the number of tokens to ask for. */
public record DatasetRow(String prompt, int promptLen, int outputLen) {
}
