package org.jvmx.translator.exec;

import org.jvmx.decoder.Instruction;

/**
 * What one instruction does, written once in plain Java and used by both tiers (DESIGN.md,
 * "Two tiers, one semantics"). Called with {@code cpu.state.rip} already set to the next
 * instruction ({@link Instruction#nextIp()}); a branch writes its target there. A semantics
 * that raises a fault ({@link org.jvmx.translator.mem.GuestFault}) must not have changed any
 * architectural state first (REP string instructions may have completed whole iterations,
 * as on hardware); the caller then sets RIP back to the faulting instruction.
 */
@FunctionalInterface
public interface Semantics {
    void execute(Cpu cpu, Instruction insn);
}
