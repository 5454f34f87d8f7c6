package dev.sglj.engine.tokenizer.template;

import java.util.List;
import java.util.Map;

/** Something a template can call: a macro, a global function, a bound str/dict method. */
@FunctionalInterface
interface PyCallable {
    Object call(List<Object> args, Map<String, Object> kwargs);
}
