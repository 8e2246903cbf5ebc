package org.jvmx.translator.exec;

/**
 * Translated code for a block (and the region the JIT built around it).
 *
 * <p>Contract: runs from the block's start with the architectural state in {@link Cpu};
 * returns with {@code cpu.state.rip} set to where execution continues, having added the
 * instructions it retired to {@code cpu.stats.compiled}. It leaves (at a block boundary)
 * when the next block is outside the region, when {@link Cpu#budget} drops below zero, when
 * the next block starts at {@link Cpu#stopAt}, or when {@link Cpu#codeWritten} is set. On a
 * {@link org.jvmx.translator.mem.GuestFault} every register is written back and RIP is the
 * faulting instruction's; on a {@link LeaveRequest}, RIP is after the instruction when
 * {@code completed}, else on it. Both are rethrown.
 */
@FunctionalInterface
public interface CompiledCode {
    void run(Cpu cpu);
}
