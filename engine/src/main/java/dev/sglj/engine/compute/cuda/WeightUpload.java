package dev.sglj.engine.compute.cuda;

import dev.sglj.engine.compute.DType;
import dev.sglj.engine.compute.HostTensor;
import java.util.List;

/**
 * Weights into device memory in the backend's activation dtype: a checkpoint tensor of that dtype is copied
 * as it is, the other float types are staged and converted on the device (exactly where they widen); dummy
 * weights are filled on the device.
 */
final class WeightUpload {
    private final DType activations;
    private final DeviceMemory memory;
    private final Kernels kernels;
    private final long stream;

    WeightUpload(DType activations, DeviceMemory memory, Kernels kernels, long stream) {
        this.activations = activations;
        this.memory = memory;
        this.kernels = kernels;
        this.stream = stream;
    }

    /** Writes {@code parts} one after the other from device address {@code dst} ({@link #upload} each). */
    void uploadRows(List<HostTensor> parts, long dst) {
        long at = dst;
        for (HostTensor p : parts) {
            upload(p, at);
            at += (long) activations.bytes() * p.numel();
        }
    }

    /** Writes {@code host} at device address {@code dst}, which holds {@code host.numel()} activation-dtype values. */
    void upload(HostTensor host, long dst) {
        long bytes = host.data().byteSize();
        if (host.dtype() == activations) {
            CudaDriver.copyToDevice(dst, host.data(), bytes, stream);
            return;
        }
        String convert = conversionKernel(host);
        long staging = memory.allocate(bytes, "staging of " + host.name());
        CudaDriver.copyToDevice(staging, host.data(), bytes, stream);
        kernels.args().ptr(staging).ptr(dst).i64(host.numel());
        kernels.launchElements(convert, host.numel());
        memory.release(staging, bytes);
    }

    /** {@code n} values at {@code ptr}: uniform in {@code [-range, range)} from {@code seed}, or all {@code value} when range is 0. */
    void fill(long ptr, long n, long seed, float range, float value) {
        boolean f32 = activations == DType.F32;
        if (range == 0f) {
            kernels.args().ptr(ptr).i64(n).f32(value);
            kernels.launchElements(f32 ? "f32_fill" : "fill_bf16", n);
        } else {
            kernels.args().ptr(ptr).i64(n).i64(seed).f32(range);
            kernels.launchElements(f32 ? "f32_fill_uniform" : "fill_uniform_bf16", n);
        }
    }

    private String conversionKernel(HostTensor host) {
        boolean f32 = activations == DType.F32;
        return switch (host.dtype()) {
            case F32 -> "convert_f32_to_bf16";
            case BF16 -> "f32_convert_bf16";
            case F16 -> f32 ? "f32_convert_f16" : "convert_f16_to_bf16";
            default -> throw new IllegalArgumentException("weight " + host.name() + ": dtype " + host.dtype()
                    + " is not a float type");
        };
    }
}
