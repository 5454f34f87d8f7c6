package dev.sglj.server;

import dev.sglj.engine.Engine;
import dev.sglj.engine.tokenizer.DecodeOptions;
import dev.sglj.engine.tokenizer.Tokenizer;
import dev.sglj.engine.tokenizer.decode.IncrementalDetokenizer;
import dev.sglj.engine.tokenizer.template.ChatTemplate;
import dev.sglj.engine.tokenizer.template.ChatTemplateInput;
import dev.sglj.engine.tokenizer.template.ChatTemplateLoader;
import dev.sglj.engine.tokenizer.template.TemplateException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The model's tokenizer (owned by the engine) and chat template, or their absence: a model directory without tokenizer.json is
 * served by token ids only, and text requests get a 400 that says so.
 */
public final class TextLayer {
    private final Tokenizer tokenizer;
    private final ChatTemplateLoader.ModelTemplates templates;

    TextLayer(Tokenizer tokenizer, ChatTemplateLoader.ModelTemplates templates) {
        this.tokenizer = tokenizer;
        this.templates = templates;
    }

    /**
     * The engine's tokenizer (none when the model directory has no tokenizer.json) and the chat template: the
     * override file, else the one the tokenizer directory ships, else (built-in model) the tokenizer's own.
     */
    public static TextLayer of(Engine engine, Path chatTemplateFile) {
        Tokenizer tokenizer = engine.tokenizer().orElse(null);
        if (tokenizer == null) {
            if (chatTemplateFile != null) {
                throw new IllegalArgumentException("--chat-template needs a tokenizer, and the model has none");
            }
            return new TextLayer(null, null);
        }
        Path dir = engine.args().tokenizerPath() != null ? engine.args().tokenizerPath() : engine.args().modelPath();
        ChatTemplateLoader.ModelTemplates templates = null;
        if (dir != null) {
            templates = ChatTemplateLoader.load(dir, chatTemplateFile).orElse(null);
        } else if (chatTemplateFile != null) {
            templates = ChatTemplateLoader.load(Path.of("."), chatTemplateFile).orElse(null);
        }
        if (templates == null && tokenizer.chatTemplate() != null) {
            templates = new ChatTemplateLoader.ModelTemplates(
                    Map.of("default", ChatTemplate.compile(tokenizer.chatTemplate())));
        }
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

    private Tokenizer require() {
        if (tokenizer == null) {
            throw ApiException.badRequest("this model has no tokenizer (no tokenizer.json): send input_ids to"
                    + " /generate or token ids as the completions prompt");
        }
        return tokenizer;
    }
}
