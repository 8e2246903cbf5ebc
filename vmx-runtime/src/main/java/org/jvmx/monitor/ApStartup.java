package org.jvmx.monitor;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Exit;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * INIT and start-up IPIs for one processor, as a hypervisor serves them under VT-x (SDM Vol. 3C
 * 26.2, 27.6.2; the MP start-up algorithm, Vol. 3A 9.4.4): an application processor waits in
 * the wait-for-SIPI activity state; an INIT exit puts a running vCPU back in it; a SIPI exit
 * (qualification = vector) starts it in real-address mode at CS = vector × 100H (base vector ×
 * 1000H), IP = 0, in the state INIT leaves (Vol. 3A 10.1.1, Table 10-1).
 *
 * <p>VM entry refuses real mode without "unrestricted guest" (27.3.1.1: CR0.PE must be 1),
 * which needs EPT, so the monitor emulates the real-mode start-up code itself, instruction by
 * instruction on the vCPU's own CPU ({@link org.jvmx.vm.Vcpu#emulate}), as hypervisors did
 * before unrestricted guests, until the code has set CR0.PE and loaded a protected-mode CS with a
 * far jump. Then the vCPU is entered: with paging still off through the {@link PagingOffPhase},
 * as the BSP's Multiboot entry; with paging on (a direct switch to long mode) as it is.
 */
final class ApStartup {
    /** Real-mode instructions emulated at most before the start-up code must be in protected mode. */
    static final long REAL_MODE_LIMIT = 1_000_000;
    private static final long CR4_VMXE = 1L << 13;

    private final Processor p;
    private boolean started;

    ApStartup(Processor p) {
        this.p = p;
    }

    /** Before the first entry of an application processor: it waits for a SIPI (27.6.2). */
    void waitForSipi() {
        p.cpu.vmwrite(VmcsFields.GUEST_ACTIVITY_STATE, Controls.ACTIVITY_WAIT_FOR_SIPI);
        started = false;
    }

    /** An INIT exit: the processor's APIC is reset and the vCPU waits for a SIPI again (Vol. 3A 11.4.7.3). */
    void init() {
        p.lapic.reset();
        waitForSipi();
    }

    /**
     * A SIPI exit with {@code vector}: the vCPU starts in real mode at vector:0000 and its
     * start-up code is emulated into protected mode; null on success, else how the machine ends.
     * A second SIPI of the INIT-SIPI-SIPI sequence never reaches here: the vCPU is no longer
     * in wait-for-SIPI, so it is discarded by the runtime (27.6.2).
     */
    Machine.Result sipi(int vector) {
        if (started) return null;
        started = true;
        Cpu c = p.cpu.cpu();
        resetToRealMode(c.state, vector);
        c.refreshMode();
        c.memory.tlb().setState(c.state.pagingState());
        c.memory.tlb().flushAll();
        int realCs = vector << 8;
        Exit e = p.cpu.emulate(x -> x.state.protectedMode()
                && (x.state.cs.selector() != realCs || x.state.cs.base() != (long) realCs << 4), REAL_MODE_LIMIT);
        CpuState s = c.state;
        String at = String.format("%04x:%04x", s.cs.selector(), s.rip & 0xFFFF);
        if (e != null) {
            return fail(e.kind() == Exit.Kind.FAULT ? "exception " + e.vector() + " in its real-mode start-up code at " + at
                    : "its real-mode start-up code stopped (" + e + ") at " + at);
        }
        if (!s.protectedMode()) return fail("still in real mode after " + REAL_MODE_LIMIT + " instructions, at " + at);
        // The guest sees the CR4 it set; VMXE is the monitor's (fixed to 1 in VMX operation, A.8).
        p.cpu.vmwrite(VmcsFields.CR4_READ_SHADOW, s.cr4 & ~CR4_VMXE);
        p.cpu.vmwrite(VmcsFields.CR4_GUEST_HOST_MASK, CR4_VMXE);
        p.cpu.vmwrite(VmcsFields.CR0_READ_SHADOW, s.cr0);
        if ((s.cr0 & CpuState.CR0_PG) == 0) {
            p.pagingOff.begin(p.machine.identityCr3());
        } else {
            long entry = p.cpu.vmread(VmcsFields.VM_ENTRY_CONTROLS);
            p.cpu.vmwrite(VmcsFields.VM_ENTRY_CONTROLS, s.longMode() ? entry | Controls.ENTRY_IA32E_MODE_GUEST
                    : entry & ~Controls.ENTRY_IA32E_MODE_GUEST);
        }
        return null;
    }

    private Machine.Result fail(String what) {
        return new Machine.Result(Machine.Ending.UNHANDLED_EXIT, 1, "application processor " + p.apicId() + ": " + what);
    }

    /**
     * The register state after INIT (SDM Vol. 3A 10.1.1, Table 10-1: {@link CpuState#init})
     * with the SIPI's code segment and IP = 0 (9.4.4). CR4 keeps VMXE, the monitor's bit (see {@link #sipi}).
     */
    private static void resetToRealMode(CpuState s, int vector) {
        s.init();
        s.cr4 = CR4_VMXE;
        s.rip = 0;
        s.cs.set(vector << 8, (long) vector << 12, 0xFFFF, 0x9B);
        s.nmiBlocked = false;
    }
}
