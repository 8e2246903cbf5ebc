package org.jvmx.vmx.entry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.mem.PhysicalMemory;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.Vmcs;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * Injected events reach the guest handler with the right frame (SDM 27.6): #PF with its error
 * code, an external interrupt, a software interrupt (RIP + instruction length pushed); a fault
 * while delivering becomes #DF, and one more a triple fault.
 */
class EventInjectionTest {
    static final long GDT = 0x1000, IDT = 0x2000, TSS = 0x3000, STACK = 0x8000, GUEST_RIP = 0x40_0000;
    PhysicalMemory ram;
    Cpu cpu;
    Vmcs vmcs;

    void gate(int vector, long handler, int type, int dpl, boolean present) {
        long low = (handler & 0xFFFF) | 0x08L << 16 | (long) type << 40 | (long) dpl << 45 | (present ? 1L << 47 : 0)
                | ((handler >>> 16) & 0xFFFF) << 48;
        ram.write(IDT + 16L * vector, 8, low);
        ram.write(IDT + 16L * vector + 8, 8, handler >>> 32);
    }

    @BeforeEach
    void setUp() {
        ram = new PhysicalMemory();
        ram.addRam(0, 0x10_0000);
        ram.write(GDT + 8, 8, 0x00AF_9A00_0000_FFFFL);
        cpu = Cpu.flat64(ram, false);
        CpuState s = cpu.state;
        s.gdtrBase = GDT;
        s.gdtrLimit = 0xF;
        s.idtrBase = IDT;
        s.idtrLimit = 0xFFF;
        s.tr.set(0x10, TSS, 0x67, 0x8B);
        s.rip = GUEST_RIP;
        cpu.gpr[CpuState.RSP] = STACK;
        for (int v : new int[] {8, 13, 14, 0x20, 0x80}) gate(v, 0x10_0000L * (v + 1), 0xE, v == 0x80 ? 3 : 0, true);
        vmcs = new Vmcs(1);
    }

    @AfterEach
    void tearDown() {
        ram.close();
    }

    void event(int type, int vector, Integer errorCode, int length) {
        vmcs.write(VmcsFields.VM_ENTRY_INTERRUPTION_INFO, (Controls.INTR_INFO_VALID & 0xFFFF_FFFFL) | type << 8 | vector
                | (errorCode != null ? Controls.INTR_INFO_DELIVER_ERROR_CODE : 0));
        if (errorCode != null) vmcs.write(VmcsFields.VM_ENTRY_EXCEPTION_ERROR_CODE, errorCode);
        vmcs.write(VmcsFields.VM_ENTRY_INSTRUCTION_LENGTH, length);
    }

    long top(int k) {
        return ram.read(cpu.gpr[CpuState.RSP] + 8L * k, 8);
    }

    @Test
    void pageFaultWithErrorCode() {
        event(Controls.INTR_TYPE_HARDWARE_EXCEPTION, 14, 7, 0);
        assertEquals(EventInjection.Outcome.DELIVERED, EventInjection.inject(vmcs, cpu));
        assertEquals(0x10_0000L * 15, cpu.state.rip);
        assertEquals(STACK - 48, cpu.gpr[CpuState.RSP]);
        assertEquals(7, top(0), "error code");
        assertEquals(GUEST_RIP, top(1), "a hardware exception pushes RIP itself");
        assertEquals(0, vmcs.read(VmcsFields.VM_ENTRY_INTERRUPTION_INFO) >>> 31, "valid bit cleared");
        assertEquals(EventInjection.Outcome.NOTHING_TO_INJECT, EventInjection.inject(vmcs, cpu));
    }

    @Test
    void externalInterruptAndSoftwareInterrupt() {
        event(Controls.INTR_TYPE_EXTERNAL, 0x20, null, 0);
        EventInjection.inject(vmcs, cpu);
        assertEquals(0x10_0000L * 0x21, cpu.state.rip);
        assertEquals(GUEST_RIP, top(0));
        assertEquals(STACK - 40, cpu.gpr[CpuState.RSP]);
        setUp();
        event(Controls.INTR_TYPE_SOFTWARE_INTERRUPT, 0x80, null, 2);
        EventInjection.inject(vmcs, cpu);
        assertEquals(0x10_0000L * 0x81, cpu.state.rip);
        assertEquals(GUEST_RIP + 2, top(0), "INT n pushes the next instruction's RIP");
    }

    @Test
    void faultWhileDeliveringIsDoubleThenTriple() {
        gate(14, 0, 0xE, 0, false); // #NP delivering #PF: #DF
        event(Controls.INTR_TYPE_HARDWARE_EXCEPTION, 14, 2, 0);
        assertEquals(EventInjection.Outcome.DELIVERED, EventInjection.inject(vmcs, cpu));
        assertEquals(0x10_0000L * 9, cpu.state.rip, "the #DF handler");
        setUp();
        gate(14, 0, 0xE, 0, false);
        gate(8, 0, 0xE, 0, false);
        event(Controls.INTR_TYPE_HARDWARE_EXCEPTION, 14, 2, 0);
        assertEquals(EventInjection.Outcome.TRIPLE_FAULT, EventInjection.inject(vmcs, cpu));
        assertEquals(GUEST_RIP, cpu.state.rip, "nothing delivered");
    }
}
