package org.jvmx.translator.sem;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Msr;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.mem.PhysicalMemory;

/**
 * A test guest outside 64-bit mode: 32-bit code at CPL 0 (or 3) in legacy protected mode or in
 * IA-32e compatibility mode, paging off, with a GDT of test descriptors. Runs instructions
 * through the interpreter and checks faults for precision (RIP on the instruction, GPRs, the
 * segment registers and the watched memory unchanged).
 */
final class SegmentedGuest implements AutoCloseable {
    static final long CODE = 0x1000, GDT = 0x20000;
    /** GDT selectors of the test descriptors. */
    static final int CODE32 = 0x08, DATA = 0x10, DATA_RO = 0x18, CODE_XO = 0x20, CODE_R = 0x28, DATA_ABSENT = 0x30,
            DATA_DPL0 = 0x38, CODE_CONFORMING = 0x40, SYSTEM_LDT = 0x48, DATA_DPL3 = 0x50, CODE64 = 0x58,
            GDT_LIMIT = 0x5F;

    /** Access bytes (descriptor bits 47:40). */
    static final int A_DATA = 0x93, A_DATA_RO = 0x91, A_CODE_XO = 0x99, A_CODE_R = 0x9B, A_DATA_DOWN = 0x97;
    /** VMCS-format access rights with D/B = 1 and G = 1. */
    static final int BIG = 0xC000;

    final PhysicalMemory ram = new PhysicalMemory();
    final Cpu cpu;

    /** A guest at {@code cpl} (0 or 3) in compatibility mode when {@code compat}, else legacy protected mode. */
    SegmentedGuest(boolean compat, int cpl, int... code) {
        ram.addRam(0, 1 << 20);
        for (int k = 0; k < code.length; k++) ram.write(CODE + k, 1, code[k]);
        cpu = Cpu.flat64(ram, cpl == 3);
        CpuState s = cpu.state;
        s.efer = compat ? Msr.EFER_LME | Msr.EFER_LMA : 0;
        if (!compat) s.cr4 &= ~CpuState.CR4_PAE;
        s.cs.set(CODE32 | cpl, 0, 0xFFFF_FFFF, BIG | A_CODE_R | cpl << 5);
        for (int r : new int[] {CpuState.DS, CpuState.ES, CpuState.FS, CpuState.GS}) {
            s.seg[r].set(DATA | cpl, 0, 0xFFFF_FFFF, BIG | A_DATA | cpl << 5);
        }
        s.ss.set(DATA | cpl, 0, 0xFFFF_FFFF, BIG | A_DATA | cpl << 5);
        s.rip = CODE;
        cpu.gpr[CpuState.RSP] = 0x8000;
        cpu.refreshMode();
        s.gdtrBase = GDT;
        s.gdtrLimit = GDT_LIMIT;
        s.ldtr.loadNull(0);
        descriptor(CODE32, 0, 0xFFFFF, 0xCF, 0x9B);
        descriptor(DATA, 0, 0xFFFFF, 0xCF, 0x93);
        descriptor(DATA_RO, 0, 0xFFFFF, 0xCF, 0x91);
        descriptor(CODE_XO, 0, 0xFFFFF, 0xCF, 0x99);
        descriptor(CODE_R, 0, 0xFFFFF, 0xCF, 0x9B);
        descriptor(DATA_ABSENT, 0, 0xFFFFF, 0xCF, 0x13);
        descriptor(DATA_DPL0, 0x3000, 0xFFF, 0x40, 0x93);
        descriptor(CODE_CONFORMING, 0, 0xFFFFF, 0xCF, 0x9F);
        descriptor(SYSTEM_LDT, 0x5000, 0xFFF, 0x00, 0x82);
        descriptor(DATA_DPL3, 0x7000, 0xFFF, 0x40, 0xF3);
        descriptor(CODE64, 0, 0xFFFFF, 0xAF, 0x9B);
    }

    /** Writes a GDT descriptor: base, 20-bit raw limit, flags nibble (G, D/B, L, AVL in bits 7:4 of byte 6), access byte. */
    void descriptor(int sel, long base, int limit, int flags, int access) {
        long d = (limit & 0xFFFFL) | (base & 0xFF_FFFFL) << 16 | (long) access << 40 | ((limit >>> 16) & 0xFL) << 48
                | (long) (flags & 0xF0) << 48 | ((base >>> 24) & 0xFFL) << 56;
        ram.write(GDT + sel, 8, d);
    }

    /** Sets segment register {@code reg}'s hidden part directly (VMCS-format rights). */
    SegmentedGuest seg(int reg, long base, long limit, int ar) {
        cpu.state.seg[reg].set(reg == CpuState.CS ? cpu.state.cs.selector() : DATA, base, (int) limit, ar);
        return this;
    }

    SegmentedGuest gpr(int r, long v) {
        cpu.gpr[r] = v;
        return this;
    }

    Exit run(long budget) {
        try (Engine e = new Engine(cpu, Engine.Tier.INTERPRET, null)) {
            return e.run(budget);
        }
    }

    /** Runs exactly one instruction (null when it retired). */
    Exit step() {
        try (Engine e = new Engine(cpu, Engine.Tier.INTERPRET, null)) {
            return e.step();
        }
    }

    /** Runs one instruction; it must retire. */
    void ok() {
        Exit x = step();
        assertEquals(null, x, String.valueOf(x));
    }

    /**
     * Runs one instruction expecting {@code vector}({@code code}) at {@code CODE} with the GPRs,
     * the segment registers and RAM [from, from + len) unchanged.
     */
    void faults(int vector, int code, long from, int len) {
        long[] gprs = cpu.gpr.clone();
        String segs = segments();
        byte[] mem = bytes(from, len);
        Exit x = step();
        assertNotNull(x, "retired");
        assertEquals(Exit.Kind.FAULT, x.kind(), x.toString());
        assertEquals(vector, x.vector(), x.toString());
        assertEquals(code, x.errorCode(), x.toString());
        assertEquals(CODE, cpu.state.rip, "RIP");
        assertArrayEquals(gprs, cpu.gpr, "GPRs");
        assertEquals(segs, segments(), "segment registers");
        assertArrayEquals(mem, bytes(from, len), "memory");
    }

    void faults(int vector, int code) {
        faults(vector, code, 0, 0);
    }

    String segments() {
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < 6; r++) b.append(cpu.state.seg[r]).append('\n');
        return b.toString();
    }

    byte[] bytes(long from, int len) {
        byte[] b = new byte[len];
        for (int k = 0; k < len; k++) b[k] = (byte) ram.read(from + k, 1);
        return b;
    }

    @Override
    public void close() {
        ram.close();
    }
}
