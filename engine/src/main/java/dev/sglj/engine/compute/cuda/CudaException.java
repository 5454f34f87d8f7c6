package dev.sglj.engine.compute.cuda;

/** A failed CUDA driver, NVRTC or cuBLAS call: the function, its return code and the code's name. */
public final class CudaException extends RuntimeException {
    private final String function;
    private final int code;

    public CudaException(String function, int code, String codeName) {
        this(function, code, codeName, null);
    }

    public CudaException(String function, int code, String codeName, String detail) {
        super(function + " failed: " + codeName + " (" + code + ")" + (detail == null ? "" : ": " + detail));
        this.function = function;
        this.code = code;
    }

    public String function() {
        return function;
    }

    public int code() {
        return code;
    }
}
