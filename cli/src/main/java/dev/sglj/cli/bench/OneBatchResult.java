package dev.sglj.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured (batch size, input length, output length) point. Throughputs follow SGLang:
 * prefill {@code batch * inputLen / latency}, decode {@code batch / median step latency}, overall
 * {@code batch * (inputLen + outputLen) / total latency}. The decode fields are null when
 * {@code outputLen == 1} (no decode step).
 *
 * @param outputIds the greedy tokens of each request: the prefill's, then one per decode step
 */
public record OneBatchResult(
        String runName,
        int batchSize,
        int inputLen,
        int outputLen,
        double prefillLatency,
        double prefillThroughput,
        Double medianDecodeLatency,
        Double medianDecodeThroughput,
        double totalLatency,
        double overallThroughput,
        int[][] outputIds) {

    /** The JSONL record, with SGLang's {@code bench_one_batch} keys in its order. */
    public Map<String, Object> jsonFields() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run_name", runName);
        m.put("batch_size", batchSize);
        m.put("input_len", inputLen);
        m.put("output_len", outputLen);
        m.put("prefill_latency", prefillLatency);
        m.put("prefill_throughput", prefillThroughput);
        if (medianDecodeLatency != null) {
            m.put("median_decode_latency", medianDecodeLatency);
            m.put("median_decode_throughput", medianDecodeThroughput);
        }
        m.put("total_latency", totalLatency);
        m.put("overall_throughput", overallThroughput);
        return m;
    }
}
