package org.jvmx.translator.sem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.mem.PhysicalMemory;

/**
 * LLDT and LTR in IA-32e mode on bare metal (SDM Vol. 2A LLDT, LTR; Vol. 3A, 8.2.3): 16-byte
 * system descriptors from the GDT, the selector, type, upper-type, canonical-base and present
 * checks with their error codes, LTR's busy marking, and no state change on a fault.
 */
class SystemSegmentsTest {
    static final long CODE = 0x1000, DATA = 0x4000, GDT = 0x20000;
    static final long LDT_BASE = 0xFFFF_8000_1234_5000L, TSS_BASE = 0x0000_0001_0003_0000L;
    static final int LDT = 0x30, TSS = 0x40, LDT_ABSENT = 0x50, LDT_UPPER_TYPE = 0x60, LDT_NONCANONICAL = 0x70;

    // lldt ax; ltr ax; lldt word ptr [rbx]; ltr word ptr [rbx]
    static final int[] LLDT_AX = {0x0F, 0x00, 0xD0}, LTR_AX = {0x0F, 0x00, 0xD8}, LLDT_MEM = {0x0F, 0x00, 0x13},
            LTR_MEM = {0x0F, 0x00, 0x1B};

    final PhysicalMemory ram = new PhysicalMemory();
    Cpu cpu;

    @AfterEach
    void close() {
        ram.close();
    }

    /** An 8-byte descriptor's low quadword from base 31:0, a 20-bit limit and the access byte (bits 47:40). */
    static long low(long base, int limit, int access) {
        return (limit & 0xFFFFL) | (base & 0xFF_FFFFL) << 16 | (long) access << 40 | ((limit >>> 16) & 0xFL) << 48
                | ((base >>> 24) & 0xFFL) << 56;
    }

    void descriptor(int sel, long base, int limit, int access, long highExtra) {
        ram.write(GDT + sel, 8, low(base, limit, access));
        ram.write(GDT + sel + 8, 8, (base >>> 32) | highExtra);
    }

    Cpu guest(boolean user, int[] code) {
        if (ram.regionAt(0) == null) ram.addRam(0, 1 << 20);
        for (int k = 0; k < code.length; k++) ram.write(CODE + k, 1, code[k]);
        cpu = Cpu.flat64(ram, user);
        cpu.state.rip = CODE;
        cpu.gpr[CpuState.RSP] = 0x8000;
        cpu.gpr[CpuState.RBX] = DATA;
        cpu.state.gdtrBase = GDT;
        cpu.state.gdtrLimit = 0x7F;
        ram.write(GDT + 8, 8, 0x00AF_9B00_0000_FFFFL); // 64-bit code (S = 1)
        descriptor(LDT, LDT_BASE, 0xFFF, 0x82, 0);
        descriptor(TSS, TSS_BASE, 0x67, 0x89, 0);
        descriptor(LDT_ABSENT, LDT_BASE, 0xFFF, 0x02, 0);
        descriptor(LDT_UPPER_TYPE, LDT_BASE, 0xFFF, 0x82, 0x02L << 40);
        descriptor(LDT_NONCANONICAL, 0x0000_8000_0000_0000L, 0xFFF, 0x82, 0);
        cpu.state.ldtr.set(0x99, 0x1111, 0x22, 0x82);
        cpu.state.tr.set(0x88, 0x3333, 0x44, 0x8B);
        return cpu;
    }

    Exit run() {
        try (Engine e = new Engine(cpu, Engine.Tier.INTERPRET, null)) {
            return e.run(1);
        }
    }

    void runsThrough() {
        Exit x = run();
        assertEquals(Exit.Kind.BUDGET, x.kind(), x.toString());
    }

    /** Runs one instruction expecting {@code vector}({@code code}); LDTR, TR and the GDT are unchanged. */
    void faults(int vector, int code) {
        String ldtr = cpu.state.ldtr.toString(), tr = cpu.state.tr.toString();
        long tssAccess = ram.read(GDT + TSS + 5, 1);
        Exit x = run();
        assertEquals(Exit.Kind.FAULT, x.kind(), x.toString());
        assertEquals(vector, x.vector(), x.toString());
        assertEquals(code, x.errorCode(), x.toString());
        assertEquals(CODE, cpu.state.rip);
        assertEquals(ldtr, cpu.state.ldtr.toString());
        assertEquals(tr, cpu.state.tr.toString());
        assertEquals(tssAccess, ram.read(GDT + TSS + 5, 1));
    }

    @Test
    void lldtLoadsA16ByteLdtDescriptor() {
        guest(false, LLDT_AX);
        cpu.gpr[CpuState.RAX] = 0xFFFF_0000L | LDT | 3; // only bits 15:0 count; the RPL is kept
        runsThrough();
        SegmentRegister r = cpu.state.ldtr;
        assertEquals(LDT | 3, r.selector());
        assertEquals(LDT_BASE, r.base());
        assertEquals(0xFFF, r.limit());
        assertEquals(0x82, r.vmcsAccessRights());
    }

    @Test
    void lldtFromMemory() {
        guest(false, LLDT_MEM);
        ram.write(DATA, 2, LDT);
        runsThrough();
        assertEquals(LDT, cpu.state.ldtr.selector());
        assertEquals(LDT_BASE, cpu.state.ldtr.base());
    }

    @Test
    void lldtNullSelectorMakesLdtrUnusable() {
        guest(false, LLDT_AX);
        cpu.gpr[CpuState.RAX] = 3;
        runsThrough();
        assertEquals(3, cpu.state.ldtr.selector());
        assertTrue(cpu.state.ldtr.unusable());
    }

    @Test
    void lldtSelectorChecks() {
        int[][] cases = {
            {LDT | 4, GuestFault.GP, LDT | 4},               // TI = 1: not in the GDT
            {0x80, GuestFault.GP, 0x80},                     // past the GDT limit
            {TSS, GuestFault.GP, TSS},                       // a TSS, not an LDT
            {0x08 | 3, GuestFault.GP, 0x08},                 // a code segment (S = 1); RPL not in the error code
            {LDT_UPPER_TYPE, GuestFault.GP, LDT_UPPER_TYPE}, // upper type field not 0
            {LDT_NONCANONICAL, GuestFault.GP, LDT_NONCANONICAL},
            {LDT_ABSENT, GuestFault.NP, LDT_ABSENT},
        };
        for (int[] c : cases) {
            guest(false, LLDT_AX);
            cpu.gpr[CpuState.RAX] = c[0];
            faults(c[1], c[2]);
        }
        // The 16 bytes must lie within the limit: limit 0x3E cuts the LDT descriptor at 0x30.
        guest(false, LLDT_AX);
        cpu.state.gdtrLimit = LDT + 14;
        cpu.gpr[CpuState.RAX] = LDT;
        faults(GuestFault.GP, LDT);
        guest(false, LLDT_AX);
        cpu.state.gdtrLimit = LDT + 15;
        cpu.gpr[CpuState.RAX] = LDT;
        runsThrough();
    }

    @Test
    void ltrLoadsTrAndMarksTheTssBusy() {
        guest(false, LTR_AX);
        cpu.gpr[CpuState.RAX] = TSS;
        runsThrough();
        SegmentRegister r = cpu.state.tr;
        assertEquals(TSS, r.selector());
        assertEquals(TSS_BASE, r.base());
        assertEquals(0x67, r.limit());
        assertEquals(0x8B, r.vmcsAccessRights(), "busy 64-bit TSS");
        assertEquals(0x8B, ram.read(GDT + TSS + 5, 1), "the GDT descriptor is marked busy");
        // A busy TSS cannot be loaded again.
        cpu.state.rip = CODE;
        faults(GuestFault.GP, TSS);
    }

    @Test
    void ltrFromMemory() {
        guest(false, LTR_MEM);
        ram.write(DATA, 2, TSS);
        runsThrough();
        assertEquals(TSS, cpu.state.tr.selector());
    }

    @Test
    void ltrSelectorChecks() {
        int[][] cases = {
            {0, GuestFault.GP, 0},           // null selector: #GP(0)
            {3, GuestFault.GP, 0},
            {TSS | 4, GuestFault.GP, TSS | 4},
            {0x80, GuestFault.GP, 0x80},
            {LDT, GuestFault.GP, LDT},       // an LDT, not a TSS
            {0x08, GuestFault.GP, 0x08},
        };
        for (int[] c : cases) {
            guest(false, LTR_AX);
            cpu.gpr[CpuState.RAX] = c[0];
            faults(c[1], c[2]);
        }
        guest(false, LTR_AX);
        descriptor(TSS, TSS_BASE, 0x67, 0x09, 0); // not present
        cpu.gpr[CpuState.RAX] = TSS;
        faults(GuestFault.NP, TSS);
        guest(false, LTR_AX);
        descriptor(TSS, TSS_BASE, 0x67, 0x81, 0); // a 16-bit TSS: not in IA-32e mode
        cpu.gpr[CpuState.RAX] = TSS;
        faults(GuestFault.GP, TSS);
    }

    @Test
    void cplThreeIsGp0BeforeTheOperand() {
        for (int[] code : new int[][] {LLDT_AX, LTR_AX, LLDT_MEM, LTR_MEM}) {
            guest(true, code);
            cpu.gpr[CpuState.RAX] = LDT;
            cpu.gpr[CpuState.RBX] = 0x8000_0000_0000_0000L; // non-canonical: the CPL check comes first
            faults(GuestFault.GP, 0);
        }
    }
}
