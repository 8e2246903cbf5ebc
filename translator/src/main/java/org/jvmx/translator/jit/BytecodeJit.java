package org.jvmx.translator.jit;

import org.jvmx.translator.exec.Block;
import org.jvmx.translator.exec.CodeCache;
import org.jvmx.translator.exec.CompiledCode;
import org.jvmx.translator.exec.ExecStats;
import org.jvmx.translator.exec.Jit;

/** Tier 2 (being written): ASM bytecode for hot regions. */
public final class BytecodeJit implements Jit {
    @Override
    public CompiledCode compile(Block block, CodeCache cache, ExecStats stats) {
        return null;
    }
}
