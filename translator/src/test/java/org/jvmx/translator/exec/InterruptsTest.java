package org.jvmx.translator.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Rflags;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.mem.PhysicalMemory;

/**
 * IDT delivery in IA-32e mode (SDM Vol. 3A, 6.14): frames with and without error codes, the
 * stack switch to TSS.RSP0 and to an IST stack, the gate-DPL check for INT n, IF cleared by
 * interrupt gates only, and the Table 6-5 combinations: a second contributory fault or a fault
 * after #PF becomes #DF, and a fault delivering #DF is a triple fault.
 */
class InterruptsTest {
    static final long GDT = 0x1000, IDT = 0x2000, TSS = 0x3000, RSP0 = 0x9000, IST1 = 0xB000, USER_RSP = 0x7008;
    static final int KCODE = 0x08, KDATA = 0x10, UCODE = 0x1B, UDATA = 0x23;
    PhysicalMemory ram;
    Cpu c;

    static long codeDescriptor(int dpl) {
        return 0x00AF_9A00_0000_FFFFL | (long) dpl << 45; // 64-bit code, present, limit 4 GiB
    }

    static long dataDescriptor(int dpl) {
        return 0x00CF_9200_0000_FFFFL | (long) dpl << 45;
    }

    /** Writes the 16-byte gate for {@code vector}: type 0xE (interrupt) or 0xF (trap). */
    void gate(int vector, long handler, int type, int dpl, int ist, boolean present) {
        long low = (handler & 0xFFFF) | (long) KCODE << 16 | (long) ist << 32 | (long) type << 40 | (long) dpl << 45
                | (present ? 1L << 47 : 0) | ((handler >>> 16) & 0xFFFF) << 48;
        ram.write(IDT + 16L * vector, 8, low);
        ram.write(IDT + 16L * vector + 8, 8, handler >>> 32);
    }

    @BeforeEach
    void setUp() {
        ram = new PhysicalMemory();
        ram.addRam(0, 0x10_0000);
        ram.write(GDT + 8, 8, codeDescriptor(0));
        ram.write(GDT + 16, 8, dataDescriptor(0));
        ram.write(GDT + 24, 8, codeDescriptor(3));
        ram.write(GDT + 32, 8, dataDescriptor(3));
        ram.write(TSS + 4, 8, RSP0);
        ram.write(TSS + 0x24, 8, IST1);
        c = Cpu.flat64(ram, true);
        CpuState s = c.state;
        s.gdtrBase = GDT;
        s.gdtrLimit = 0x27;
        s.idtrBase = IDT;
        s.idtrLimit = 0xFFF;
        s.tr.set(0x28, TSS, 0x67, 0x8B);
        s.cs.set(UCODE, 0, 0xFFFF_FFFF, 0xA0FB);
        s.ss.set(UDATA, 0, 0xFFFF_FFFF, 0xC0F3);
        s.setRflags(Rflags.IF | Rflags.FIXED1 | Rflags.CF);
        c.refreshMode();
        c.gpr[CpuState.RSP] = USER_RSP;
        gate(14, 0xFFFF_8000_0000_1000L, 0xE, 0, 0, true);
        gate(13, 0xFFFF_8000_0000_2000L, 0xE, 0, 0, true);
        gate(8, 0xFFFF_8000_0000_3000L, 0xE, 0, 1, true);
        gate(0x80, 0x0000_0000_0040_1234L, 0xF, 3, 0, true);
        gate(0x81, 0x0000_0000_0040_5678L, 0xE, 0, 0, true);
    }

    @AfterEach
    void tearDown() {
        ram.close();
    }

    long stack(long rsp, int k) {
        return ram.read(rsp + 8L * k, 8);
    }

    @Test
    void pageFaultFromUserModeSwitchesToRsp0WithAnErrorCode() {
        long flags = c.state.rflags();
        Interrupts.deliver(c, 14, Interrupts.Kind.HARDWARE_EXCEPTION, 6, 0x40_0010);
        long rsp = c.gpr[CpuState.RSP];
        assertEquals(RSP0 - 48, rsp);
        assertEquals(6, stack(rsp, 0), "error code");
        assertEquals(0x40_0010, stack(rsp, 1), "RIP");
        assertEquals(UCODE, stack(rsp, 2), "CS");
        assertEquals(flags, stack(rsp, 3), "RFLAGS");
        assertEquals(USER_RSP, stack(rsp, 4), "RSP");
        assertEquals(UDATA, stack(rsp, 5), "SS");
        assertEquals(0xFFFF_8000_0000_1000L, c.state.rip);
        assertEquals(KCODE, c.state.cs.selector());
        assertEquals(0, c.state.cpl());
        assertEquals(0, c.state.ss.selector(), "SS is a null selector with RPL 0");
        assertEquals(0, c.state.rflags() & Rflags.IF, "an interrupt gate clears IF");
        assertEquals(false, c.user);
    }

    @Test
    void softwareInterruptThroughAUserTrapGateKeepsIf() {
        Interrupts.deliver(c, 0x80, Interrupts.Kind.SOFTWARE_INTERRUPT, -1, 0x40_0002);
        long rsp = c.gpr[CpuState.RSP];
        assertEquals(RSP0 - 40, rsp, "five quadwords, no error code");
        assertEquals(0x40_0002, stack(rsp, 0));
        assertEquals(Rflags.IF, c.state.rflags() & Rflags.IF);
        assertEquals(0x40_1234, c.state.rip);
    }

    @Test
    void intNThroughAKernelGateIsGeneralProtection() {
        Interrupts.deliver(c, 0x81, Interrupts.Kind.SOFTWARE_INTERRUPT, -1, 0x40_0002);
        long rsp = c.gpr[CpuState.RSP];
        assertEquals(0x81 << 3 | 2, stack(rsp, 0), "#GP error code names the IDT entry");
        assertEquals(0xFFFF_8000_0000_2000L, c.state.rip);
        // An external interrupt through the same gate is allowed (no DPL check).
        setUp();
        Interrupts.deliver(c, 0x81, Interrupts.Kind.EXTERNAL, -1, 0x40_0002);
        assertEquals(0x40_5678, c.state.rip);
    }

    @Test
    void sameLevelDeliveryAlignsTheStackAndStillPushesSs() {
        c.state.cs.set(KCODE, 0, 0xFFFF_FFFF, 0xA09B);
        c.state.ss.set(KDATA, 0, 0xFFFF_FFFF, 0xC093);
        c.refreshMode();
        c.gpr[CpuState.RSP] = 0x8008;
        Interrupts.deliver(c, 14, Interrupts.Kind.HARDWARE_EXCEPTION, 2, 0x1234);
        assertEquals(0x8000 - 48, c.gpr[CpuState.RSP]);
        assertEquals(KDATA, stack(c.gpr[CpuState.RSP], 5));
        assertEquals(0x8008, stack(c.gpr[CpuState.RSP], 4));
        assertEquals(KDATA, c.state.ss.selector(), "SS unchanged without a privilege change");
    }

    @Test
    void faultWhileDeliveringAPageFaultIsADoubleFaultOnItsIstStack() {
        gate(14, 0xFFFF_8000_0000_1000L, 0xE, 0, 0, false); // not present: #NP while delivering #PF
        Interrupts.deliver(c, 14, Interrupts.Kind.HARDWARE_EXCEPTION, 4, 0x40_0010);
        assertEquals(0xFFFF_8000_0000_3000L, c.state.rip, "the #DF handler");
        long rsp = c.gpr[CpuState.RSP];
        assertEquals(IST1 - 48, rsp, "IST1 stack");
        assertEquals(0, stack(rsp, 0), "#DF error code 0");
        assertEquals(0x40_0010, stack(rsp, 1));
    }

    @Test
    void benignThenContributoryIsHandledSerially() {
        gate(0x81, 0, 0xE, 0, 0, false); // external interrupt to a missing gate: #NP, delivered itself
        gate(11, 0xFFFF_8000_0000_4000L, 0xE, 0, 0, true);
        Interrupts.deliver(c, 0x81, Interrupts.Kind.EXTERNAL, -1, 0x40_0002);
        assertEquals(0xFFFF_8000_0000_4000L, c.state.rip);
        assertEquals(0x81 << 3 | 2 | 1, stack(c.gpr[CpuState.RSP], 0), "#NP error code with EXT set");
    }

    @Test
    void failingDoubleFaultIsATripleFault() {
        gate(13, 0, 0xE, 0, 0, false);
        gate(8, 0, 0xE, 0, 1, false);
        Cpu before = c;
        long rip = c.state.rip, rsp = c.gpr[CpuState.RSP];
        assertThrows(Interrupts.TripleFault.class,
                () -> Interrupts.deliver(before, 13, Interrupts.Kind.HARDWARE_EXCEPTION, 0, 0x40_0000));
        assertEquals(rip, c.state.rip, "nothing delivered");
        assertEquals(rsp, c.gpr[CpuState.RSP]);
    }

    @Test
    void idtLimitAndBadGateTypes() {
        c.state.idtrLimit = 16 * 14 + 14; // entry 14 one byte short
        gate(13, 0xFFFF_8000_0000_2000L, 0xE, 0, 0, true);
        Interrupts.deliver(c, 14, Interrupts.Kind.HARDWARE_EXCEPTION, 0, 0x10);
        // #GP while delivering #PF: contributory after #PF is #DF.
        assertEquals(0xFFFF_8000_0000_3000L, c.state.rip);
        assertEquals(true, Interrupts.isDoubleFault(GuestFault.GP, GuestFault.NP));
        assertEquals(false, Interrupts.isDoubleFault(GuestFault.BP, GuestFault.GP));
        assertEquals(true, Interrupts.isDoubleFault(GuestFault.PF, GuestFault.PF));
        assertEquals(false, Interrupts.isDoubleFault(GuestFault.GP, GuestFault.PF));
    }
}
