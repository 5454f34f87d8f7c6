package dev.sglj.engine.compute;

import dev.sglj.engine.compute.cpu.CpuBackend;
import dev.sglj.engine.compute.cuda.CudaBackend;

/** The {@code --device} values and the backend each one opens. */
public final class Devices {
    private Devices() {}

    /** Checks a {@code --device} value: cpu or cuda. */
    public static String validate(String device) {
        if (!device.equals("cpu") && !device.equals("cuda")) {
            throw new IllegalArgumentException("--device must be cpu or cuda (got '" + device + "')");
        }
        return device;
    }

    public static Backend open(String device) {
        return switch (validate(device)) {
            case "cuda" -> new CudaBackend();
            default -> new CpuBackend();
        };
    }
}
