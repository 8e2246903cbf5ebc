package org.jvmx.translator.jit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.Consumer;
import org.jvmx.translator.cpu.LazyFlags;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.exec.Jit;
import org.jvmx.translator.mem.PhysicalMemory;

/** Runs hand-encoded code in a flat 64-bit vCPU, interpreted or compiled, and compares the outcomes. */
final class JitHarness {
    static final long CODE = 0x1000, DATA = 0x8000, STACK = 0x20000, RAM = 0x40000;

    static {
        BytecodeJit.verify = true;
    }

    private JitHarness() {
    }

    record Run(Cpu cpu, Exit exit, PhysicalMemory ram, Engine engine, long[] memory) {
        long gpr(int g) {
            return cpu.gpr[g];
        }
    }

    static Run run(byte[] code, Consumer<Cpu> init, Engine.Tier tier, Jit jit, long budget) {
        return run(code, init, tier, jit, budget, false);
    }

    /** With {@code predecode}, the fall-through chain of blocks from CODE is decoded first (so regions span it). */
    static Run run(byte[] code, Consumer<Cpu> init, Engine.Tier tier, Jit jit, long budget, boolean predecode) {
        PhysicalMemory ram = new PhysicalMemory();
        ram.addRam(0, RAM);
        for (int k = 0; k < code.length; k++) ram.write(CODE + k, 1, code[k]);
        Cpu cpu = Cpu.flat64(ram, false);
        cpu.state.rip = CODE;
        cpu.gpr[X86.RSP] = STACK;
        cpu.gpr[X86.RBX] = DATA;
        cpu.stopAt = CODE + code.length;
        if (init != null) init.accept(cpu);
        Engine engine = new Engine(cpu, tier, jit);
        for (long at = CODE; predecode && at < cpu.stopAt; ) at = engine.cache().lookup(at).end;
        Exit exit = engine.run(budget);
        engine.close();
        long[] mem = new long[(int) ((RAM - DATA) / 8)];
        for (int k = 0; k < mem.length; k++) mem[k] = ram.read(DATA + 8L * k, 8);
        return new Run(cpu, exit, ram, engine, mem);
    }

    static Run interpret(byte[] code, Consumer<Cpu> init, long budget) {
        return run(code, init, Engine.Tier.INTERPRET, null, budget);
    }

    static Run compile(byte[] code, Consumer<Cpu> init, Jit jit, long budget) {
        return run(code, init, Engine.Tier.COMPILE, jit, budget);
    }

    /** The architectural state of both runs agrees: exit, RIP, GPRs, status flags, memory, instruction count. */
    static void assertSame(Run want, Run got, String what) {
        assertEquals(want.exit(), got.exit(), what + ": exit");
        assertEquals(Long.toHexString(want.cpu().state.rip), Long.toHexString(got.cpu().state.rip), what + ": RIP");
        assertArrayEquals(want.cpu().gpr, got.cpu().gpr, what + ": GPRs");
        long defined = want.cpu().flags.definedMask();
        assertEquals(defined, got.cpu().flags.definedMask(), what + ": defined flags");
        assertEquals(want.cpu().flags.rflags() & defined, got.cpu().flags.rflags() & defined, what + ": flags");
        assertEquals(want.cpu().flags.rflags() & LazyFlags.STATUS, got.cpu().flags.rflags() & LazyFlags.STATUS, what + ": status bits");
        assertArrayEquals(want.memory(), got.memory(), what + ": memory");
        assertEquals(want.cpu().stats.instructions(), got.cpu().stats.instructions(), what + ": instructions retired");
    }
}
