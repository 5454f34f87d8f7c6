package dev.sglj.engine.compute.cuda;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips every test tagged {@code gpu} when this machine has no CUDA GPU, and says why; on a machine with one
 * they run like any other test. Registered for every test by JUnit's extension autodetection
 * ({@code META-INF/services}, {@code junit-platform.properties}).
 */
public final class GpuTagCondition implements ExecutionCondition {
    private static final String TAG = "gpu";
    private static volatile Boolean present;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!context.getTags().contains(TAG)) return ConditionEvaluationResult.enabled("not a gpu test");
        return gpuPresent() ? ConditionEvaluationResult.enabled("CUDA GPU present")
                : ConditionEvaluationResult.disabled("no CUDA GPU on this machine: gpu-tagged test skipped "
                        + "(scripts/cuda/gpu-tests.sh runs them on the GPU machine)");
    }

    private static boolean gpuPresent() {
        Boolean p = present;
        if (p == null) present = p = CudaBackend.gpuPresent();
        return p;
    }
}
