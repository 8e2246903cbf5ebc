package org.jvmx.translator.exec;

/**
 * The hot tier: turns a hot block (and the region of blocks around it) into {@link CompiledCode}.
 * Called on a background thread, or synchronously for {@link Engine.Tier#COMPILE}; it may read
 * blocks through {@code cache} but must not change guest state.
 */
public interface Jit {
    /** Code for {@code block}, or null when this block cannot be compiled (it stays interpreted). */
    CompiledCode compile(Block block, CodeCache cache, ExecStats stats);
}
