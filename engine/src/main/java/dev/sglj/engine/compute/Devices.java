package dev.sglj.engine.compute;

import dev.sglj.engine.compute.cpu.CpuBackend;
import dev.sglj.engine.compute.cuda.CudaBackend;

/** The {@code --device} values and the backend each one opens. */
public final class Devices {
    private Devices() {}

    /** SGLang's default device: cuda when a GPU is present, else cpu. */
    public static String detect() {
        return CudaBackend.gpuPresent() ? "cuda" : "cpu";
    }

    /** Checks a {@code --device} value: cpu or cuda. */
    public static String validate(String device) {
        if (!device.equals("cpu") && !device.equals("cuda")) {
            throw new IllegalArgumentException("--device must be cpu or cuda (got '" + device + "')");
        }
        return device;
    }

    /**
     * Checks SGLang's {@code --dtype} against what the device computes in: the CPU backend always in
     * float32 (weights stay in the checkpoint's dtype), the CUDA backend in bfloat16.
     */
    public static void validateDtype(String device, String dtype) {
        String canonical = switch (dtype) {
            case "auto" -> "auto";
            case "float32", "float" -> "float32";
            case "bfloat16" -> "bfloat16";
            case "float16", "half" -> "float16";
            default -> throw new IllegalArgumentException(
                    "--dtype must be one of auto, bfloat16, float16, half, float32, float (got '" + dtype + "')");
        };
        String supported = device.equals("cuda") ? "bfloat16" : "float32";
        if (!canonical.equals("auto") && !canonical.equals(supported)) {
            throw new IllegalArgumentException("--dtype " + dtype + " is not available on --device " + device
                    + ", which computes in " + supported + "; use --dtype auto or " + supported);
        }
    }

    public static Backend open(String device) {
        return switch (validate(device)) {
            case "cuda" -> new CudaBackend();
            default -> new CpuBackend();
        };
    }
}
