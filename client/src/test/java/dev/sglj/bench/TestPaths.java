package dev.sglj.bench;

import java.net.URISyntaxException;
import java.nio.file.Path;

final class TestPaths {
    private TestPaths() {
    }

    static Path resource(String name) {
        try {
            return Path.of(TestPaths.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
