package dev.sglj.engine.compute;

import dev.sglj.engine.compute.cpu.CpuBackend;
import dev.sglj.engine.compute.cuda.CudaBackend;
import java.util.List;

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
     * float32 (weights stay in the checkpoint's dtype), the CUDA backend in bfloat16 ({@code auto}) or
     * float32 (weights, activations and KV cache).
     */
    public static void validateDtype(String device, String dtype) {
        computeDtype(device, dtype);
    }

    /** The dtype the device computes in for {@code --dtype}, as SGLang names it: bfloat16 or float32. */
    public static String effectiveDtype(String device, String dtype) {
        return computeDtype(device, dtype) == DType.F32 ? "float32" : "bfloat16";
    }

    /**
     * The activation dtype {@code --dtype} selects on the device: cpu F32; cuda BF16 for auto and
     * bfloat16, F32 for float32.
     *
     * @throws IllegalArgumentException for an unknown dtype or one the device does not compute in
     */
    public static DType computeDtype(String device, String dtype) {
        String canonical = switch (dtype) {
            case "auto" -> "auto";
            case "float32", "float" -> "float32";
            case "bfloat16" -> "bfloat16";
            case "float16", "half" -> "float16";
            default -> throw new IllegalArgumentException(
                    "--dtype must be one of auto, bfloat16, float16, half, float32, float (got '" + dtype + "')");
        };
        List<String> supported = device.equals("cuda") ? List.of("bfloat16", "float32") : List.of("float32");
        if (!canonical.equals("auto") && !supported.contains(canonical)) {
            String names = String.join(" or ", supported);
            throw new IllegalArgumentException("--dtype " + dtype + " is not available on --device " + device
                    + ", which computes in " + names + "; use --dtype auto or " + names);
        }
        String effective = canonical.equals("auto") ? supported.getFirst() : canonical;
        return effective.equals("float32") ? DType.F32 : DType.BF16;
    }

    public static Backend open(String device) {
        return open(device, "auto");
    }

    /** The backend for {@code --device} computing in the dtype {@code --dtype} selects there. */
    public static Backend open(String device, String dtype) {
        return switch (validate(device)) {
            case "cuda" -> new CudaBackend(computeDtype(device, dtype));
            default -> {
                validateDtype(device, dtype);
                yield new CpuBackend();
            }
        };
    }
}
