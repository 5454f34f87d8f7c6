package dev.sglj.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServingMetricsTest {
    @Test
    void resultBlockMatchesNumpyAndPythonFormattingGolden() throws Exception {
        JsonNode spec;
        try (InputStream in = getClass().getResourceAsStream("/bench/outcomes.json")) {
            spec = new ObjectMapper().readTree(in);
        }
        List<RequestOutcome> outcomes = new ArrayList<>();
        for (JsonNode o : spec.get("outcomes")) {
            List<Double> itl = new ArrayList<>();
            o.get("itl").forEach(x -> itl.add(x.asDouble()));
            outcomes.add(new RequestOutcome(o.get("success").asBoolean(), "", o.get("latency").asDouble(),
                    o.get("ttft").asDouble(), itl, o.get("prompt_len").asInt(), o.get("output_len").asInt(), -1, "",
                    0, List.of()));
        }
        double duration = spec.get("duration").asDouble();
        ServingMetrics m = ServingMetrics.compute(outcomes, RequestOutcome::outputLen, duration);
        String block = ResultBlock.format(spec.get("backend").asText(), spec.get("request_rate").asDouble(),
                spec.get("max_concurrency").asInt(), duration, m);
        String golden;
        try (InputStream in = getClass().getResourceAsStream("/bench/result_block.txt")) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(block).isEqualTo(golden);
    }

    @Test
    void percentilesInterpolateLinearlyLikeNumpy() {
        double[] xs = {4, 1, 3, 2};
        assertThat(Stats.median(xs)).isEqualTo(2.5);
        assertThat(Stats.percentile(xs, 99)).isCloseTo(3.97, within(1e-12));
        assertThat(Stats.percentile(xs, 95)).isCloseTo(3.85, within(1e-12));
        assertThat(Stats.std(xs)).isCloseTo(Math.sqrt(1.25), within(1e-12));
    }

    @Test
    void definitionsOnHandComputedOutcomes() {
        // two requests: 3 tokens (TTFT 0.1, ITL 0.02 0.03, E2E 0.15) and 1 token (TTFT = E2E = 0.2); one failure
        List<RequestOutcome> outcomes = List.of(
                new RequestOutcome(true, "", 0.15, 0.1, List.of(0.02, 0.03), 10, 3, -1, "", 0, List.of()),
                new RequestOutcome(true, "", 0.2, 0.2, List.of(), 20, 1, -1, "", 0, List.of()),
                RequestOutcome.failed("boom", 99, 0, 0.5));
        ServingMetrics m = ServingMetrics.compute(outcomes, o -> o.outputLen() + 1, 0.5);
        assertThat(m.completed()).isEqualTo(2);
        assertThat(m.totalInput()).isEqualTo(30);
        assertThat(m.totalOutput()).isEqualTo(4);
        assertThat(m.totalOutputRetokenized()).isEqualTo(6);
        assertThat(m.requestThroughput()).isCloseTo(4.0, within(1e-12));
        assertThat(m.outputThroughput()).isCloseTo(8.0, within(1e-12));
        assertThat(m.totalThroughput()).isCloseTo(68.0, within(1e-12));
        assertThat(m.concurrency()).isCloseTo(0.7, within(1e-12));
        assertThat(m.meanTtftMs()).isCloseTo(150, within(1e-9));
        // TPOT only for the request with more than one token: (0.15 - 0.1) / 2
        assertThat(m.meanTpotMs()).isCloseTo(25, within(1e-9));
        assertThat(m.meanItlMs()).isCloseTo(25, within(1e-9));
        assertThat(m.maxItlMs()).isCloseTo(30, within(1e-9));
        assertThat(m.meanE2eLatencyMs()).isCloseTo(175, within(1e-9));
    }

    @Test
    void noSuccessfulRequestGivesZeroLatenciesAndNanE2e() {
        ServingMetrics m = ServingMetrics.compute(List.of(RequestOutcome.failed("x", 1, 0, 1)),
                RequestOutcome::outputLen, 1);
        assertThat(m.completed()).isZero();
        assertThat(m.meanTtftMs()).isZero();
        assertThat(m.p99ItlMs()).isZero();
        assertThat(m.meanE2eLatencyMs()).isNaN();
    }

    @Test
    void pythonStyleFieldsOfTheBlock() {
        assertThat(ResultBlock.pythonFloat(Double.POSITIVE_INFINITY)).isEqualTo("inf");
        assertThat(ResultBlock.pythonFloat(4)).isEqualTo("4.0");
        assertThat(ResultBlock.pythonFloat(0.25)).isEqualTo("0.25");
        assertThat(ResultBlock.center("Time to First Token", '-'))
                .isEqualTo("---------------Time to First Token----------------");
        String block = ResultBlock.format("sglang", Double.POSITIVE_INFINITY, null, 1,
                ServingMetrics.compute(List.of(), RequestOutcome::outputLen, 1));
        assertThat(block).contains("Traffic request rate:                    inf       \n")
                .contains("Max request concurrency:                 not set   \n")
                .contains("Mean E2E Latency (ms):                   nan       \n");
    }
}
