package dev.sglj.engine.compute.cuda;

/** An instantiated CUDA graph captured from the backend's stream; replays on that stream. */
public final class CudaGraph implements AutoCloseable {
    private final long stream;
    private long exec;

    CudaGraph(long exec, long stream) {
        this.exec = exec;
        this.stream = stream;
    }

    /** Queues one replay of the captured work. */
    public void replay() {
        if (exec == 0) throw new IllegalStateException("CUDA graph was closed");
        CudaDriver.launchGraph(exec, stream);
    }

    @Override
    public void close() {
        if (exec != 0) {
            CudaDriver.destroyGraph(exec);
            exec = 0;
        }
    }
}
