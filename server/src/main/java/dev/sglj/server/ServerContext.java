package dev.sglj.server;

/** What every route needs: settings, the engine behind its gateway, the text layer and the served model's name. */
record ServerContext(ServerConfig config, EngineGateway gateway, TextLayer text, String modelName, String modelPath,
                     java.util.concurrent.atomic.AtomicInteger boundPort) {
    /** @throws ApiException 400 unless {@code model} is absent or names the served model */
    void checkModel(String model) {
        if (model == null || model.isEmpty() || model.equals(modelName) || model.equals(modelPath)) return;
        throw new ApiException(400, "invalid_request_error", "model", "model_not_found",
                "The model '" + model + "' does not exist; this server serves '" + modelName + "'");
    }
}
