package dev.sglj.bench;

import dev.sglj.client.LlmHttpClient;
import java.net.URI;
import picocli.CommandLine.Option;

/** The server a client tool talks to and the API it speaks: options shared by bench serving and evals. */
public final class ServerTarget {
    @Option(names = "--backend", defaultValue = "sglang",
            description = "sglang (/generate), sglang-oai, vllm (/v1/completions), sglang-oai-chat, openai "
                    + "(/v1/chat/completions). Default: ${DEFAULT-VALUE}.")
    String backend;
    @Option(names = "--base-url", description = "Server base URL; overrides --host and --port.")
    String baseUrl;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Default: ${DEFAULT-VALUE}.")
    String host;
    @Option(names = "--port", description = "Default: the backend's usual port (30000; vllm 8000).")
    Integer port;
    @Option(names = "--model", description = "Model name sent to OpenAI APIs; default: the server's /v1/models.")
    String model;

    Backend backend() {
        return Backend.parse(backend);
    }

    /** A client for the server, authenticated with {@code OPENAI_API_KEY} when set. */
    LlmHttpClient client() {
        URI base = URI.create(baseUrl != null ? baseUrl
                : "http://" + host + ":" + (port != null ? port : backend().defaultPort()));
        return new LlmHttpClient(base, System.getenv("OPENAI_API_KEY"));
    }

    /** {@code --model}, or the one model the server lists. */
    String modelName(LlmHttpClient client) {
        return model != null ? model : ServerModel.resolve(client, backend());
    }
}
