package dev.sglj.engine.compute.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.fixtures.ModelFixture;
import dev.sglj.engine.fixtures.ModelFixtures;
import dev.sglj.engine.model.LoadFormat;
import dev.sglj.engine.model.LoadedModel;
import dev.sglj.engine.model.ModelLoader;
import dev.sglj.engine.runner.ModelRunner;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link CudaGraphTest}'s teacher-forced decode, graphs against eager, in F32: at batch sizes 1, 3
 * (padded to a graph of 4), 8, 12 and 17 (eager above 16) every step's logits must agree within
 * {@value #LOGIT_TOLERANCE}, and greedy tokens wherever eager's top-1/top-2 margin is at least
 * {@value #MARGIN}. Graph and eager differ only in F32 summation order (the padded GEMM shapes and the
 * graph's whole-context split plan).
 */
@Tag("gpu")
class CudaF32GraphTest {
    static final float LOGIT_TOLERANCE = 1e-3f;
    static final float MARGIN = 1e-2f;
    static CudaBackend gpu;

    @BeforeAll
    static void start() {
        gpu = new CudaBackend(DType.F32);
    }

    @AfterAll
    static void stop() {
        gpu.close();
    }

    static Stream<ModelFixture> fixtures() {
        return ModelFixtures.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void graphDecodeMatchesEager(ModelFixture fixture) {
        List<String> failures = new ArrayList<>();
        try (LoadedModel model = ModelLoader.load(fixture.dir(), LoadFormat.AUTO);
             ModelRunner eager = new ModelRunner(model.config(), model.weights(), gpu, 4096, 20, CudaGraphTest.CONTEXT);
             ModelRunner graphs = new ModelRunner(model.config(), model.weights(), gpu, 4096, 20, CudaGraphTest.CONTEXT,
                     CudaGraphTest.GRAPH_SIZES)) {
            assertThat(graphs.cudaGraphMaxBatchSize()).isEqualTo(16);
            for (int bs : new int[] {1, 3, 8, 12, 17}) {
                float worst = CudaGraphTest.decodeBoth(model.config(), eager, graphs, bs, 6, failures, LOGIT_TOLERANCE,
                        MARGIN);
                System.out.printf("  %-16s f32 bs %2d: max |dlogit| graph vs eager %.6f%n", fixture.name(), bs, worst);
            }
            assertThat(graphs.slots().available()).isEqualTo(graphs.slots().size());
        }
        assertThat(failures).as(fixture.name()).isEmpty();
    }
}
