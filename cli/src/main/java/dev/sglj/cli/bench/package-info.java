/**
 * {@code sglj bench ...}: benchmark programs. {@code bench one-batch} is SGLang's
 * {@code bench_one_batch} at the engine level (no server, no scheduler): one static batch of random
 * prompts is prefilled in a single EXTEND forward, then decoded greedily step by step, each forward
 * timed on the host clock. Printed lines and JSONL records use SGLang's wording and keys so results
 * can be compared and plotted with the same tools.
 */
package dev.sglj.cli.bench;
