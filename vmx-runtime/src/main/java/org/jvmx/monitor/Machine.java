package org.jvmx.monitor;

import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.ExitReason;

/**
 * A PC for one guest kernel: guest RAM, one or more vCPUs each with its local APIC
 * ({@link Processor}), the shared PC devices ({@link PcPlatform}: PIC, PIT, 16550A UART on COM1,
 * CMOS RTC, i8042, debug-exit port; an I/O APIC), and the monitor that serves each vCPU's VM
 * exits as a hypervisor's does ({@link #handle}): port I/O to the devices, HLT, VMCALL
 * hypercalls ({@link Hypercalls}), CPUID and MSR accesses emulated by the CPU model, INIT and
 * SIPI. Device interrupts reach the guest by event injection when it can take them (else an
 * interrupt-window exit asks for the moment it can), and the next timer deadline is armed as
 * the VMX-preemption timer, so a guest spinning without exits still gets its ticks.
 *
 * <p>Processor 0 is the bootstrap processor (APIC ID 0), started in the state the loader sets;
 * the application processors (APIC IDs 1..n-1) wait for INIT-SIPI-SIPI from it ({@link ApStartup}),
 * and IPIs travel between the APICs through an {@link IpiRouter}. With several vCPUs (or when
 * {@link #setWorkers} asks for it) the vCPUs run on an {@link org.jvmx.sched.Scheduler}'s worker
 * threads — physical cores with their own host state, vCPUs migrating between them as on
 * hardware — and a {@link DeadlineClock} kicks a vCPU at its device deadlines; a single vCPU
 * otherwise runs its loop ({@link org.jvmx.sched.ExitHandler#runOnCallingThread}) on the calling thread. The machine ends when the
 * BSP's handling ends (the guest exits, resets, or fails), and the other vCPUs are stopped then.
 * A failure of any vCPU (triple fault, unhandled exit) ends the machine too.
 *
 * <p>The local APIC page is at one guest-physical address for every processor, but each must
 * reach its own APIC (SDM Vol. 3A 11.4.1). With one vCPU it is served in the runtime, in the
 * middle of the instruction (the fastest path); with several, the page is an MMIO exit region
 * and each vCPU's EPT-violation exits are served by its own {@link Processor} with its own APIC,
 * as a hypervisor without APIC virtualization does. x2APIC MSRs exit per vCPU in both cases.
 *
 * <p>The shared devices are thread-safe through one lock (the platform's): port I/O, device
 * polling and the PIC's acknowledge from any vCPU are serialized, and so is the console: bytes
 * from concurrent vCPUs never interleave inside one OUT or one hypercall's string.
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
    private final int cpuCount;
    private final List<Processor> processors = new ArrayList<>();
    private final IoApic ioapic;
    private final long ramBytes;
    private final PcPlatform pc;
    /** Guards the shared devices and the console. */
    private final Object platformLock = new Object();
    private final IntConsumer console;
    private volatile boolean stopRequested;
    /** The debug-exit status the guest produced, or null. */
    private volatile Long exitStatus;
    private volatile boolean reset;
    /** A vCPU's failure that ended the machine (the first one), or null. */
    private volatile Result failure;
    /** CR3 of the monitor's identity page directory for paging-off phases, built once; -1 before. */
    private long identityCr3 = -1;
    private long startNanos;
    private long firstOutputNanos = -1;
    private long runNanos;

    /** The most vCPUs a machine has (xAPIC physical IDs 0..254, 0xFF being the broadcast). */
    public static final int MAX_CPUS = 255;

    /**
     * @param ramBytes guest RAM at guest-physical 0
     * @param console  receives every byte the guest writes to COM1
     */
    public Machine(long ramBytes, IntConsumer console) {
        this(ramBytes, console, Engine.Tier.MIXED);
    }

    /** As {@link #Machine(long, IntConsumer)}, running guest code in {@code tier}. */
    public Machine(long ramBytes, IntConsumer console, Engine.Tier tier) {
        this(ramBytes, console, tier, 1);
    }

    /** As {@link #Machine(long, IntConsumer, Engine.Tier)}, with {@code cpus} vCPUs (1..{@link #MAX_CPUS}). */
    public Machine(long ramBytes, IntConsumer console, Engine.Tier tier, int cpus) {
        if (cpus < 1 || cpus > MAX_CPUS) throw new IllegalArgumentException("vCPUs 1.." + MAX_CPUS + ": " + cpus);
        this.console = console;
        this.cpuCount = cpus;
        this.vm = Vm.create();
        vm.setTier(tier);
        vm.addRam(0, ramBytes);
        this.pc = new PcPlatform(System::nanoTime, Clock.systemDefaultZone(), this::serialOut,
                () -> reset = true, status -> exitStatus = status);
        pc.rtc().setMemorySize(Math.min(ramBytes, 0xE000_0000L), Math.max(0, ramBytes - 0xE000_0000L));
        IpiRouter router = new IpiRouter();
        boolean apicByExits = cpus > 1;
        for (int i = 0; i < cpus; i++) {
            Vcpu v = vm.createVcpu();
            v.cpu().cpuid = vm.cpuid().withInitialApicId(i); // CPUID.1:EBX[31:24] = the APIC ID
            LocalApic apic = new LocalApic(i, i == 0, System::nanoTime, cpus == 1 ? IpiSink.NONE : router);
            processors.add(new Processor(this, v, apic, i == 0, apicByExits));
        }
        router.connect(processors);
        LocalApic lapic = processors.get(0).lapic;
        this.ioapic = new IoApic(processors.stream().map(p -> p.lapic).toList());
        // A device interrupt accepted by an APIC wakes its vCPU (which may wait in the HLT state).
        if (cpus > 1) ioapic.onAccepted(i -> processors.get(i).cpu.kick());
        if (apicByExits) {
            vm.addMmioExit(LocalApic.DEFAULT_BASE, LocalApic.MMIO_SIZE);
        } else {
            // The local APIC (xAPIC page and x2APIC MSRs) is served in the runtime, where its speed
            // matters; the I/O APIC is reached through EPT-violation exits (mmioExit), as on hardware.
            vm.addMmio(lapic.mmioBase(), LocalApic.MMIO_SIZE, lapic);
        }
        vm.addMmioExit(IoApic.DEFAULT_BASE, IoApic.MMIO_SIZE);
        // What firmware leaves: the BSP's APIC software-enabled in virtual-wire mode, the 8259's INTR
        // through LINT0 as ExtINT and NMI on LINT1 (SDM Vol. 3A, 11.4.7; MP spec 3.6.2.2). The APs'
        // APICs stay as INIT leaves them (software-disabled, LVTs masked) until their own code sets them.
        lapic.write(0xF0, 4, 0x1FF);
        lapic.write(0x350, 4, 0x700);
        lapic.write(0x360, 4, 0x400);
        for (int i = 1; i < cpus; i++) processors.get(i).startup.waitForSipi();
        this.ramBytes = ramBytes;
    }

    /** RAM at the top the monitor keeps for itself (the identity page directory of paging-off phases); the guest is told of the rest. */
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
     * Sets the bootstrap processor to the state the loader prepared. A Multiboot kernel starts in 32-bit
     * protected mode with paging off, run through {@link PagingOffPhase} on an identity page directory
     * the monitor puts in its reserved pages at the top of RAM (covering the 4 GiB).
     */
    public void boot(org.jvmx.monitor.loader.LoadedKernel kernel) {
        Processor bsp = processors.get(0);
        kernel.state().writeTo(bsp.cpu);
        if (!kernel.state().longMode()) bsp.pagingOff.begin(identityCr3());
    }

    /** The identity page directory of paging-off phases (every processor's), built on first use. */
    synchronized long identityCr3() {
        if (identityCr3 < 0) identityCr3 = PagingOffPhase.identityDirectory(vm, ramBytes - MONITOR_RESERVED);
        return identityCr3;
    }

    public Vm vm() {
        return vm;
    }

    /** The bootstrap processor's vCPU. */
    public Vcpu cpu() {
        return processors.get(0).cpu;
    }

    /** The vCPU with APIC ID {@code index}. */
    public Vcpu cpu(int index) {
        return processors.get(index).cpu;
    }

    public int cpuCount() {
        return cpuCount;
    }

    public PcPlatform platform() {
        return pc;
    }

    IoApic ioApic() {
        return ioapic;
    }

    private void serialOut(int b) {
        synchronized (platformLock) {
            if (firstOutputNanos < 0) firstOutputNanos = System.nanoTime();
            console.accept(b);
        }
    }

    // ---- the shared devices, one vCPU at a time

    long portRead(int port, int size) {
        synchronized (platformLock) {
            return pc.bus().read(port, size);
        }
    }

    void portWrite(int port, int size, long value) {
        synchronized (platformLock) {
            pc.bus().write(port, size, value);
        }
    }

    void pollPlatform(long now) {
        synchronized (platformLock) {
            pc.poll(now);
        }
    }

    long platformNextEvent() {
        synchronized (platformLock) {
            return pc.nextEventNanos();
        }
    }

    boolean picHasInterrupt() {
        synchronized (platformLock) {
            return pc.pic().hasInterrupt();
        }
    }

    int picAcknowledge() {
        synchronized (platformLock) {
            return pc.pic().acknowledge();
        }
    }

    /** Bytes typed on the console: they arrive at COM1's receiver (any thread). */
    public void input(byte[] bytes, int length) {
        synchronized (platformLock) {
            pc.com1().receive(java.util.Arrays.copyOf(bytes, length));
        }
        cpu().kick(); // the BSP's loop polls the devices and injects the UART's interrupt
    }

    /** Asks the run loop to stop at the next VM exit (any thread; used for Ctrl-C). */
    public void requestStop() {
        stopRequested = true;
        kickAll();
    }

    private void kickAll() {
        for (Processor p : processors) p.cpu.kick();
    }

    // ---- running

    /**
     * Runs the guest from the state the loader set until it ends: the BSP's loop on this thread,
     * each AP's on a thread of its own; the APs are stopped and joined before this returns.
     */
    public Result run() {
        if (workers > 0 || processors.size() > 1) return runScheduled();
        startNanos = System.nanoTime();
        List<Thread> aps = new ArrayList<>();
        try {
            for (Processor p : processors.subList(1, processors.size())) {
                aps.add(Thread.ofPlatform().name("jvmx-vcpu-" + p.apicId()).daemon().start(() -> runLoop(p)));
            }
            runLoop(processors.get(0));
            return ending();
        } finally {
            stopAll(aps);
            runNanos = System.nanoTime() - startNanos;
        }
    }

    /**
     * Worker threads for the vCPUs: {@code m} ≥ 1, or 0 for the default (one vCPU: its own loop on
     * the calling thread; several: as many workers as vCPUs, at most the host's processors).
     */
    public void setWorkers(int m) {
        if (m < 0) throw new IllegalArgumentException("workers " + m);
        this.workers = m;
    }

    /** Worker threads a scheduled run uses. */
    public int workers() {
        if (workers > 0) return workers;
        return Math.max(1, Math.min(processors.size(), Runtime.getRuntime().availableProcessors()));
    }

    private int workers;
    private volatile DeadlineClock clock;
    private org.jvmx.sched.Scheduler.Stats schedulerStats;

    /** A processor's next deadline changed (scheduled runs: the clock thread waits for the earliest). */
    void deadlineChanged() {
        DeadlineClock c = clock;
        if (c != null) c.changed();
    }

    /** Every vCPU on the scheduler's workers until the BSP is done; then the APs are stopped. */
    private Result runScheduled() {
        startNanos = System.nanoTime();
        clock = new DeadlineClock(this, processors);
        try (org.jvmx.sched.Scheduler s = new org.jvmx.sched.Scheduler(workers(), org.jvmx.sched.Scheduler.Options.defaults())) {
            for (Processor p : processors) {
                p.scheduled = true;
                p.cpu.setHaltReturns(true);
                p.prepareEntry();
            }
            for (Processor p : processors) s.add(p.cpu, (v, x) -> scheduledHandle(p, x));
            clock.start();
            try {
                s.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                end(new Result(Ending.STOPPED, 130, "interrupted"));
            }
            schedulerStats = s.stats();
            return ending();
        } finally {
            clock.stop();
            runNanos = System.nanoTime() - startNanos;
        }
    }

    /** One exit of a scheduled vCPU; when the BSP is done the others are kicked so that they end too. */
    private boolean scheduledHandle(Processor p, VmExit x) {
        boolean more;
        try {
            more = p.handle(x);
        } catch (RuntimeException e) {
            end(new Result(Ending.UNHANDLED_EXIT, 1, "vCPU " + p.apicId() + " failed: " + e));
            more = false;
        }
        if (!more) {
            if (p.bsp && failure == null && exitStatus == null && !reset) stopRequested = true;
            kickAll();
        }
        return more;
    }

    private void runLoop(Processor p) {
        try {
            p.prepareEntry();
            org.jvmx.sched.ExitHandler.runOnCallingThread(p.cpu, this::handle);
        } catch (RuntimeException | Error e) {
            end(new Result(Ending.UNHANDLED_EXIT, 1, "vCPU " + p.apicId() + " failed: " + e));
            if (p.bsp) throw e;
        }
    }

    private void stopAll(List<Thread> aps) {
        if (aps.isEmpty()) return;
        if (failure == null && exitStatus == null && !reset) stopRequested = true;
        kickAll();
        for (Thread t : aps) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Serves one VM exit of vCPU {@code v} and prepares its next entry: the per-exit step of
     * every vCPU's loop. False when the vCPU must not run again (the machine ends).
     */
    public boolean handle(Vcpu v, VmExit x) {
        return processors.get(v.id()).handle(x);
    }

    /** A vCPU failed: the machine ends with the first such failure; every vCPU is kicked out. */
    void end(Result r) {
        synchronized (this) {
            if (failure == null) failure = r;
        }
        kickAll();
    }

    boolean ended() {
        return failure != null || exitStatus != null || reset || stopRequested;
    }

    private Result ending() {
        Result f = failure;
        Long status = exitStatus;
        if (status != null && f == null) {
            return new Result(Ending.DEBUG_EXIT, (int) (long) status, "the guest exited with status " + status);
        }
        if (f != null) return f;
        if (reset) return new Result(Ending.RESET, 0, "the guest reset the machine");
        if (stopRequested) return new Result(Ending.STOPPED, 130, "stopped");
        return new Result(Ending.STOPPED, 130, "stopped");
    }

    /** The local APIC of the bootstrap processor. */
    public LocalApic localApic() {
        return processors.get(0).lapic;
    }

    /** The local APIC of processor {@code index}. */
    public LocalApic localApic(int index) {
        return processors.get(index).lapic;
    }

    long hypercall(Vcpu cpu, long number) {
        switch ((int) number) {
            case Hypercalls.VERSION -> {
                return 1;
            }
            case Hypercalls.PRINT -> {
                long at = cpu.reg(Reg.RBX), n = cpu.reg(Reg.RCX);
                if (n < 0 || n > Hypercalls.MAX_PRINT) return Hypercalls.INVALID;
                byte[] text = vm.read(at, (int) n);
                synchronized (platformLock) {
                    for (byte b : text) serialOut(b & 0xFF);
                }
                return n;
            }
            default -> {
                return Hypercalls.UNKNOWN;
            }
        }
    }

    /**
     * The statistics of the run: VM exits by reason, instructions by tier, translation, speed;
     * summed over the vCPUs (with several, one line per vCPU follows).
     */
    public String stats() {
        long interpreted = 0, compiled = 0, decoded = 0, blocksCompiled = 0, regions = 0, invalidated = 0;
        Map<org.jvmx.decoder.Mnemonic, Long> unimplemented = new java.util.TreeMap<>();
        for (Processor p : processors) {
            ExecStats s = p.cpu.stats();
            interpreted += s.interpreted;
            compiled += s.compiled;
            decoded += s.blocksDecoded;
            blocksCompiled += s.blocksCompiled;
            regions += s.regionsCompiled;
            invalidated += s.codeInvalidations;
            s.unimplementedCounts().forEach((m, n) -> unimplemented.merge(m, n, Long::sum));
        }
        long instructions = interpreted + compiled;
        StringBuilder b = new StringBuilder();
        double seconds = runNanos / 1e9;
        b.append(String.format(Locale.ROOT, "stats: %d instructions (%d interpreted, %d compiled) in %.3f s, %.1f MIPS%n",
                instructions, interpreted, compiled, seconds, seconds > 0 ? instructions / seconds / 1e6 : 0));
        if (processors.size() > 1) {
            for (Processor p : processors) {
                b.append(String.format(Locale.ROOT, "stats: vCPU %d: %d instructions%n", p.apicId(), p.cpu.stats().instructions()));
            }
        }
        org.jvmx.sched.Scheduler.Stats st = schedulerStats;
        if (st != null) {
            long launches = 0, resumes = 0, migrations = 0;
            for (Processor p : processors) {
                launches += p.cpu.launches();
                resumes += p.cpu.resumes();
                migrations += p.cpu.migrations();
            }
            b.append(String.format(Locale.ROOT, "stats: scheduler: %d workers, %d slices (%d ended by the preemption timer), "
                    + "%d halts, %d wake-ups, %d migrations, %d VMLAUNCH, %d VMRESUME%n", workers(), st.slices(),
                    st.timerExpiries(), st.halts(), st.wakeups(), migrations, launches, resumes));
        }
        b.append(String.format("stats: %d blocks decoded, %d compiled in %d regions, %d invalidated by guest writes%n",
                decoded, blocksCompiled, regions, invalidated));
        Map<ExitReason, Long> exits = exitCounts();
        long total = exits.values().stream().mapToLong(Long::longValue).sum();
        b.append("stats: ").append(total).append(" VM exits:");
        new java.util.TreeMap<>(exits).forEach((r, n) -> b.append(' ').append(r).append('=').append(n));
        b.append(System.lineSeparator());
        if (firstOutputNanos >= 0) {
            b.append(String.format(Locale.ROOT, "stats: first serial output %.1f ms after the guest started%n",
                    (firstOutputNanos - startNanos) / 1e6));
        }
        if (!pc.bus().unknownPortCounts().isEmpty()) {
            b.append("stats: unknown I/O ports (accesses): ").append(pc.bus().unknownPortCounts()).append(System.lineSeparator());
        }
        if (!unimplemented.isEmpty()) {
            b.append("stats: unimplemented instructions met (each raised #UD): ").append(unimplemented)
                    .append(System.lineSeparator());
        }
        return b.toString();
    }

    /** VM exits by reason so far, summed over the vCPUs (read after the run). */
    public Map<ExitReason, Long> exitCounts() {
        Map<ExitReason, Long> all = new EnumMap<>(ExitReason.class);
        for (Processor p : processors) p.exits.forEach((r, n) -> all.merge(r, n, Long::sum));
        return Map.copyOf(all);
    }

    @Override
    public void close() {
        vm.close();
    }
}
