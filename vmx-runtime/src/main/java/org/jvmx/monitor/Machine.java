package org.jvmx.monitor;

import java.time.Clock;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.jvmx.monitor.apic.IoApic;
import org.jvmx.monitor.apic.IpiSink;
import org.jvmx.monitor.apic.LocalApic;
import org.jvmx.monitor.devices.PcPlatform;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.ExecStats;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vm.Vm;
import org.jvmx.vmx.entry.VmxCapabilityMsrs;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * A PC for one guest kernel: guest RAM, one vCPU, the PC devices ({@link PcPlatform}: PIC,
 * PIT, 16550A UART on COM1, CMOS RTC, i8042, debug-exit port), and the monitor's run loop that
 * serves the vCPU's VM exits as a hypervisor's does: port I/O to the devices, HLT by waiting for
 * the next device event, VMCALL hypercalls ({@link Hypercalls}), CPUID and MSR accesses emulated
 * by the CPU model. Device interrupts reach the guest by event injection when it can take them
 * (else an interrupt-window exit asks for the moment it can), and the PIT's next deadline is
 * armed as the VMX-preemption timer, so a guest spinning without exits still gets its ticks.
 */
public final class Machine implements AutoCloseable {
    /** How a run ended. */
    public enum Ending {
        /** The guest wrote the debug-exit port: {@link Result#status()} = (value << 1) | 1. */
        DEBUG_EXIT,
        /** The guest reset the machine (i8042 command 0xFE or port 0x92). */
        RESET,
        /** A triple fault shut the processor down. */
        TRIPLE_FAULT,
        /** VM entry failed (the guest state the loader or the guest produced is invalid). */
        ENTRY_FAILURE,
        /** The guest halted with interrupts disabled and no event can wake it. */
        HALTED,
        /** The monitor was asked to stop ({@link #requestStop()}, Ctrl-C). */
        STOPPED,
        /** A VM exit the monitor does not serve (its reason in the detail). */
        UNHANDLED_EXIT
    }

    /** The end of a run: how, the status for the process, and a one-line description. */
    public record Result(Ending ending, int status, String detail) {
    }

    private final Vm vm;
    private final Vcpu cpu;
    private final LocalApic lapic;
    private final IoApic ioapic;
    private final long ramBytes;
    private final PagingOffPhase pagingOff;
    private final PcPlatform pc;
    private final IntConsumer console;
    private final Map<ExitReason, Long> exits = new EnumMap<>(ExitReason.class);
    private volatile boolean stopRequested;
    /** The debug-exit status the guest produced, or null. */
    private volatile Long exitStatus;
    private volatile boolean reset;
    private long startNanos;
    private long firstOutputNanos = -1;
    private long runNanos;
    private long armedDeadline = Long.MIN_VALUE;
    /** The last stretch before a device deadline is waited by spinning, so that timer interrupts are on time. */
    private static final long SPIN_NANOS = 100_000;

    /**
     * @param ramBytes guest RAM at guest-physical 0
     * @param console  receives every byte the guest writes to COM1
     */
    public Machine(long ramBytes, IntConsumer console) {
        this(ramBytes, console, Engine.Tier.MIXED);
    }

    /** As {@link #Machine(long, IntConsumer)}, running guest code in {@code tier}. */
    public Machine(long ramBytes, IntConsumer console, Engine.Tier tier) {
        this.console = console;
        this.vm = Vm.create();
        vm.setTier(tier);
        vm.addRam(0, ramBytes);
        this.pc = new PcPlatform(System::nanoTime, Clock.systemDefaultZone(), this::serialOut,
                () -> reset = true, status -> exitStatus = status);
        pc.rtc().setMemorySize(Math.min(ramBytes, 0xE000_0000L), Math.max(0, ramBytes - 0xE000_0000L));
        this.cpu = vm.createVcpu();
        // The local APIC (xAPIC page and x2APIC MSRs) is served in the runtime, where its speed
        // matters; the I/O APIC is reached through EPT-violation exits (mmioExit), as on hardware.
        this.lapic = new LocalApic(0, true, System::nanoTime, IpiSink.NONE);
        this.ioapic = new IoApic(lapic);
        vm.addMmio(lapic.mmioBase(), LocalApic.MMIO_SIZE, lapic);
        vm.addMmioExit(IoApic.DEFAULT_BASE, IoApic.MMIO_SIZE);
        // What firmware leaves: the APIC software-enabled in virtual-wire mode, the 8259's INTR
        // through LINT0 as ExtINT and NMI on LINT1 (SDM Vol. 3A, 11.4.7; MP spec 3.6.2.2).
        lapic.write(0xF0, 4, 0x1FF);
        lapic.write(0x350, 4, 0x700);
        lapic.write(0x360, 4, 0x400);
        this.ramBytes = ramBytes;
        this.pagingOff = new PagingOffPhase(cpu);
    }

    /** RAM at the top the monitor keeps for itself (identity page tables of a paging-off phase); the guest is told of the rest. */
    public static final long MONITOR_RESERVED = 64 << 10;

    /**
     * Loads a kernel image (Multiboot or ELF64) into guest RAM below the monitor's reserved
     * pages and sets the vCPU to its initial state; see {@link #boot}.
     */
    public org.jvmx.monitor.loader.LoadedKernel load(String source, byte[] image, String cmdline,
            java.util.List<org.jvmx.monitor.loader.BootModule> modules) throws org.jvmx.monitor.loader.LoaderException {
        var k = org.jvmx.monitor.loader.KernelLoader.load(vm, ramBytes - MONITOR_RESERVED, source, image, cmdline, modules);
        boot(k);
        return k;
    }

    /**
     * Sets the vCPU to the state the loader prepared. A Multiboot kernel starts in 32-bit
     * protected mode with paging off, run through {@link PagingOffPhase} on identity tables the
     * monitor puts in its reserved pages at the top of RAM (covering the first 4 GiB, or all of RAM).
     */
    public void boot(org.jvmx.monitor.loader.LoadedKernel kernel) {
        kernel.state().writeTo(cpu);
        if (!kernel.state().longMode()) {
            long mapped = Math.max(ramBytes, 4L << 30);
            long pages = 2 + ((mapped + (1L << 30) - 1) >>> 30);
            if (pages * 4096 > MONITOR_RESERVED) throw new IllegalStateException("RAM too large for the monitor's tables");
            pagingOff.begin(vm, ramBytes - MONITOR_RESERVED, mapped);
        }
    }

    public Vm vm() {
        return vm;
    }

    public Vcpu cpu() {
        return cpu;
    }

    public PcPlatform platform() {
        return pc;
    }

    private void serialOut(int b) {
        if (firstOutputNanos < 0) firstOutputNanos = System.nanoTime();
        console.accept(b);
    }

    /** Bytes typed on the console: they arrive at COM1's receiver (any thread). */
    public void input(byte[] bytes, int length) {
        pc.com1().receive(java.util.Arrays.copyOf(bytes, length));
        cpu.kick(); // the run loop polls the devices and injects the UART's interrupt
    }

    /** Asks the run loop to stop at the next VM exit (any thread; used for Ctrl-C). */
    public void requestStop() {
        stopRequested = true;
        cpu.kick();
    }

    /** Runs the guest from the state the loader set until it ends. */
    public Result run() {
        startNanos = System.nanoTime();
        try {
            return loop();
        } finally {
            runNanos = System.nanoTime() - startNanos;
        }
    }

    private Result loop() {
        while (true) {
            Result r = ending();
            if (r != null) return r;
            long now = System.nanoTime();
            pollDevices(now);
            injectInterrupt();
            armTimer(now);
            VmExit x = cpu.run();
            exits.merge(x.reason(), 1L, Long::sum);
            if (x.entryFailure()) {
                return new Result(Ending.ENTRY_FAILURE, 1, "VM entry failed: " + x
                        + (cpu.failedEntryRule() == null ? "" : " (" + cpu.failedEntryRule() + ")"));
            }
            switch (x.reason()) {
                case IO_INSTRUCTION -> {
                    if (x.ioString()) {
                        return new Result(Ending.UNHANDLED_EXIT, 1, "string I/O (INS/OUTS) is not served yet: " + x);
                    }
                    long mask = x.ioSize() == 8 ? -1L : (1L << 8 * x.ioSize()) - 1;
                    if (x.ioIn()) {
                        long v = pc.bus().read(x.ioPort(), x.ioSize()) & mask;
                        long rax = cpu.reg(Reg.RAX);
                        // IN AL/AX merges into RAX; IN EAX zero-extends (SDM IN, 64-bit mode).
                        cpu.setReg(Reg.RAX, x.ioSize() == 4 ? v : (rax & ~mask) | v);
                    } else {
                        pc.bus().write(x.ioPort(), x.ioSize(), x.data() & mask);
                    }
                    cpu.skipInstruction();
                }
                case VMCALL -> {
                    cpu.setReg(Reg.RAX, hypercall(x.hypercall()));
                    cpu.skipInstruction();
                }
                case HLT -> {
                    cpu.skipInstruction();
                    Result halted = waitForEvent();
                    if (halted != null) return halted;
                }
                case RDMSR, WRMSR -> {
                    boolean write = x.reason() == ExitReason.WRMSR;
                    if (LocalApic.handlesMsr(x.msr())) apicMsr(x, write);
                    else if (!pagingOff.msr(x, write)) cpu.emulateInstruction();
                }
                case CONTROL_REGISTER_ACCESS -> {
                    if (!pagingOff.controlRegister(x)) {
                        return new Result(Ending.UNHANDLED_EXIT, 1, "unhandled " + x);
                    }
                }
                case CPUID, RDTSC, RDTSCP, RDPMC, INVD, WBINVD_WBNOINVD, XSETBV -> cpu.emulateInstruction();
                case EPT_VIOLATION -> {
                    Result refused = mmioExit(x);
                    if (refused != null) return refused;
                }
                case EXTERNAL_INTERRUPT, PREEMPTION_TIMER_EXPIRED -> { } // a kick or a device deadline: poll
                case INTERRUPT_WINDOW -> cpu.vmwrite(VmcsFields.CPU_BASED_VM_EXEC_CONTROL,
                        cpu.vmread(VmcsFields.CPU_BASED_VM_EXEC_CONTROL) & ~Controls.PROC_INTERRUPT_WINDOW_EXITING);
                case TASK_SWITCH -> {
                    return new Result(Ending.UNHANDLED_EXIT, 1, String.format(
                            "hardware task switch to selector 0x%x at RIP 0x%x: not supported by jvmx's monitor",
                            x.qualification() & 0xFFFF, x.guestRip()));
                }
                case TRIPLE_FAULT -> {
                    return new Result(Ending.TRIPLE_FAULT, 1, String.format(
                            "triple fault at RIP 0x%x: the guest could not deliver an exception", x.guestRip()));
                }
                default -> {
                    return new Result(Ending.UNHANDLED_EXIT, 1, "unhandled " + x);
                }
            }
        }
    }

    /**
     * An access to an MMIO exit region: the I/O APIC's page. A read is answered (the instruction
     * completes on the next run); a write was posted and its instruction has completed. Code
     * fetched from MMIO ends the run.
     */
    private Result mmioExit(VmExit x) {
        long off = x.gpa() - IoApic.DEFAULT_BASE;
        if (x.isFetch() || off < 0 || off >= IoApic.MMIO_SIZE) {
            return new Result(Ending.UNHANDLED_EXIT, 1, (x.isFetch() ? "the guest executes from MMIO: "
                    : "access to an MMIO exit region no device serves: ") + x);
        }
        if (x.isWrite()) {
            ioapic.write(off, x.size(), x.value());
        } else {
            long mask = x.size() == 8 ? -1L : (1L << 8 * x.size()) - 1;
            cpu.completeMmioRead(ioapic.read(off, x.size()) & mask);
        }
        return null;
    }

    private Result ending() {
        Long status = exitStatus;
        if (status != null) {
            return new Result(Ending.DEBUG_EXIT, (int) (long) status, "the guest exited with status " + status);
        }
        if (reset) return new Result(Ending.RESET, 0, "the guest reset the machine");
        if (stopRequested) return new Result(Ending.STOPPED, 130, "stopped");
        return null;
    }

    private void pollDevices(long now) {
        pc.poll(now);
        lapic.poll(now);
    }

    private long nextEvent() {
        return Math.min(pc.nextEventNanos(), lapic.nextEventNanos());
    }

    /** An interrupt for the CPU: from the local APIC, or the 8259's INTR when it passes through LINT0. */
    private boolean interruptPending() {
        return lapic.hasInterrupt() || lapic.extIntEnabled() && pc.pic().hasInterrupt();
    }

    private int acknowledgeInterrupt() {
        return lapic.hasInterrupt() ? lapic.acknowledge() : pc.pic().acknowledge();
    }

    /**
     * A device interrupt is pending (local APIC, or the PIC through it): inject it if the guest can take one now
     * (RFLAGS.IF = 1, no STI or MOV SS shadow, SDM Vol. 3C 27.6), else ask for an
     * interrupt-window exit (26.7.5) and inject then.
     */
    private void injectInterrupt() {
        if (!interruptPending()) return;
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

    /** After HLT: sleep until a device raises an interrupt the guest can take, or the machine ends. */
    private Result waitForEvent() {
        while (true) {
            Result r = ending();
            if (r != null) return r;
            long now = System.nanoTime();
            pollDevices(now);
            if (interruptPending()) return null;
            long next = nextEvent();
            boolean interruptsOn = (cpu.vmread(VmcsFields.GUEST_RFLAGS) & 0x200) != 0;
            if (next == Long.MAX_VALUE && !interruptsOn) {
                return new Result(Ending.HALTED, 1, String.format(
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
            cpu.vmwrite(VmcsFields.VM_ENTRY_INTERRUPTION_INFO, (13 | Controls.INTR_TYPE_HARDWARE_EXCEPTION << 8
                    | Controls.INTR_INFO_DELIVER_ERROR_CODE | Controls.INTR_INFO_VALID) & 0xFFFF_FFFFL);
            cpu.vmwrite(VmcsFields.VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
        }
    }

    /** The local APIC of the vCPU. */
    public LocalApic localApic() {
        return lapic;
    }

    private long hypercall(long number) {
        switch ((int) number) {
            case Hypercalls.VERSION -> {
                return 1;
            }
            case Hypercalls.PRINT -> {
                long at = cpu.reg(Reg.RBX), n = cpu.reg(Reg.RCX);
                if (n < 0 || n > Hypercalls.MAX_PRINT) return Hypercalls.INVALID;
                for (byte b : vm.read(at, (int) n)) serialOut(b & 0xFF);
                return n;
            }
            default -> {
                return Hypercalls.UNKNOWN;
            }
        }
    }

    /** The statistics of the run: VM exits by reason, instructions by tier, translation, speed. */
    public String stats() {
        ExecStats s = cpu.stats();
        StringBuilder b = new StringBuilder();
        double seconds = runNanos / 1e9;
        b.append(String.format(Locale.ROOT, "stats: %d instructions (%d interpreted, %d compiled) in %.3f s, %.1f MIPS%n",
                s.instructions(), s.interpreted, s.compiled, seconds, seconds > 0 ? s.instructions() / seconds / 1e6 : 0));
        b.append(String.format("stats: %d blocks decoded, %d compiled in %d regions, %d invalidated by guest writes%n",
                s.blocksDecoded, s.blocksCompiled, s.regionsCompiled, s.codeInvalidations));
        long total = exits.values().stream().mapToLong(Long::longValue).sum();
        b.append("stats: ").append(total).append(" VM exits:");
        exits.forEach((r, n) -> b.append(' ').append(r).append('=').append(n));
        b.append(System.lineSeparator());
        if (firstOutputNanos >= 0) {
            b.append(String.format(Locale.ROOT, "stats: first serial output %.1f ms after the guest started%n",
                    (firstOutputNanos - startNanos) / 1e6));
        }
        if (!pc.bus().unknownPortCounts().isEmpty()) {
            b.append("stats: unknown I/O ports (accesses): ").append(pc.bus().unknownPortCounts()).append(System.lineSeparator());
        }
        if (!s.unimplementedCounts().isEmpty()) {
            b.append("stats: unimplemented instructions met (each raised #UD): ").append(s.unimplementedCounts())
                    .append(System.lineSeparator());
        }
        return b.toString();
    }

    /** VM exits by reason so far. */
    public Map<ExitReason, Long> exitCounts() {
        return Map.copyOf(exits);
    }

    @Override
    public void close() {
        vm.close();
    }
}
