package dev.sglj.engine.model;

/** SGLang's forward modes: prefill (possibly a chunk over a cached prefix), decode, or both mixed. */
public enum ForwardMode {
    EXTEND, DECODE, MIXED
}
