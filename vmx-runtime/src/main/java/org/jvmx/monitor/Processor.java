package org.jvmx.monitor;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.jvmx.monitor.apic.IoApic;
import org.jvmx.monitor.apic.LocalApic;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vmx.entry.VmxCapabilityMsrs;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * One logical processor of the {@link Machine}: its vCPU, its local APIC and the monitor's
 * per-vCPU state, and the handling of that vCPU's VM exits ({@link #handle}), as a hypervisor
 * serves them: port I/O to the shared devices, the APIC page and MSRs, HLT (on a single-processor
 * machine the monitor waits for the next device event; with several, the vCPU waits in the HLT
 * activity state, so no monitor thread blocks), VMCALL hypercalls, CPUID and MSRs emulated by
 * the CPU model, INIT and SIPI ({@link ApStartup}). Before each entry ({@link #prepareEntry}) a pending interrupt is injected
 * (or an interrupt window requested) and the next timer deadline is armed as the
 * VMX-preemption timer.
 *
 * <p>Only the bootstrap processor takes the 8259's INTR (LINT0 in ExtINT mode, the MP
 * specification's virtual-wire mode) and polls the PC devices' timers; every processor polls
 * its own APIC timer.
 *
 * <p>One thread at a time runs a processor (its vCPU's loop); other processors reach it only
 * through its APIC and the vCPU's thread-safe event entry points (kick, NMI, INIT, SIPI).
 */
final class Processor {
    /** The last stretch before a device deadline is waited by spinning, so that timer interrupts are on time. */
    private static final long SPIN_NANOS = 100_000;

    final Machine machine;
    final Vcpu cpu;
    final LocalApic lapic;
    final boolean bsp;
    final PagingOffPhase pagingOff;
    final ApStartup startup;
    final Map<ExitReason, Long> exits = new EnumMap<>(ExitReason.class);
    /** The local APIC's page is served on EPT-violation exits (several vCPUs share its address). */
    final boolean apicByExits;
    private long armedDeadline = Long.MIN_VALUE;
    /**
     * Run by the machine's {@link org.jvmx.sched.Scheduler}: the scheduler owns the VMX-preemption
     * timer (time slices), so deadlines go to the machine's {@link DeadlineClock}, and HLT always
     * waits in the HLT activity state (a worker never sleeps inside one vCPU).
     */
    boolean scheduled;

    Processor(Machine machine, Vcpu cpu, LocalApic lapic, boolean bsp, boolean apicByExits) {
        this.machine = machine;
        this.cpu = cpu;
        this.lapic = lapic;
        this.bsp = bsp;
        this.apicByExits = apicByExits;
        this.pagingOff = new PagingOffPhase(cpu);
        this.startup = new ApStartup(this);
    }

    int apicId() {
        return cpu.id();
    }

    /**
     * Serves one VM exit of this processor's vCPU and prepares the next entry. Returns false
     * when the vCPU must not run again (the machine ends; {@link Machine#ending} says why).
     */
    boolean handle(VmExit x) {
        exits.merge(x.reason(), 1L, Long::sum);
        if (machine.ended()) return false;
        Machine.Result fatal = serve(x);
        if (fatal != null) {
            machine.end(fatal);
            return false;
        }
        if (machine.ended()) return false;
        prepareEntry();
        return true;
    }

    private Machine.Result serve(VmExit x) {
        if (x.entryFailure()) {
            return new Machine.Result(Machine.Ending.ENTRY_FAILURE, 1, "VM entry failed" + who() + ": " + x
                    + (cpu.failedEntryRule() == null ? "" : " (" + cpu.failedEntryRule() + ")"));
        }
        switch (x.reason()) {
            case IO_INSTRUCTION -> {
                if (x.ioString()) {
                    return unhandled("string I/O (INS/OUTS) is not served yet: " + x);
                }
                long mask = x.ioSize() == 8 ? -1L : (1L << 8 * x.ioSize()) - 1;
                if (x.ioIn()) {
                    long v = machine.portRead(x.ioPort(), x.ioSize()) & mask;
                    long rax = cpu.reg(Reg.RAX);
                    // IN AL/AX merges into RAX; IN EAX zero-extends (SDM IN, 64-bit mode).
                    cpu.setReg(Reg.RAX, x.ioSize() == 4 ? v : (rax & ~mask) | v);
                } else {
                    machine.portWrite(x.ioPort(), x.ioSize(), x.data() & mask);
                }
                cpu.skipInstruction();
            }
            case VMCALL -> {
                cpu.setReg(Reg.RAX, machine.hypercall(cpu, x.hypercall()));
                cpu.skipInstruction();
            }
            case HLT -> {
                cpu.skipInstruction();
                if (machine.cpuCount() == 1 && !scheduled) return waitForEvent();
                // With several processors the vCPU waits in the HLT activity state (SDM Vol. 3C
                // 25.4.2), woken in the runtime by an IPI's kick, an NMI, INIT, or the preemption
                // timer armed for its next timer deadline: no monitor thread blocks for it.
                cpu.vmwrite(VmcsFields.GUEST_ACTIVITY_STATE, Controls.ACTIVITY_HLT);
            }
            case RDMSR, WRMSR -> {
                boolean write = x.reason() == ExitReason.WRMSR;
                if (LocalApic.handlesMsr(x.msr())) apicMsr(x, write);
                else if (!pagingOff.msr(x, write)) cpu.emulateInstruction();
            }
            case CONTROL_REGISTER_ACCESS -> {
                if (!pagingOff.controlRegister(x)) return unhandled("unhandled " + x);
            }
            case CPUID, RDTSC, RDTSCP, RDPMC, INVD, WBINVD_WBNOINVD, XSETBV -> cpu.emulateInstruction();
            case EPT_VIOLATION -> {
                return mmioExit(x);
            }
            case EXTERNAL_INTERRUPT, PREEMPTION_TIMER_EXPIRED -> { } // a kick or a device deadline: poll
            case INTERRUPT_WINDOW -> cpu.vmwrite(VmcsFields.CPU_BASED_VM_EXEC_CONTROL,
                    cpu.vmread(VmcsFields.CPU_BASED_VM_EXEC_CONTROL) & ~Controls.PROC_INTERRUPT_WINDOW_EXITING);
            case INIT_SIGNAL -> startup.init();
            case STARTUP_IPI -> {
                return startup.sipi((int) x.qualification());
            }
            case TASK_SWITCH -> {
                return unhandled(String.format(
                        "hardware task switch to selector 0x%x at RIP 0x%x: not supported by jvmx's monitor",
                        x.qualification() & 0xFFFF, x.guestRip()));
            }
            case TRIPLE_FAULT -> {
                return new Machine.Result(Machine.Ending.TRIPLE_FAULT, 1, String.format(
                        "triple fault%s at RIP 0x%x: the guest could not deliver an exception", who(), x.guestRip()));
            }
            default -> {
                return unhandled("unhandled " + x);
            }
        }
        return null;
    }

    private Machine.Result unhandled(String detail) {
        return new Machine.Result(Machine.Ending.UNHANDLED_EXIT, 1, detail + who());
    }

    /** " on vCPU n" when the machine has several, for messages. */
    String who() {
        return machine.cpuCount() > 1 ? " on vCPU " + cpu.id() : "";
    }

    /**
     * An access to an MMIO exit region: the I/O APIC's page, or with several vCPUs this
     * processor's local APIC page (each vCPU reaches its own APIC at the one address, SDM Vol.
     * 3A 11.4.1). A read is answered (the instruction completes on the next run); a write was
     * posted and its instruction has completed. Code fetched from MMIO ends the run.
     */
    private Machine.Result mmioExit(VmExit x) {
        long gpa = x.gpa();
        long apicOff = gpa - lapic.mmioBase();
        boolean apic = apicByExits && apicOff >= 0 && apicOff < LocalApic.MMIO_SIZE;
        long off = apic ? apicOff : gpa - IoApic.DEFAULT_BASE;
        if (x.isFetch() || off < 0 || off >= IoApic.MMIO_SIZE) {
            return unhandled((x.isFetch() ? "the guest executes from MMIO: "
                    : "access to an MMIO exit region no device serves: ") + x);
        }
        if (x.isWrite()) {
            if (apic) lapic.write(off, x.size(), x.value());
            else machine.ioApic().write(off, x.size(), x.value());
        } else {
            long mask = x.size() == 8 ? -1L : (1L << 8 * x.size()) - 1;
            long v = apic ? lapic.read(off, x.size()) : machine.ioApic().read(off, x.size());
            cpu.completeMmioRead(v & mask);
        }
        return null;
    }

    // ---- before each entry

    /** Polls the timers, injects a pending interrupt (or asks for a window) and arms the preemption timer. */
    void prepareEntry() {
        long now = System.nanoTime();
        poll(now);
        injectInterrupt();
        armTimer(now);
    }

    private void poll(long now) {
        if (bsp) machine.pollPlatform(now);
        lapic.poll(now);
    }

    /** This processor's next timer deadline (its APIC's; the BSP's includes the PC devices'), or Long.MAX_VALUE. */
    long nextEventNanos() {
        return nextEvent();
    }

    private long nextEvent() {
        long own = lapic.nextEventNanos();
        return bsp ? Math.min(machine.platformNextEvent(), own) : own;
    }

    /** An interrupt for the CPU: from the local APIC, or (BSP) the 8259's INTR when it passes through LINT0. */
    private boolean interruptPending() {
        return lapic.hasInterrupt() || bsp && lapic.extIntEnabled() && machine.picHasInterrupt();
    }

    private int acknowledgeInterrupt() {
        return lapic.hasInterrupt() ? lapic.acknowledge() : machine.picAcknowledge();
    }

    /**
     * A device interrupt is pending (local APIC, or the PIC through it): inject it if the guest can take one now
     * (RFLAGS.IF = 1, no STI or MOV SS shadow, SDM Vol. 3C 27.6), else ask for an
     * interrupt-window exit (26.7.5) and inject then.
     */
    private void injectInterrupt() {
        if (!interruptPending()) return;
        if (cpu.vmread(VmcsFields.GUEST_ACTIVITY_STATE) == Controls.ACTIVITY_WAIT_FOR_SIPI) return; // blocked (27.6.2)
        boolean open = (cpu.vmread(VmcsFields.GUEST_RFLAGS) & 0x200) != 0
                && (cpu.vmread(VmcsFields.GUEST_INTERRUPTIBILITY_STATE) & 3) == 0;
        long proc = cpu.vmread(VmcsFields.CPU_BASED_VM_EXEC_CONTROL);
        if (open) {
            int vector = acknowledgeInterrupt();
            cpu.vmwrite(VmcsFields.VM_ENTRY_INTERRUPTION_INFO, (vector | Controls.INTR_INFO_VALID) & 0xFFFF_FFFFL);
            if ((proc & Controls.PROC_INTERRUPT_WINDOW_EXITING) != 0) {
                cpu.vmwrite(VmcsFields.CPU_BASED_VM_EXEC_CONTROL, proc & ~Controls.PROC_INTERRUPT_WINDOW_EXITING);
            }
        } else if ((proc & Controls.PROC_INTERRUPT_WINDOW_EXITING) == 0) {
            cpu.vmwrite(VmcsFields.CPU_BASED_VM_EXEC_CONTROL, proc | Controls.PROC_INTERRUPT_WINDOW_EXITING);
        }
    }

    /** Arms the VMX-preemption timer for the next device deadline (when it changed). */
    private void armTimer(long now) {
        long next = nextEvent();
        if (next == armedDeadline) return;
        armedDeadline = next;
        if (scheduled) {
            machine.deadlineChanged();
            return;
        }
        long pin = cpu.vmread(VmcsFields.PIN_BASED_VM_EXEC_CONTROL);
        long exit = cpu.vmread(VmcsFields.VM_EXIT_CONTROLS);
        // The remaining count is saved on every exit ("save VMX-preemption timer value", allowed
        // only with the timer active, 27.2.1.2), so the deadline holds across exits.
        if (next == Long.MAX_VALUE) {
            cpu.vmwrite(VmcsFields.VM_EXIT_CONTROLS, exit & ~Controls.EXIT_SAVE_PREEMPTION_TIMER);
            cpu.vmwrite(VmcsFields.PIN_BASED_VM_EXEC_CONTROL, pin & ~Controls.PIN_PREEMPTION_TIMER);
            return;
        }
        long ticks = Math.max(0, next - now) >>> VmxCapabilityMsrs.PREEMPTION_TIMER_RATE;
        cpu.vmwrite(VmcsFields.VMX_PREEMPTION_TIMER_VALUE, Math.min(ticks, 0xFFFF_FFFFL));
        cpu.vmwrite(VmcsFields.PIN_BASED_VM_EXEC_CONTROL, pin | Controls.PIN_PREEMPTION_TIMER);
        cpu.vmwrite(VmcsFields.VM_EXIT_CONTROLS, exit | Controls.EXIT_SAVE_PREEMPTION_TIMER);
    }

    /**
     * After HLT on a single-processor machine: sleep until a device raises an interrupt the
     * guest can take, or the machine ends (a halt with interrupts off and no event to come ends it).
     */
    private Machine.Result waitForEvent() {
        while (true) {
            if (machine.ended()) return null;
            long now = System.nanoTime();
            poll(now);
            if (interruptPending()) return null;
            long next = nextEvent();
            boolean interruptsOn = (cpu.vmread(VmcsFields.GUEST_RFLAGS) & 0x200) != 0;
            if (next == Long.MAX_VALUE && !interruptsOn) {
                return new Machine.Result(Machine.Ending.HALTED, 1, String.format(
                        "the guest halted with interrupts disabled at RIP 0x%x", cpu.vmread(VmcsFields.GUEST_RIP)));
            }
            if (next == Long.MAX_VALUE) {
                LockSupport.parkNanos(this, 10_000_000L);
            } else if (next - now > SPIN_NANOS) {
                LockSupport.parkNanos(this, next - now - SPIN_NANOS); // the OS wakes us late by tens of µs
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** IA32_APIC_BASE, the TSC deadline and the x2APIC MSRs, served by the local APIC model; #GP where it refuses. */
    private void apicMsr(VmExit x, boolean write) {
        boolean ok;
        if (write) {
            ok = lapic.writeMsr(x.msr(), x.data());
        } else {
            var v = lapic.readMsr(x.msr());
            ok = v.isPresent();
            if (ok) {
                cpu.setReg(Reg.RAX, v.getAsLong() & 0xFFFF_FFFFL);
                cpu.setReg(Reg.RDX, v.getAsLong() >>> 32);
            }
        }
        if (ok) {
            cpu.skipInstruction();
        } else { // #GP(0) at the instruction (SDM WRMSR/RDMSR), injected on the next entry
            injectGeneralProtection();
        }
    }

    void injectGeneralProtection() {
        cpu.vmwrite(VmcsFields.VM_ENTRY_INTERRUPTION_INFO, (13 | Controls.INTR_TYPE_HARDWARE_EXCEPTION << 8
                | Controls.INTR_INFO_DELIVER_ERROR_CODE | Controls.INTR_INFO_VALID) & 0xFFFF_FFFFL);
        cpu.vmwrite(VmcsFields.VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
    }
}
