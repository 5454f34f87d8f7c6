package dev.sglj.server;

import dev.sglj.engine.sampling.SamplingParams;
import dev.sglj.engine.sched.StopStringWatcher;
import dev.sglj.engine.tokenizer.DecodeOptions;
import dev.sglj.engine.tokenizer.Tokenizer;
import dev.sglj.engine.tokenizer.Tokenizers;
import dev.sglj.engine.tokenizer.decode.IncrementalDetokenizer;
import dev.sglj.engine.tokenizer.template.ChatTemplate;
import dev.sglj.engine.tokenizer.template.ChatTemplateInput;
import dev.sglj.engine.tokenizer.template.ChatTemplateLoader;
import dev.sglj.engine.tokenizer.template.TemplateException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The model's tokenizer and chat template, or their absence: a model directory without tokenizer.json is
 * served by token ids only, and text requests get a 400 that says so.
 */
public final class TextLayer implements AutoCloseable {
    private final Tokenizer tokenizer;
    private final ChatTemplateLoader.ModelTemplates templates;

    TextLayer(Tokenizer tokenizer, ChatTemplateLoader.ModelTemplates templates) {
        this.tokenizer = tokenizer;
        this.templates = templates;
    }

    /**
     * The built-in Qwen3 tokenizer when {@code modelPath} is null; else the tokenizer of
     * {@code tokenizerPath} (default: the model directory) when it has a tokenizer.json.
     */
    public static TextLayer load(Path modelPath, Path tokenizerPath, Path chatTemplateFile) {
        Path dir = tokenizerPath != null ? tokenizerPath : modelPath;
        Tokenizer tokenizer;
        ChatTemplateLoader.ModelTemplates templates = null;
        if (dir == null) {
            tokenizer = Tokenizers.builtinQwen3();
            if (chatTemplateFile != null) {
                templates = ChatTemplateLoader.load(Path.of("."), chatTemplateFile).orElse(null);
            } else if (tokenizer.chatTemplate() != null) {
                templates = new ChatTemplateLoader.ModelTemplates(
                        Map.of("default", ChatTemplate.compile(tokenizer.chatTemplate())));
            }
            return new TextLayer(tokenizer, templates);
        }
        boolean hasTokenizer = Files.isRegularFile(dir.resolve("tokenizer.json"))
                || Files.isRegularFile(dir.resolve("tokenizer.json.gz"));
        if (!hasTokenizer) {
            if (tokenizerPath != null) {
                throw new IllegalArgumentException("--tokenizer-path " + tokenizerPath + " has no tokenizer.json");
            }
            return new TextLayer(null, null);
        }
        tokenizer = Tokenizers.load(dir);
        templates = ChatTemplateLoader.load(dir, chatTemplateFile).orElse(null);
        return new TextLayer(tokenizer, templates);
    }

    public boolean hasTokenizer() {
        return tokenizer != null;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public int[] encode(String text, boolean addSpecialTokens) {
        return require().encode(text, addSpecialTokens);
    }

    /** Decoded text of one token (special tokens kept), for logprob entries. */
    public String tokenText(int id) {
        return tokenizer == null ? null : tokenizer.decode(new int[] {id}, DecodeOptions.KEEP_SPECIAL);
    }

    public String decode(int[] ids, boolean skipSpecialTokens) {
        return require().decode(ids, new DecodeOptions(skipSpecialTokens, true));
    }

    /** A per-request detokenizer, or null when the model has no tokenizer (outputs are ids only). */
    public IncrementalDetokenizer detokenizer(boolean skipSpecialTokens) {
        return tokenizer == null ? null : tokenizer.newDetokenizer(new DecodeOptions(skipSpecialTokens, true));
    }

    /**
     * Renders a conversation with the model's template.
     *
     * @throws ApiException 400 when the model has no template or the template rejects the conversation
     */
    public String renderChat(List<Map<String, Object>> messages, List<Map<String, Object>> tools,
                             boolean addGenerationPrompt, Map<String, Object> kwargs) {
        require();
        if (templates == null) {
            throw ApiException.badRequest("this model has no chat template; pass --chat-template FILE or use"
                    + " /v1/completions");
        }
        try {
            ChatTemplate template = templates.select(tools != null && !tools.isEmpty());
            return template.render(new ChatTemplateInput(messages, tools, addGenerationPrompt,
                    tokenizer.bosToken(), tokenizer.eosToken(), kwargs, null));
        } catch (TemplateException e) {
            throw ApiException.badParam("messages", "chat template error: " + e.getMessage());
        }
    }

    /** The engine's stop-string watcher for a request: decodes its output as the server will and reports a stop. */
    public StopStringWatcher stopWatcher(SamplingParams params) {
        if (tokenizer == null || params.stop().isEmpty()) return null;
        IncrementalDetokenizer detok = detokenizer(params.skipSpecialTokens());
        List<String> stops = params.stop().stream().filter(s -> !s.isEmpty()).toList();
        int longest = stops.stream().mapToInt(String::length).max().orElse(0);
        StringBuilder text = new StringBuilder();
        return id -> {
            int before = text.length();
            text.append(detok.push(id));
            int from = Math.max(0, before - longest + 1);
            String best = null;
            int bestEnd = Integer.MAX_VALUE;
            for (String stop : stops) {
                int at = text.indexOf(stop, from);
                if (at >= 0 && at + stop.length() < bestEnd) {
                    best = stop;
                    bestEnd = at + stop.length();
                }
            }
            return best;
        };
    }

    private Tokenizer require() {
        if (tokenizer == null) {
            throw ApiException.badRequest("this model has no tokenizer (no tokenizer.json): send input_ids to"
                    + " /generate or token ids as the completions prompt");
        }
        return tokenizer;
    }

    @Override
    public void close() {
        if (tokenizer != null) tokenizer.close();
    }
}
