package dev.sglj.engine.tokenizer.template;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark program (not a test): time to render a 20-turn conversation (system + 20 user/assistant pairs, ~300
 * characters a message) through each real template. Usage: ChatTemplateRenderBench [iterations]. Prints the median
 * and p90 of per-render times after a warm-up.
 */
public final class ChatTemplateRenderBench {
    private ChatTemplateRenderBench() {
    }

    static List<Map<String, Object>> conversation(int turns) {
        List<Map<String, Object>> messages = new ArrayList<>();
        messages.add(message("system", "You are a helpful assistant. Answer briefly and cite sources when you can."));
        String filler = "Here is some context about the question, with numbers 12345 and unicode — é 😀 谢谢. ";
        for (int i = 0; i < turns; i++) {
            messages.add(message("user", "Question " + i + ": " + filler.repeat(3)));
            messages.add(message("assistant", "Answer " + i + ": " + filler.repeat(3)));
        }
        messages.add(message("user", "Final question?"));
        return messages;
    }

    private static Map<String, Object> message(String role, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        List<Map<String, Object>> messages = conversation(20);
        Clock clock = Goldens.fixedClock();
        for (String name : List.of("qwen3", "qwen2.5-instruct", "llama-3.2-instruct", "mistral-7b-instruct-v0.3",
                "deepseek-r1-distill-qwen", "gemma-3-it", "llama-2-chat")) {
            Map<String, Object> meta = Goldens.map("real/" + name + ".json");
            ChatTemplate t = ChatTemplate.compile(Goldens.text("real/" + name + ".jinja"));
            ChatTemplateInput in = new ChatTemplateInput(messages, null, true, (String) meta.get("bos_token"),
                    (String) meta.get("eos_token"), Map.of(), clock);
            String rendered = "";
            for (int i = 0; i < iterations; i++) rendered = t.render(in);
            int chars = rendered.codePointCount(0, rendered.length());
            long[] ns = new long[iterations];
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                t.render(in);
                ns[i] = System.nanoTime() - t0;
            }
            Arrays.sort(ns);
            System.out.printf("%-26s %d messages -> %6d code points: median %7.1f us, p90 %7.1f us%n", name, messages.size(),
                    chars, ns[iterations / 2] / 1e3, ns[iterations * 9 / 10] / 1e3);
        }
    }
}
