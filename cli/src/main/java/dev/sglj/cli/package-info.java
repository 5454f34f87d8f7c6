/**
 * The {@code sglj} command line: picocli commands that parse SGLang-named flags into engine settings,
 * run the engine, and print results. Errors print one line ({@code error: ...}) and exit non-zero.
 */
package dev.sglj.cli;
