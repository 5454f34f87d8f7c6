package dev.sglj.engine.model;

import java.nio.file.Path;

/** A model directory's configuration and weights, ready for a backend. */
public record LoadedModel(Path dir, ModelConfig config, GenerationConfig generation, WeightSource weights)
        implements AutoCloseable {
    @Override
    public void close() {
        weights.close();
    }
}
