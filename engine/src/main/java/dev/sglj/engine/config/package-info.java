/**
 * Engine settings: {@link dev.sglj.engine.config.ServerArgs} holds every flag under SGLang's name,
 * its default and its validation. The CLI parses flags into it; the engine only reads it.
 */
package dev.sglj.engine.config;
