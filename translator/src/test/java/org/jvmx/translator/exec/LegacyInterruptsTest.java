package org.jvmx.translator.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmx.decoder.Instruction;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Rflags;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.mem.PhysicalMemory;

/**
 * Event delivery and IRET in protected mode outside IA-32e mode (SDM Vol. 3A, 6.10-6.13; Vol. 2A
 * IRET): 8-byte gates, exact 32-bit and 16-bit frames, the stack switch to TSS.SS0:ESP0 and its
 * #TS checks, gate faults (#NP, #GP with the IDT error code), task gates through the task-switch
 * hook, the #DF combination, and IRETD/IRET round trips to the same and an outer level.
 */
class LegacyInterruptsTest {
    static final long GDT = 0x1000, IDT = 0x2000, TSS = 0x3000, ESP0 = 0x9000, USER_ESP = 0x7000;
    static final int KCODE = 0x08, KDATA = 0x10, UCODE = 0x1B, UDATA = 0x23, TSS_SEL = 0x28, SMALL = 0x30, CODE16 = 0x38;
    static final long HANDLER = 0x5000;
    PhysicalMemory ram;
    Cpu c;
    final List<int[]> taskSwitches = new ArrayList<>();

    static long descriptor(long base, long limit, int access, int flags) {
        return (limit & 0xFFFF) | (base & 0xFF_FFFF) << 16 | (long) access << 40 | ((limit >>> 16) & 0xF) << 48
                | (long) flags << 52 | ((base >>> 24) & 0xFF) << 56;
    }

    /** An 8-byte gate: type 5 (task), 6/7 (16-bit interrupt/trap), 0xE/0xF (32-bit). */
    void gate(int vector, long offset, int selector, int type, int dpl, boolean present) {
        long g = (offset & 0xFFFF) | (long) selector << 16 | (long) type << 40 | (long) dpl << 45
                | (present ? 1L << 47 : 0) | ((offset >>> 16) & 0xFFFF) << 48;
        ram.write(IDT + 8L * vector, 8, g);
    }

    @BeforeEach
    void setUp() {
        ram = new PhysicalMemory();
        ram.addRam(0, 0x10_0000);
        ram.write(GDT + 0x08, 8, descriptor(0, 0xFFFFF, 0x9A, 0xC));
        ram.write(GDT + 0x10, 8, descriptor(0, 0xFFFFF, 0x92, 0xC));
        ram.write(GDT + 0x18, 8, descriptor(0, 0xFFFFF, 0xFA, 0xC));
        ram.write(GDT + 0x20, 8, descriptor(0, 0xFFFFF, 0xF2, 0xC));
        ram.write(GDT + 0x28, 8, descriptor(TSS, 0x67, 0x89, 0));
        ram.write(GDT + 0x30, 8, descriptor(0, 0x0FFF, 0x92, 0x4)); // ring-0 data, limit 4 KiB
        ram.write(GDT + 0x38, 8, descriptor(0, 0xFFFF, 0x9A, 0)); // 16-bit ring-0 code
        ram.write(TSS + 4, 4, ESP0);
        ram.write(TSS + 8, 2, KDATA);
        c = Cpu.flat64(ram, true);
        c.sensitive = new Sensitive() {
            @Override
            public void taskSwitch(Cpu cpu, Instruction i, int selector, int source) {
                taskSwitches.add(new int[] {selector, source});
            }
        };
        CpuState s = c.state;
        s.efer = 0;
        s.cr4 &= ~CpuState.CR4_PAE;
        s.gdtrBase = GDT;
        s.gdtrLimit = 0x3F;
        s.idtrBase = IDT;
        s.idtrLimit = 0x7FF;
        s.tr.set(TSS_SEL, TSS, 0x67, 0x8B);
        user();
        s.setRflags(Rflags.IF | Rflags.FIXED1 | Rflags.CF);
        gate(13, HANDLER, KCODE, 0xE, 0, true);
        gate(14, HANDLER + 0x100, KCODE, 0xE, 0, true);
        gate(0x80, HANDLER + 0x200, KCODE, 0xF, 3, true);
        gate(0x81, HANDLER + 0x300, KCODE, 0xE, 0, true);
        gate(0x82, 0x1234, CODE16, 6, 0, true);
        gate(0x83, HANDLER, KCODE, 0xE, 0, false);
        gate(0x84, 0, 0x48, 5, 3, true);
    }

    void user() {
        CpuState s = c.state;
        s.cs.set(UCODE, 0, 0xFFFF_FFFF, 0xC0FB);
        s.ss.set(UDATA, 0, 0xFFFF_FFFF, 0xC0F3);
        s.ds.set(UDATA, 0, 0xFFFF_FFFF, 0xC0F3);
        s.es.set(UDATA, 0, 0xFFFF_FFFF, 0xC0F3);
        c.gpr[CpuState.RSP] = USER_ESP;
        c.refreshMode();
    }

    void kernel(long esp) {
        CpuState s = c.state;
        s.cs.set(KCODE, 0, 0xFFFF_FFFF, 0xC09B);
        s.ss.set(KDATA, 0, 0xFFFF_FFFF, 0xC093);
        c.gpr[CpuState.RSP] = esp;
        c.refreshMode();
    }

    @AfterEach
    void tearDown() {
        ram.close();
    }

    long dword(long a) {
        return ram.read(a, 4);
    }

    /** Runs {@code n} instructions at the current CS:EIP through the interpreter. */
    void step(int n) {
        try (Engine e = new Engine(c, Engine.Tier.INTERPRET, null)) {
            for (int k = 0; k < n; k++) {
                Exit x = e.step();
                if (x != null) throw new AssertionError("unexpected exit " + x);
            }
        }
    }

    @Test
    void sameLevelFrameWithErrorCode() {
        kernel(0x8000);
        long flags = c.state.rflags();
        Interrupts.deliver(c, 13, Interrupts.Kind.HARDWARE_EXCEPTION, 0x1234, 0x40_1000);
        assertEquals(0x8000 - 16, c.gpr[CpuState.RSP]);
        assertEquals(0x1234, dword(0x8000 - 16), "error code");
        assertEquals(0x40_1000, dword(0x8000 - 12), "EIP");
        assertEquals(KCODE, dword(0x8000 - 8), "CS");
        assertEquals(flags, dword(0x8000 - 4), "EFLAGS");
        assertEquals(HANDLER, c.state.rip);
        assertEquals(KCODE, c.state.cs.selector());
        assertEquals(0, c.state.rflags() & Rflags.IF, "interrupt gate clears IF");
        assertEquals(0, dword(0x8000 - 20), "nothing below the frame");
    }

    @Test
    void userToKernelSwitchesToTheTssStack() {
        long flags = c.state.rflags();
        Interrupts.deliver(c, 14, Interrupts.Kind.HARDWARE_EXCEPTION, 6, 0x40_1000);
        long esp = ESP0 - 24;
        assertEquals(esp, c.gpr[CpuState.RSP]);
        long[] expected = {6, 0x40_1000, UCODE, flags, USER_ESP, UDATA};
        for (int k = 0; k < 6; k++) assertEquals(expected[k], dword(esp + 4L * k), "slot " + k);
        assertEquals(KDATA, c.state.ss.selector());
        assertEquals(0, c.state.cpl());
        assertEquals(HANDLER + 0x100, c.state.rip);
    }

    @Test
    void iretdReturnsToTheOuterLevelAndNullsKernelSegments() {
        long flags = c.state.rflags();
        c.state.es.set(KDATA, 0, 0xFFFF_FFFF, 0xC093); // a ring-0 data segment left in ES
        Interrupts.deliver(c, 14, Interrupts.Kind.HARDWARE_EXCEPTION, 6, 0x40_1000);
        ram.write(HANDLER + 0x100, 4, 0xCF_04_C4_83L); // add esp, 4; iretd
        step(2);
        assertEquals(0x40_1000, c.state.rip);
        assertEquals(UCODE, c.state.cs.selector());
        assertEquals(3, c.state.cpl());
        assertEquals(UDATA, c.state.ss.selector());
        assertEquals(USER_ESP, c.gpr[CpuState.RSP]);
        assertEquals(flags, c.state.rflags());
        assertEquals(UDATA, c.state.ds.selector(), "DS usable at CPL 3 stays");
        assertEquals(0, c.state.es.selector(), "ES with DPL 0 becomes null");
    }

    @Test
    void iretdSameLevelTrapGateRoundTrip() {
        kernel(0x8000);
        c.state.setRflags(Rflags.FIXED1 | Rflags.IF | Rflags.ZF);
        Interrupts.deliver(c, 0x80, Interrupts.Kind.SOFTWARE_INTERRUPT, -1, 0x40_2002);
        assertTrue((c.state.rflags() & Rflags.IF) != 0, "trap gate keeps IF");
        assertEquals(0x8000 - 12, c.gpr[CpuState.RSP]);
        ram.write(HANDLER + 0x200, 1, 0xCF);
        step(1);
        assertEquals(0x40_2002, c.state.rip);
        assertEquals(0x8000, c.gpr[CpuState.RSP]);
        assertEquals(Rflags.FIXED1 | Rflags.IF | Rflags.ZF, c.state.rflags());
    }

    @Test
    void sixteenBitGateFrameAndIret() {
        kernel(0x8000);
        long flags = c.state.rflags();
        Interrupts.deliver(c, 0x82, Interrupts.Kind.EXTERNAL, -1, 0x40_1000);
        assertEquals(0x8000 - 6, c.gpr[CpuState.RSP]);
        assertEquals(0x1000, ram.read(0x8000 - 6, 2), "IP (low 16 bits)");
        assertEquals(KCODE, ram.read(0x8000 - 4, 2), "CS");
        assertEquals(flags & 0xFFFF, ram.read(0x8000 - 2, 2), "FLAGS");
        assertEquals(0, ram.read(0x8000 - 8, 2));
        assertEquals(CODE16, c.state.cs.selector());
        assertEquals(0x1234, c.state.rip);
        // Back through a 16-bit IRET (CF in 16-bit code) to a 32-bit segment at EIP 0x1000.
        ram.write(0x1234, 1, 0xCF);
        step(1);
        assertEquals(KCODE, c.state.cs.selector());
        assertEquals(0x1000, c.state.rip);
        assertEquals(0x8000, c.gpr[CpuState.RSP]);
    }

    @Test
    void gateFaults() {
        int ext = 1;
        GuestFault np = assertThrows(GuestFault.class,
                () -> LegacyInterrupts.deliverOnce(c, 0x83, Interrupts.Kind.EXTERNAL, -1, 0));
        assertEquals(GuestFault.NP, np.vector());
        assertEquals(0x83 * 8 + 2 + ext, np.errorCode());
        GuestFault dpl = assertThrows(GuestFault.class,
                () -> LegacyInterrupts.deliverOnce(c, 0x81, Interrupts.Kind.SOFTWARE_INTERRUPT, -1, 0));
        assertEquals(GuestFault.GP, dpl.vector());
        assertEquals(0x81 * 8 + 2, dpl.errorCode(), "INT n: no EXT");
        c.state.idtrLimit = 0x20 * 8 + 6;
        GuestFault limit = assertThrows(GuestFault.class,
                () -> LegacyInterrupts.deliverOnce(c, 0x20, Interrupts.Kind.EXTERNAL, -1, 0));
        assertEquals(GuestFault.GP, limit.vector());
        assertEquals(0x20 * 8 + 2 + ext, limit.errorCode());
        assertEquals(USER_ESP, c.gpr[CpuState.RSP], "nothing changed");
        assertEquals(UCODE, c.state.cs.selector());
    }

    @Test
    void tssStackChecks() {
        ram.write(TSS + 8, 2, 0);
        GuestFault nul = assertThrows(GuestFault.class,
                () -> LegacyInterrupts.deliverOnce(c, 14, Interrupts.Kind.HARDWARE_EXCEPTION, 0, 0));
        assertEquals(GuestFault.TS, nul.vector());
        assertEquals(1, nul.errorCode());
        ram.write(TSS + 8, 2, UDATA);
        GuestFault rpl = assertThrows(GuestFault.class,
                () -> LegacyInterrupts.deliverOnce(c, 14, Interrupts.Kind.HARDWARE_EXCEPTION, 0, 0));
        assertEquals(GuestFault.TS, rpl.vector());
        assertEquals(UDATA & 0xFFFC | 1, rpl.errorCode());
        ram.write(TSS + 8, 2, KCODE);
        GuestFault code = assertThrows(GuestFault.class,
                () -> LegacyInterrupts.deliverOnce(c, 14, Interrupts.Kind.HARDWARE_EXCEPTION, 0, 0));
        assertEquals(GuestFault.TS, code.vector());
        assertEquals(KCODE | 1, code.errorCode());
        ram.write(TSS + 8, 2, SMALL); // ESP0 = 0x9000 beyond the 4 KiB limit
        GuestFault ss = assertThrows(GuestFault.class,
                () -> LegacyInterrupts.deliverOnce(c, 14, Interrupts.Kind.HARDWARE_EXCEPTION, 0, 0));
        assertEquals(GuestFault.SS, ss.vector());
        assertEquals(SMALL | 1, ss.errorCode());
    }

    @Test
    void taskGateGoesToTheTaskSwitchHook() {
        Interrupts.deliver(c, 0x84, Interrupts.Kind.SOFTWARE_INTERRUPT, -1, 0x40_1000);
        assertEquals(1, taskSwitches.size());
        assertEquals(0x48, taskSwitches.get(0)[0]);
        assertEquals(3, taskSwitches.get(0)[1], "source: IDT task gate");
    }

    @Test
    void stackFaultDeliveringAPageFaultBecomesDoubleFault() {
        ram.write(TSS + 8, 2, SMALL);
        gate(8, 0, 0x50, 5, 0, true); // #DF through a task gate, as 32-bit kernels do
        Interrupts.deliver(c, 14, Interrupts.Kind.HARDWARE_EXCEPTION, 4, 0x40_1000);
        assertEquals(1, taskSwitches.size());
        assertEquals(0x50, taskSwitches.get(0)[0]);
        assertEquals(USER_ESP, c.gpr[CpuState.RSP], "the failed #PF delivery changed nothing");
    }

    @Test
    void contributoryDuringDeliveryIsDoubleFaultWithErrorCodeZero() {
        kernel(0x8000);
        gate(13, HANDLER, 0x40, 0xE, 0, true); // selector beyond the GDT limit: #GP(0x40 + EXT)
        gate(8, HANDLER + 0x800, KCODE, 0xE, 0, true);
        Interrupts.deliver(c, 13, Interrupts.Kind.HARDWARE_EXCEPTION, 0, 0x40_1000);
        assertEquals(HANDLER + 0x800, c.state.rip);
        assertEquals(0x8000 - 16, c.gpr[CpuState.RSP]);
        assertEquals(0, dword(0x8000 - 16), "#DF error code");
        assertEquals(0x40_1000, dword(0x8000 - 12));
    }

    @Test
    void iretWithNtIsATaskReturn() {
        kernel(0x8000);
        ram.write(TSS, 2, 0x58); // previous-task link
        c.state.setRflags(Rflags.FIXED1 | Rflags.NT);
        c.state.rip = HANDLER;
        ram.write(HANDLER, 1, 0xCF);
        step(1);
        assertEquals(1, taskSwitches.size());
        assertEquals(0x58, taskSwitches.get(0)[0]);
        assertEquals(1, taskSwitches.get(0)[1], "source: IRET");
    }

    @Test
    void iretToVirtual8086IsRefused() {
        kernel(0x8000 - 12);
        ram.write(0x8000 - 12, 4, 0x1000);
        ram.write(0x8000 - 8, 4, KCODE);
        ram.write(0x8000 - 4, 4, Rflags.VM | Rflags.FIXED1);
        c.state.rip = HANDLER;
        ram.write(HANDLER, 1, 0xCF);
        try (Engine e = new Engine(c, Engine.Tier.INTERPRET, null)) {
            Exit x = e.step();
            assertEquals(Exit.Kind.FAULT, x.kind());
            assertEquals(GuestFault.GP, x.vector());
        }
        assertEquals(HANDLER, c.state.rip);
        assertFalse(c.state.virtual8086());
    }

    @Test
    void iretOuterChecksTheReturnStackSegment() {
        kernel(0x8000 - 20);
        long[] frame = {0x40_1000, UCODE, Rflags.FIXED1, USER_ESP, KDATA}; // SS RPL 0 != CS RPL 3
        for (int k = 0; k < 5; k++) ram.write(0x8000 - 20 + 4L * k, 4, frame[k]);
        c.state.rip = HANDLER;
        ram.write(HANDLER, 1, 0xCF);
        try (Engine e = new Engine(c, Engine.Tier.INTERPRET, null)) {
            Exit x = e.step();
            assertEquals(GuestFault.GP, x.vector());
            assertEquals(KDATA, x.errorCode());
        }
        assertEquals(KCODE, c.state.cs.selector(), "nothing changed");
        assertEquals(0x8000 - 20, c.gpr[CpuState.RSP]);
    }

    @Test
    void realModeDeliveryThroughTheIvtAndIret() {
        CpuState s = c.state;
        s.cr0 &= ~CpuState.CR0_PE;
        s.cs.loadReal(0x1000);
        s.ss.loadReal(0x2000);
        s.idtrBase = 0;
        s.idtrLimit = 0x3FF;
        c.gpr[CpuState.RSP] = 0x100;
        c.refreshMode();
        ram.write(0x21 * 4, 4, 0x0000_3040L); // INT 21h -> 0000:3040 (code fetch ignores a CS base so far)
        s.setRflags(Rflags.FIXED1 | Rflags.IF | Rflags.TF | Rflags.CF);
        Interrupts.deliver(c, 0x21, Interrupts.Kind.SOFTWARE_INTERRUPT, -1, 0x0123);
        assertEquals(0xFA, c.gpr[CpuState.RSP]);
        assertEquals(0x0123, ram.read(0x200FA, 2), "IP");
        assertEquals(0x1000, ram.read(0x200FC, 2), "CS");
        assertEquals(Rflags.FIXED1 | Rflags.IF | Rflags.TF | Rflags.CF, ram.read(0x200FE, 2), "FLAGS");
        assertEquals(0, s.cs.selector());
        assertEquals(0, s.cs.base());
        assertEquals(0x3040, s.rip);
        assertEquals(Rflags.FIXED1 | Rflags.CF, s.rflags(), "IF and TF cleared");
        ram.write(0x3040, 1, 0xCF); // iret
        step(1);
        assertEquals(0x1000, s.cs.selector());
        assertEquals(0x10000, s.cs.base());
        assertEquals(0x0123, s.rip);
        assertEquals(0x100, c.gpr[CpuState.RSP]);
        assertEquals(Rflags.FIXED1 | Rflags.IF | Rflags.TF | Rflags.CF, s.rflags());
        s.idtrLimit = 0x21 * 4 + 2;
        GuestFault gp = assertThrows(GuestFault.class, () -> LegacyInterrupts.deliverReal(c, 0x21, 0));
        assertEquals(GuestFault.GP, gp.vector());
    }

    @Test
    void sixteenBitStackSegmentWrapsSpAndKeepsTheUpperEspBits() {
        kernel(0x1234_0004L);
        c.state.ss.set(KDATA, 0x20000, 0xFFFF, 0x0093); // SS.B = 0: SP addresses the stack
        long flags = c.state.rflags();
        Interrupts.deliver(c, 0x81, Interrupts.Kind.EXTERNAL, -1, 0x40_1000);
        assertEquals(0x1234_FFF8L, c.gpr[CpuState.RSP]);
        assertEquals(0x40_1000, dword(0x2FFF8), "EIP at SS:0xFFF8");
        assertEquals(KCODE, dword(0x2FFFC), "CS at SS:0xFFFC");
        assertEquals(flags, dword(0x20000), "EFLAGS wrapped to SS:0");
        ram.write(HANDLER + 0x300, 1, 0xCF);
        step(1);
        assertEquals(0x1234_0004L, c.gpr[CpuState.RSP], "IRETD pops through the wrap");
        assertEquals(0x40_1000, c.state.rip);
    }
}
