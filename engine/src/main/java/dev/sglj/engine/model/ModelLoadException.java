package dev.sglj.engine.model;

/** A model directory that cannot be loaded; the message names the file or tensor at fault. */
public class ModelLoadException extends RuntimeException {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
