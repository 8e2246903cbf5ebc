package org.jvmx.vm;

import java.util.concurrent.locks.LockSupport;
import org.jvmx.sched.Core;
import org.jvmx.sched.HostRegions;
import org.jvmx.translator.exec.BareMetal;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.exec.ExecStats;
import org.jvmx.translator.exec.Exit;
import org.jvmx.translator.exec.Interrupts;
import org.jvmx.translator.exec.LeaveRequest;
import org.jvmx.translator.jit.BytecodeJit;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.vmx.entry.EntryChecks;
import org.jvmx.vmx.entry.EntryRule;
import org.jvmx.vmx.entry.EventInjection;
import org.jvmx.vmx.entry.HostMsrs;
import org.jvmx.vmx.entry.MsrArea;
import org.jvmx.vmx.entry.MsrAreas;
import org.jvmx.vmx.entry.VmcsTemplates;
import org.jvmx.vmx.exit.GuestStateSync;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.exit.VmxSensitive;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.Vmcs;
import org.jvmx.vmx.vmcs.VmcsField;
import org.jvmx.vmx.vmcs.VmcsFieldType;
import org.jvmx.vmx.vmcs.VmcsFields;
import org.jvmx.vmx.vmcs.VmxCapabilities;
import org.jvmx.vmx.vmcs.VmxContext;
import org.jvmx.vmx.vmcs.VmxInstructions;
import org.jvmx.vmx.vmcs.VmxResult;

/**
 * A virtual CPU: one VMCS and the translator's CPU that runs the guest under it. The monitor
 * sets state through {@link #setReg} (general-purpose registers, not in the VMCS) and
 * {@link #vmwrite} (everything the VMCS holds: RIP, RSP, RFLAGS, control and segment registers,
 * controls), then calls {@link #run()}, which performs VMLAUNCH the first time and VMRESUME
 * after, runs the guest and returns the {@link VmExit}. Everything follows SDM Vol. 3C:
 * VM-entry checks (27.2, 27.3; {@link VmxFailure} for VMfailValid 7/8, an exit with reason 33
 * for bad guest state), event injection (27.6), the pending-event exits right after entry and
 * between instructions (26.7: interrupt window, NMI window, VMX-preemption timer), external
 * interrupts and NMIs arriving at the vCPU, triple fault, and the instruction exits the
 * controls select (26.1-26.3, {@link VmxSensitive}).
 *
 * <p>A new vCPU's VMCS holds controls that exit on HLT and on every I/O instruction (like KVM),
 * a 64-bit host state, and a flat 64-bit guest state at CPL 0 with paging on: the monitor
 * gives it a CR3 ({@link Vm#identityMap}) and a RIP.
 *
 * <p>The guest state stays in the CPU across an exit until the monitor reads or writes a
 * guest-state field; only then is it copied into the VMCS. The monitor sees exactly what an
 * eager save would give it, and an exit answered from the general-purpose registers (a
 * hypercall, an I/O port) costs no copy. Likewise a VMRESUME after which the monitor changed
 * no VMCS field skips the entry checks: a guest-state area saved by a VM exit and not written
 * since always passes them.
 *
 * <p>Guest-physical memory is the VM's map ({@link Vm}): RAM, in-runtime MMIO handlers, and MMIO
 * exit regions, whose accesses end {@link #run()} with an EPT-violation exit; the monitor answers
 * a read with {@link #completeMmioRead} (see {@link Vm#addMmioExit}, {@link MmioExits}).
 *
 * <p>A vCPU runs on one thread at a time. {@link #interrupt}, {@link #nmi}, {@link #init},
 * {@link #startupIpi} and {@link #kick} may be called from any thread. VMCS accessors
 * ({@link #vmread}, {@link #vmwrite}, {@link #reg} of RSP) belong to the thread that runs the
 * vCPU, or to any thread while no one runs it.
 *
 * <p>Cores ({@link Core}): the VMCS is active on one core at a time. {@link #run(Core)} on that
 * core is a VMRESUME; on another core it is a migration as on hardware (SDM Vol. 3C 25.11.1,
 * 25.11.3): VMCLEAR on the old core, VMPTRLD on the new one, the per-core host-state fields
 * rewritten from the new core, then VMLAUNCH, the launch state being clear. Every VM exit checks
 * that the host state it loads is the current core's ({@link Core#verifyHostState}). {@link #run()}
 * uses a core private to this vCPU.
 */
public final class Vcpu implements AutoCloseable {
    /** Instructions between checks of the VMX-preemption timer. */
    private static final long TIMER_SLICE = 4096;

    private final Vm vm;
    private final int id;
    private final Cpu cpu;
    private final Engine engine;
    /** The context of the core this vCPU's VMCS is active on ({@link #activeOn}). */
    private VmxContext context;
    /** The core {@link #run()} uses: the embedder's thread. */
    private final Core privateCore = Core.create();
    /** The core the VMCS is active on: VMRESUME there, VMCLEAR there + VMLAUNCH anywhere else. */
    private Core activeOn;
    /** Host-physical address of the VMCS region ({@link HostRegions}), the same on every core. */
    private final long vmcsAddress;
    /** VM entries by instruction, and migrations between cores. */
    private long launches, resumes, migrations;
    /** In HLT activity with nothing pending, {@link #run(Core)} returns null instead of parking the thread. */
    private boolean haltReturns;
    /** Run after every {@link #interrupt}, {@link #nmi}, {@link #kick} (a scheduler wakes a halted vCPU). */
    private volatile Runnable eventHook;
    private final EntryChecks checks;
    private final VmxInstructions vmx;
    private final Vmcs vmcs;
    private final VmxSensitive sensitive;
    private final HostMsrs hostMsrs = new HostMsrs();
    private final MmioExits mmio;

    private boolean launched;
    /** A VMCS field was written by the monitor since the last successful entry: check and load on entry. */
    private boolean dirty = true;
    /** The guest state in the VMCS is current (false while it is only in the CPU, after an exit). */
    private boolean vmcsSynced = true;
    private long seenHostWrites;
    /** Guest interruptibility state (25.4.2) and activity state, kept here between entries. */
    private int interruptibility;
    private int activity = Controls.ACTIVITY_ACTIVE;
    /** TSC value at which the VMX-preemption timer reaches zero (when active). */
    private long timerDeadline;
    private VmExit lastExit;
    private EntryRule failedRule;
    private volatile Thread runner;

    /** External interrupts raised at the vCPU, one bit per vector; guarded by {@code this}. */
    private final long[] irr = new long[4];
    private volatile boolean irqPending;
    private volatile boolean nmiPending;
    private volatile boolean kicked;
    /** An INIT signal arrived; a SIPI's vector (-1: none). Either may come from any thread. */
    private volatile boolean initPending;
    private volatile int sipiVector = -1;

    Vcpu(Vm vm, int id) {
        this.vm = vm;
        this.id = id;
        this.cpu = Cpu.flat64(vm.memory(), false);
        cpu.cpuid = vm.cpuid();
        this.checks = new EntryChecks(vm.capabilities(), Vm.PHYSICAL_ADDRESS_WIDTH);
        this.vmx = new VmxInstructions(new VmxCapabilities(Vm.VMCS_REVISION, Vm.PHYSICAL_ADDRESS_WIDTH, false), checks);
        this.context = privateCore.context();
        this.vmcsAddress = HostRegions.allocate(context, Vm.VMCS_REVISION);
        this.vmcs = context.region(vmcsAddress);
        privateCore.vmclear(vmcsAddress);
        privateCore.vmptrld(vmcsAddress);
        activeOn = privateCore;
        VmcsTemplates.fillValidGuest64(vmcs);
        privateCore.writeHostState(vmcs::write);
        // Exit on every I/O instruction; not on MOV to/from CR3 (default1 bits the TRUE controls let go, A.3.2).
        vmcs.write(VmcsFields.CPU_BASED_VM_EXEC_CONTROL,
                (vmcs.read(VmcsFields.CPU_BASED_VM_EXEC_CONTROL) | Controls.PROC_UNCONDITIONAL_IO_EXITING)
                        & ~(Controls.PROC_CR3_LOAD_EXITING | Controls.PROC_CR3_STORE_EXITING));
        // Save EFER and PAT on exit too, so a monitor reads (and a later entry loads) the guest's own.
        vmcs.write(VmcsFields.VM_EXIT_CONTROLS,
                vmcs.read(VmcsFields.VM_EXIT_CONTROLS) | Controls.EXIT_SAVE_EFER | Controls.EXIT_SAVE_PAT);
        vmcs.write(VmcsFields.GUEST_CR3, 0);
        vmcs.write(VmcsFields.GUEST_CR4, vmcs.read(VmcsFields.GUEST_CR4) | Cpu.CR4_OSFXSR | Cpu.CR4_OSXMMEXCPT);
        this.mmio = new MmioExits(cpu);
        cpu.memory.exitPort = mmio;
        this.sensitive = new VmxSensitive(vmcs, vm.memory());
        sensitive.deferGuestStateSave = true;
        cpu.sensitive = sensitive;
        Engine.Tier tier = vm.tier();
        this.engine = new Engine(cpu, tier, tier == Engine.Tier.INTERPRET ? null : new BytecodeJit());
    }

    private static void require(String what, VmxResult r) {
        if (!r.succeeded()) throw new VmxFailure(what, r);
    }

    public int id() {
        return id;
    }

    public Vm vm() {
        return vm;
    }

    // ---- registers and VMCS fields

    /** A general-purpose register; RSP reads the VMCS field GUEST_RSP. */
    public long reg(Reg r) {
        if (r == Reg.RSP) return vmread(VmcsFields.GUEST_RSP);
        return cpu.gpr[r.number()];
    }

    /** Sets a general-purpose register; RSP writes the VMCS field GUEST_RSP. */
    public void setReg(Reg r, long value) {
        if (r == Reg.RSP) {
            vmwrite(VmcsFields.GUEST_RSP, value);
            return;
        }
        cpu.gpr[r.number()] = value;
    }

    /** VMREAD of the current VMCS (SDM 31.3); VMfail raises {@link VmxFailure}. */
    public long vmread(VmcsField field) {
        return vmread(field.encoding());
    }

    public long vmread(long encoding) {
        ensureCurrent();
        syncGuestState(encoding);
        VmxResult r = vmx.vmread(context, encoding);
        if (!r.succeeded()) throw new VmxFailure("VMREAD 0x" + Long.toHexString(encoding), r);
        return r.value();
    }

    /** VMWRITE to the current VMCS (SDM 31.3): read-only exit-information fields fail with error 13. */
    public void vmwrite(VmcsField field, long value) {
        vmwrite(field.encoding(), value);
    }

    public void vmwrite(long encoding, long value) {
        ensureCurrent();
        // Any write makes the next entry a full one, which loads the guest state from the VMCS.
        if (!vmcsSynced) saveGuestState();
        VmxResult r = vmx.vmwrite(context, encoding, value);
        if (!r.succeeded()) throw new VmxFailure("VMWRITE 0x" + Long.toHexString(encoding), r);
        dirty = true;
    }

    /** Before the monitor touches a guest-state field, the state held in the CPU goes to the VMCS (28.3). */
    private void syncGuestState(long encoding) {
        if (vmcsSynced) return;
        VmcsField f = vmcs.table().byEncoding(encoding);
        if (f == null || f.type() != VmcsFieldType.GUEST) return;
        saveGuestState();
    }

    private void saveGuestState() {
        sensitive.saveGuestState(cpu);
        vmcs.write(VmcsFields.GUEST_INTERRUPTIBILITY_STATE,
                interruptibility | (cpu.state.nmiBlocked ? Controls.INTERRUPTIBILITY_NMI : 0));
        vmcs.write(VmcsFields.GUEST_ACTIVITY_STATE, activity);
        vmcsSynced = true;
    }

    /**
     * After an instruction exit: advances the guest RIP past the instruction (by the VM-exit
     * instruction length) and clears blocking by STI and MOV SS, as a monitor does after
     * emulating the instruction. Cheaper than VMREAD + VMWRITE of GUEST_RIP: no VMCS copy and
     * no entry checks on the next {@link #run()}.
     */
    public void skipInstruction() {
        if (lastExit == null || lastExit.instructionLength() == 0) {
            throw new IllegalStateException("the last VM exit was not caused by an instruction: " + lastExit);
        }
        if (vmcsSynced && dirty) {
            vmwrite(VmcsFields.GUEST_RIP, vmread(VmcsFields.GUEST_RIP) + lastExit.instructionLength());
        } else {
            cpu.state.rip += lastExit.instructionLength();
            if (vmcsSynced) vmcs.write(VmcsFields.GUEST_RIP, cpu.state.rip);
        }
        interruptibility &= ~(Controls.INTERRUPTIBILITY_STI | Controls.INTERRUPTIBILITY_MOV_SS);
    }

    /** The VM-entry check that failed the last entry that failed (for diagnostics), or null. */
    public EntryRule failedEntryRule() {
        return failedRule;
    }

    private static final BareMetal BARE_METAL = new BareMetal();

    /**
     * Emulates the instruction that caused the last VM exit as the processor would run it with
     * no VM exit: CPUID answers from the VM's CPUID model, RDMSR/WRMSR use the modelled MSRs (an
     * unknown one is #GP), RDTSC reads the TSC, I/O reads all ones and drops writes, HLT halts.
     * RIP moves past it. A fault it raises is not delivered now but injected on the next
     * {@link #run()} (written to the VM-entry interruption-information field), as a monitor
     * queues an exception its emulation produced. The CPU's own rules for the instruction apply.
     */
    public void emulateInstruction() {
        if (lastExit == null || lastExit.instructionLength() == 0) {
            throw new IllegalStateException("the last VM exit was not caused by an instruction: " + lastExit);
        }
        if (vmcsSynced && dirty) loadGuestState(); // the monitor changed the guest state: start from it
        Exit e;
        cpu.sensitive = BARE_METAL;
        try {
            e = step();
        } finally {
            cpu.sensitive = sensitive;
        }
        if (dirty) saveGuestState();
        else vmcsSynced = false;
        interruptibility &= ~(Controls.INTERRUPTIBILITY_STI | Controls.INTERRUPTIBILITY_MOV_SS);
        if (e == null) return;
        switch (e.kind()) {
            case HALTED -> activity = Controls.ACTIVITY_HLT;
            case FAULT -> {
                int v = e.vector();
                boolean code = GuestFault.hasErrorCode(v);
                vmwrite(VmcsFields.VM_ENTRY_INTERRUPTION_INFO, (v | Controls.INTR_TYPE_HARDWARE_EXCEPTION << 8
                        | (code ? Controls.INTR_INFO_DELIVER_ERROR_CODE : 0) | Controls.INTR_INFO_VALID) & 0xFFFF_FFFFL);
                if (code) vmwrite(VmcsFields.VM_ENTRY_EXCEPTION_ERROR_CODE, e.errorCode() & 0xFFFF_FFFFL);
            }
            default -> { }
        }
    }

    /**
     * Answers the EPT-violation exit of a read from an MMIO exit region ({@link Vm#addMmioExit})
     * with the {@link VmExit#size()} bytes the device returned. The next {@link #run()} replays
     * the instruction, its reads answered in order from the values given so far; it exits again
     * if it reads more. Running without answering re-executes the instruction, which exits again.
     */
    public void completeMmioRead(long value) {
        mmio.complete(value);
    }

    /** The most recent VM exit, or null before the first. */
    public VmExit lastExit() {
        return lastExit;
    }

    /** Execution counters: instructions by tier, blocks translated, unimplemented instructions met. */
    public ExecStats stats() {
        return cpu.stats;
    }

    /**
     * The translator's CPU under this vCPU, for monitors and tests that need the whole
     * architectural state (XMM, x87, MSRs). Its guest-state registers are current after an
     * exit; changing them directly bypasses the VM-entry checks.
     */
    public Cpu cpu() {
        return cpu;
    }

    /** The VMCS itself (its guest-state area brought up to date), for monitors that need raw access. */
    public Vmcs vmcs() {
        if (!vmcsSynced) saveGuestState();
        dirty = true;
        return vmcs;
    }

    // ---- events from outside the guest

    /** Raises external interrupt {@code vector} (32-255) at the vCPU's interrupt pin. */
    public void interrupt(int vector) {
        if (vector < 32 || vector > 255) throw new IllegalArgumentException("external interrupt vector 32-255: " + vector);
        synchronized (this) {
            irr[vector >>> 6] |= 1L << vector;
        }
        irqPending = true;
        poke();
    }

    /** Raises an NMI at the vCPU. */
    public void nmi() {
        nmiPending = true;
        poke();
    }

    /**
     * Brings the vCPU back to the monitor: a host interrupt arriving while the guest runs, which
     * causes an external-interrupt VM exit with no interruption information (the host's own
     * interrupt is not acknowledged for the guest, 28.2.2).
     */
    public void kick() {
        kicked = true;
        poke();
    }

    /**
     * An INIT signal arrives at the vCPU (SDM Vol. 3C 26.2): a VM exit with reason 3 that changes
     * no register; the monitor decides what INIT does (it usually enters the wait-for-SIPI state).
     * Blocked, and dropped here, while the vCPU is in the wait-for-SIPI activity state (27.6.2).
     */
    public void init() {
        initPending = true;
        poke();
    }

    /**
     * A start-up IPI with {@code vector} arrives (SDM Vol. 3C 26.2): in the wait-for-SIPI
     * activity state a VM exit with reason 4 and the vector as exit qualification; in any other
     * activity state it is discarded (27.6.2).
     */
    public void startupIpi(int vector) {
        sipiVector = vector & 0xFF;
        poke();
    }

    /**
     * Runs guest instructions in the monitor, as a hypervisor without "unrestricted guest" runs
     * code whose state VM entry refuses (real mode: SDM Vol. 3C 27.3.1.1 requires CR0.PE = 1):
     * from the state the monitor set in {@link #cpu()}, one instruction at a time through the
     * interpreter with no VMX control applied, until {@code done} holds (checked before each
     * instruction), an instruction faults or halts, or {@code limit} instructions ran. Then the
     * CPU's state becomes the VMCS guest state (activity active, no blocking) for the next entry.
     * Returns the exit that stopped it early (fault, HLT), or null.
     */
    public Exit emulate(java.util.function.Predicate<Cpu> done, long limit) {
        Exit e = null;
        cpu.sensitive = BARE_METAL;
        try {
            for (long n = 0; n < limit && !done.test(cpu); n++) {
                e = step();
                if (e != null) break;
            }
        } finally {
            cpu.sensitive = sensitive;
        }
        activity = Controls.ACTIVITY_ACTIVE;
        interruptibility = 0;
        saveGuestState();
        dirty = true;
        return e;
    }

    private void poke() {
        cpu.stopRequested = true;
        Thread t = runner;
        if (t != null) LockSupport.unpark(t);
        Runnable h = eventHook;
        if (h != null) h.run();
    }

    /**
     * Sets what runs, on the raising thread, after each {@link #interrupt}, {@link #nmi} and
     * {@link #kick} (null for nothing): how a scheduler learns that a halted vCPU became runnable.
     */
    public void setEventHook(Runnable hook) {
        eventHook = hook;
    }

    /**
     * With {@code true}, {@link #run(Core)} in HLT activity state with no event pending returns
     * null at once instead of parking the calling thread until an event (the guest stays halted;
     * the next run resumes waiting): a worker never sleeps inside one vCPU. The VMX-preemption
     * timer then does not end the halt: it measures slices of running guests.
     */
    public void setHaltReturns(boolean returns) {
        haltReturns = returns;
    }

    /** VM entries made with VMLAUNCH (first run, and every run after a migration). */
    public long launches() {
        return launches;
    }

    /** VM entries made with VMRESUME (on the core the VMCS is active on). */
    public long resumes() {
        return resumes;
    }

    /** Moves between cores (VMCLEAR on the old one, VMPTRLD on the new one). */
    public long migrations() {
        return migrations;
    }

    /** The core this vCPU's VMCS is active on. */
    public Core core() {
        return activeOn;
    }

    /**
     * Makes the VMCS current on {@code core} (SDM Vol. 3C 25.11.1, 25.11.3). Already active there:
     * VMPTRLD again only if the core ran another vCPU meanwhile, and the next entry is a VMRESUME.
     * Elsewhere: the guest state the CPU still holds goes into the VMCS, VMCLEAR on the old core
     * (under its lock: that core's thread may be running another vCPU), VMPTRLD on the new core,
     * the host-state fields it owns rewritten, and the next entry a VMLAUNCH with full checks.
     */
    private void load(Core core) {
        if (activeOn == core) {
            if (context.currentVmcsPointer() != vmcsAddress) core.vmptrld(vmcsAddress);
            return;
        }
        if (!vmcsSynced) saveGuestState();
        if (activeOn != null) activeOn.vmclear(vmcsAddress);
        core.vmptrld(vmcsAddress);
        context = core.context();
        activeOn = core;
        core.writeHostState((f, v) -> require("VMWRITE " + f.name(), vmx.vmwrite(context, f.encoding(), v)));
        launched = false; // the launch state is clear after VMCLEAR: VMRESUME would fail (31.3, error 5)
        dirty = true;
        migrations++;
    }

    /** A VMCS access while another VMCS is current on our core: the vCPU comes to its private core first. */
    private void ensureCurrent() {
        if (context.currentVmcsPointer() != vmcsAddress) load(privateCore);
    }

    // ---- VM entry, guest execution, VM exit

    /** VMLAUNCH (first call) or VMRESUME, then the guest runs until the next VM exit, which is returned. */
    public VmExit run() {
        return run(privateCore);
    }

    /**
     * Runs the vCPU on {@code core} (migrating it there if its VMCS is active elsewhere) until the
     * next VM exit, which is returned after checking that the host state it loads is the core's
     * ({@link org.jvmx.sched.HostStateCorruption} if not). Returns null, without a VM exit, when
     * {@link #setHaltReturns halt returns} and the guest is halted with nothing pending.
     */
    public VmExit run(Core core) {
        load(core);
        runner = Thread.currentThread();
        try {
            VmExit x = enter();
            if (x == null) x = execute();
            if (x == WOULD_BLOCK) return null;
            lastExit = x;
            core.verifyHostState(vmcs, id, x); // 28.5: every VM exit loads host state
            return x;
        } finally {
            runner = null;
        }
    }

    /** What {@link #waitInHlt} returns instead of parking when {@link #haltReturns}: not a VM exit. */
    private static final VmExit WOULD_BLOCK = VmExit.event(ExitReason.HLT, 0, 0, false, 0, 0);

    /** The pin-based and primary processor-based controls, cached at each full VM entry (only VMWRITE changes them). */
    private int pinControls, procControls;
    /** Whether the VM-exit MSR-store or MSR-load list is non-empty (cached like the controls). */
    private boolean exitMsrLists;

    private int pin() {
        return pinControls;
    }

    private int proc() {
        return procControls;
    }

    /** The VM entry (27): null when the guest may run, else the exit that ends it at once. */
    private VmExit enter() {
        if (launched && !dirty) {
            // VMRESUME with nothing changed since the exit: the state is in the CPU and passed the checks.
            if (seenHostWrites != vm.hostWrites()) flushTlb();
            resumes++;
            vmcsSynced = false;
            armTimer();
            return mmio.replayPending() ? null : eventExits(); // the answered instruction first (execute)
        }
        VmxResult r = launched ? vmx.vmresume(context) : vmx.vmlaunch(context);
        switch (r.kind()) {
            case SUCCEED -> {
                if (launched) resumes++;
                else launches++;
            }
            case ENTRY_FAILURE -> {
                // 27.8: the exit-information fields hold reason 33 | bit 31 and the failed rule's qualification.
                failedRule = checks.check(vmcs).failed();
                return VmExit.event(ExitReason.ENTRY_FAILURE_INVALID_GUEST_STATE,
                        vmcs.read(VmcsFields.EXIT_QUALIFICATION), vmcs.read(VmcsFields.GUEST_RIP), true, 0, 0);
            }
            default -> {
                failedRule = checks.check(vmcs).failed();
                throw new VmxFailure((launched ? "VMRESUME" : "VMLAUNCH") + (failedRule == null ? ""
                        : " (" + failedRule + ", SDM " + failedRule.section() + ")"), r);
            }
        }
        launched = true;
        dirty = false;
        pinControls = (int) vmcs.read(VmcsFields.PIN_BASED_VM_EXEC_CONTROL);
        procControls = (int) vmcs.read(VmcsFields.CPU_BASED_VM_EXEC_CONTROL);
        exitMsrLists = vmcs.read(VmcsFields.VM_EXIT_MSR_STORE_COUNT) != 0 || vmcs.read(VmcsFields.VM_EXIT_MSR_LOAD_COUNT) != 0;
        loadGuestState();
        vmcsSynced = false;
        // 27.4: the VM-entry MSR-load list; a failing entry N is a VM-entry failure, reason 34, qualification N.
        int bad = MsrAreas.loadOnEntry(vmcs, vm.memory(), cpu);
        if (bad != 0) {
            vmcs.write(VmcsFields.VM_EXIT_REASON, ExitReason.ENTRY_FAILURE_MSR_LOADING.fieldValue(true));
            vmcs.write(VmcsFields.EXIT_QUALIFICATION, bad);
            dirty = true; // the next attempt is a full entry again
            return VmExit.event(ExitReason.ENTRY_FAILURE_MSR_LOADING, bad, cpu.state.rip, true, 0, 0);
        }
        long event = vmcs.read(VmcsFields.VM_ENTRY_INTERRUPTION_INFO);
        EventInjection.Outcome injected;
        try {
            injected = EventInjection.inject(vmcs, cpu, sensitive::intercepts);
        } catch (Interrupts.InterceptedDuringDelivery d) {
            return interceptedDuringDelivery(d);
        }
        switch (injected) {
            case TRIPLE_FAULT -> {
                return exitFor(ExitReason.TRIPLE_FAULT, 0, 0, 0);
            }
            case DELIVERED -> {
                // Delivery through an interrupt gate clears IF; events were already blocked (27.6.1).
                interruptibility &= ~(Controls.INTERRUPTIBILITY_STI | Controls.INTERRUPTIBILITY_MOV_SS);
                activity = Controls.ACTIVITY_ACTIVE;
                if ((event >>> 8 & 7) == Controls.INTR_TYPE_NMI) cpu.state.nmiBlocked = true;
            }
            default -> { }
        }
        armTimer();
        return mmio.replayPending() ? null : eventExits();
    }

    /** Every VM entry loads the VMX-preemption timer from its VMCS field (26.5.1). */
    private void armTimer() {
        if (timerActive()) {
            long v = vmcs.read(VmcsFields.VMX_PREEMPTION_TIMER_VALUE) & 0xFFFF_FFFFL;
            timerDeadline = hostTsc() + (v << org.jvmx.vmx.entry.VmxCapabilityMsrs.PREEMPTION_TIMER_RATE);
        }
    }

    /** Guest-state loading (27.3.2): registers, segments, paging; then the TLB matches the new state. */
    private void loadGuestState() {
        GuestStateSync.load(vmcs, cpu.state);
        interruptibility = (int) vmcs.read(VmcsFields.GUEST_INTERRUPTIBILITY_STATE);
        cpu.state.nmiBlocked = (interruptibility & Controls.INTERRUPTIBILITY_NMI) != 0; // IRET clears it
        interruptibility &= ~Controls.INTERRUPTIBILITY_NMI;
        activity = (int) vmcs.read(VmcsFields.GUEST_ACTIVITY_STATE);
        cpu.refreshMode();
        cpu.memory.tlb().setState(cpu.state.pagingState());
        flushTlb();
    }

    private void flushTlb() {
        cpu.memory.tlb().flushAll();
        seenHostWrites = vm.hostWrites();
    }

    private boolean timerActive() {
        return (pin() & Controls.PIN_PREEMPTION_TIMER) != 0;
    }

    private boolean timerExpired() {
        return timerActive() && hostTsc() - timerDeadline >= 0;
    }

    /** The TSC the VMX-preemption timer counts (the processor's, before any guest offset). */
    private long hostTsc() {
        return cpu.state.tscSource.getAsLong();
    }

    private boolean blockedBySti() {
        return (interruptibility & (Controls.INTERRUPTIBILITY_STI | Controls.INTERRUPTIBILITY_MOV_SS)) != 0;
    }

    private boolean interruptsOpen() {
        return (cpu.state.rflags() & 0x200) != 0 && !blockedBySti();
    }

    /**
     * The events checked before each instruction, highest priority first (26.7, SDM Vol. 3A
     * 6.9): a host interrupt ({@link #kick}); the VMX-preemption timer at zero; an NMI-window
     * exit; a pending NMI (exit or delivery); an interrupt-window exit; a pending external
     * interrupt (exit under "external-interrupt exiting", else delivery when RFLAGS.IF = 1 and
     * nothing blocks). Returns the exit, or null to run on.
     */
    private VmExit eventExits() {
        if (activity == Controls.ACTIVITY_WAIT_FOR_SIPI) return sipiExits();
        int proc = proc(), pin = pin();
        if (sipiVector >= 0) sipiVector = -1; // SIPIs are blocked outside wait-for-SIPI: discarded (27.6.2)
        if (!kicked && !nmiPending && !irqPending && !initPending && (pin & Controls.PIN_PREEMPTION_TIMER) == 0
                && (proc & (Controls.PROC_NMI_WINDOW_EXITING | Controls.PROC_INTERRUPT_WINDOW_EXITING)) == 0) {
            return null; // nothing can be pending: the common case after an instruction exit
        }
        if (kicked) {
            kicked = false;
            return exitFor(ExitReason.EXTERNAL_INTERRUPT, 0, 0, 0);
        }
        if (initPending) { // INIT ranks above traps and the timer (SDM Vol. 3A 6.9, Vol. 3C 26.2)
            initPending = false;
            return exitFor(ExitReason.INIT_SIGNAL, 0, 0, 0);
        }
        if (timerExpired()) return exitFor(ExitReason.PREEMPTION_TIMER_EXPIRED, 0, 0, 0);
        boolean nmiBlocked = cpu.state.nmiBlocked;
        if ((proc & Controls.PROC_NMI_WINDOW_EXITING) != 0 && !nmiBlocked && !blockedBySti()) {
            return exitFor(ExitReason.NMI_WINDOW, 0, 0, 0);
        }
        if (nmiPending && !nmiBlocked && (interruptibility & Controls.INTERRUPTIBILITY_MOV_SS) == 0) {
            nmiPending = false;
            if ((pin & Controls.PIN_NMI_EXITING) != 0) {
                long info = 2 | (long) Controls.INTR_TYPE_NMI << 8 | Controls.INTR_INFO_VALID & 0xFFFF_FFFFL;
                return exitFor(ExitReason.EXCEPTION_OR_NMI, 0, info, 0);
            }
            VmExit x = deliver(2, Interrupts.Kind.NMI, -1);
            if (x != null) return x;
            cpu.state.nmiBlocked = true; // blocking by NMI until IRET (6.7.1)
        }
        if ((proc & Controls.PROC_INTERRUPT_WINDOW_EXITING) != 0 && interruptsOpen()) {
            return exitFor(ExitReason.INTERRUPT_WINDOW, 0, 0, 0);
        }
        if (irqPending) {
            if ((pin & Controls.PIN_EXTERNAL_INTERRUPT_EXITING) != 0) {
                // 28.2.2: with "acknowledge interrupt on exit" the vector is taken and reported.
                boolean ack = (vmcs.read(VmcsFields.VM_EXIT_CONTROLS) & Controls.EXIT_ACK_INTERRUPT_ON_EXIT) != 0;
                long info = 0;
                if (ack) info = (takeInterrupt() | Controls.INTR_INFO_VALID) & 0xFFFF_FFFFL;
                return exitFor(ExitReason.EXTERNAL_INTERRUPT, 0, info, 0);
            }
            if (interruptsOpen()) {
                VmExit x = deliver(takeInterrupt(), Interrupts.Kind.EXTERNAL, -1);
                if (x != null) return x;
            }
        }
        return null;
    }

    /** The highest pending external-interrupt vector, removed from the request register. */
    private synchronized int takeInterrupt() {
        for (int w = 3; w >= 0; w--) {
            if (irr[w] != 0) {
                int v = w * 64 + 63 - Long.numberOfLeadingZeros(irr[w]);
                irr[w] &= ~(1L << v);
                irqPending = irr[0] != 0 || irr[1] != 0 || irr[2] != 0 || irr[3] != 0;
                return v;
            }
        }
        irqPending = false;
        return -1;
    }

    /** Delivers an event through the guest IDT; a triple fault becomes a VM exit (reason 2). */
    private VmExit deliver(int vector, Interrupts.Kind kind, int errorCode) {
        try {
            Interrupts.deliver(cpu, vector, kind, errorCode, cpu.state.rip, sensitive::intercepts);
            if (cpu.pendingLeave != null) { // a task gate: a task-switch exit, nothing delivered
                Exit leave = cpu.pendingLeave;
                cpu.pendingLeave = null;
                return handle(leave);
            }
            activity = Controls.ACTIVITY_ACTIVE;
            interruptibility &= ~(Controls.INTERRUPTIBILITY_STI | Controls.INTERRUPTIBILITY_MOV_SS);
            return null;
        } catch (Interrupts.TripleFault t) {
            return exitFor(ExitReason.TRIPLE_FAULT, 0, 0, 0);
        } catch (Interrupts.InterceptedDuringDelivery d) {
            return interceptedDuringDelivery(d);
        }
    }

    /** An exception the exception bitmap selects, raised while delivering an event: exit with IDT-vectoring information. */
    private VmExit interceptedDuringDelivery(Interrupts.InterceptedDuringDelivery d) {
        VmExit x = sensitive.exceptionDuringDelivery(cpu, d);
        afterInstructionExit();
        return x;
    }

    /** Whether an event waits for RFLAGS.IF or a shadow to end (an interrupt window, a pending interrupt). */
    private boolean windowWanted() {
        boolean wanted = (proc() & Controls.PROC_INTERRUPT_WINDOW_EXITING) != 0
                || irqPending && (pin() & Controls.PIN_EXTERNAL_INTERRUPT_EXITING) == 0;
        return wanted && !interruptsOpen();
    }

    /**
     * Runs the guest until a VM exit. While an event waits for the interrupt window, the engine
     * interprets with {@link Cpu#watchInterruptFlag} and returns right after the instruction that
     * sets RFLAGS.IF; after STI (or with blocking by STI or MOV SS) exactly one more instruction
     * runs in the shadow before events are checked (SDM Vol. 3C 25.4.2, 26.7.5).
     */
    private VmExit execute() {
        VmExit pending = nextMmioExit();
        if (pending != null) return pending;
        if (mmio.replayPending()) {
            // The instruction whose MMIO read the monitor answered completes before any event is
            // taken, as if the exit had been handled by emulating it: a device read is not repeated.
            pending = mmioStep();
            if (pending == null) pending = eventExits();
            if (pending != null) return pending;
        }
        while (true) {
            Exit e;
            if (activity == Controls.ACTIVITY_SHUTDOWN) {
                // A triple-faulted guest stays shut down until the monitor gives it a new state.
                return exitFor(ExitReason.TRIPLE_FAULT, 0, 0, 0);
            }
            if (activity == Controls.ACTIVITY_WAIT_FOR_SIPI) {
                VmExit x = waitForSipi();
                if (x != null) return x;
                continue;
            }
            if (activity == Controls.ACTIVITY_HLT) {
                VmExit x = waitInHlt();
                if (x != null) return x;
                continue;
            }
            boolean watch = windowWanted();
            cpu.watchInterruptFlag = watch;
            if (watch && blockedBySti()) {
                e = step(); // the instruction in the shadow
                interruptibility &= ~(Controls.INTERRUPTIBILITY_STI | Controls.INTERRUPTIBILITY_MOV_SS);
            } else {
                interruptibility &= ~(Controls.INTERRUPTIBILITY_STI | Controls.INTERRUPTIBILITY_MOV_SS);
                try {
                    e = engine.run(timerActive() ? TIMER_SLICE : Long.MAX_VALUE);
                } catch (LeaveRequest r) {
                    e = r.exit; // an instruction fetch from an MMIO exit region (found by the block lookup)
                }
                if (e == Exit.INTERRUPT_FLAG_SET_BY_STI) {
                    interruptibility |= Controls.INTERRUPTIBILITY_STI;
                    e = null;
                } else if (e == Exit.INTERRUPT_FLAG_SET) {
                    e = null;
                }
            }
            cpu.watchInterruptFlag = false;
            if (e == MmioExits.STEP) {
                VmExit x = mmioStep();
                if (x != null) return x;
            } else if (e == MmioExits.QUEUED) {
                return nextMmioExit();
            } else if (e != null) {
                VmExit x = handle(e);
                if (x != null) return x;
            }
            VmExit x = eventExits();
            if (x != null) return x;
        }
    }

    private Exit step() {
        try {
            return engine.step();
        } catch (LeaveRequest r) {
            return r.exit;
        }
    }

    /**
     * Runs one instruction in MMIO step mode ({@link MmioExits}): reads of exit regions answered
     * from the monitor's values, writes posted. Returns the exit to report, or null to go on.
     */
    private VmExit mmioStep() {
        long start = cpu.state.rip;
        mmio.beginStep();
        Exit e = step();
        mmio.endStep(e, start);
        if (e == MmioExits.QUEUED) return nextMmioExit();
        VmExit x = e == null || MmioExits.ours(e) ? null : handle(e);
        if (mmio.hasQueued()) {
            // The instruction's posted writes come first; an exit it caused after them waits behind.
            if (x != null) mmio.queueAfter(x);
            return nextMmioExit();
        }
        return x;
    }

    /**
     * The next queued MMIO exit (an EPT violation, SDM Vol. 3C 28.2.1), recorded in the VMCS:
     * reason 48, the Table 28-7 qualification, GUEST_PHYSICAL_ADDRESS and GUEST_LINEAR_ADDRESS.
     */
    private VmExit nextMmioExit() {
        VmExit x = mmio.next(cpu.state.rip);
        if (x == null) return null;
        VmxSensitive.recordExitInformation(vmcs, x.reason(), x.qualification(), x.instructionLength(),
                x.instructionInfo(), x.guestLinear(), x.interruptionInfo(), x.errorCode());
        if (x.reason() == ExitReason.EPT_VIOLATION) {
            vmcs.write(VmcsFields.GUEST_PHYSICAL_ADDRESS, x.guestPhysical());
            afterInstructionExit();
        }
        return x;
    }

    /** What the engine's return means for the VM: an exit, or null to go on. */
    private VmExit handle(Exit e) {
        switch (e.kind()) {
            case REQUESTED -> {
                if (e.detail() instanceof VmExit x) {
                    afterInstructionExit();
                    return x;
                }
                return null; // a poke: events are checked next
            }
            case HALTED -> {
                activity = Controls.ACTIVITY_HLT;
                return null;
            }
            case FAULT -> {
                // Not selected by the exception bitmap: delivered through the guest IDT (26.2).
                int v = e.vector();
                if (e.detail() instanceof GuestFault g && g.isSoftwareInterrupt()) {
                    return deliver(v, Interrupts.Kind.SOFTWARE_INTERRUPT, -1); // INT n: RIP is already after it
                }
                Interrupts.Kind kind = v == GuestFault.BP || v == GuestFault.OF ? Interrupts.Kind.SOFTWARE_EXCEPTION
                        : Interrupts.Kind.HARDWARE_EXCEPTION;
                return deliver(v, kind, GuestFault.hasErrorCode(v) ? e.errorCode() : -1);
            }
            default -> {
                return null; // BUDGET (timer slice) or STOPPED: the loop checks the timer
            }
        }
    }

    /** What every VM exit does after recording its information: timer value (28.3.4), MSR lists (28.4, 28.6). */
    private void afterInstructionExit() {
        saveTimer();
        msrListsOnExit();
    }

    /**
     * The VM-exit MSR-store list (guest values, 28.4) and MSR-load list (the host's, 28.6). A
     * failure is a VMX abort (28.7): the abort indicator is written and this core cannot go on.
     */
    private void msrListsOnExit() {
        if (!exitMsrLists) return;
        if (vmcs.read(VmcsFields.VM_EXIT_MSR_STORE_COUNT) != 0) {
            int bad = MsrAreas.storeOnExit(vmcs, vm.memory(), cpu);
            if (bad != 0) throw abort(MsrArea.VM_EXIT_STORE, bad);
        }
        if (vmcs.read(VmcsFields.VM_EXIT_MSR_LOAD_COUNT) != 0) {
            int bad = MsrAreas.loadOnExit(vmcs, vm.memory(), hostMsrs);
            if (bad != 0) throw abort(MsrArea.VM_EXIT_LOAD, bad);
        }
    }

    private IllegalStateException abort(MsrArea area, int entry) {
        vmcs.setAbortIndicator(area.abortIndicator);
        return new IllegalStateException("VMX abort " + area.abortIndicator + " on vCPU " + id + ": entry " + entry
                + " of the " + area + " MSR list failed (SDM Vol. 3C 28.7)");
    }

    /** The modelled MSRs of the host core this vCPU runs on (the VM-exit MSR-load list writes them). */
    public HostMsrs hostMsrs() {
        return hostMsrs;
    }

    private void saveTimer() {
        if (timerActive()
                && (vmcs.read(VmcsFields.VM_EXIT_CONTROLS) & Controls.EXIT_SAVE_PREEMPTION_TIMER) != 0) {
            long left = Math.max(0, timerDeadline - hostTsc()) >>> org.jvmx.vmx.entry.VmxCapabilityMsrs.PREEMPTION_TIMER_RATE;
            vmcs.write(VmcsFields.VMX_PREEMPTION_TIMER_VALUE, Math.min(left, 0xFFFF_FFFFL));
        }
    }

    /** HLT activity state: sleeps until an event that ends it (26.7, SDM Vol. 3A 6.9). */
    private VmExit waitInHlt() {
        while (true) {
            VmExit x = eventExits();
            if (x != null) return x;
            if (activity != Controls.ACTIVITY_HLT) return null; // an event was delivered
            cpu.stopRequested = false;
            if (kicked || nmiPending || irqPending && interruptsOpenOrExiting()) continue;
            if (haltReturns) return WOULD_BLOCK;
            if (timerActive()) {
                long left = timerDeadline - hostTsc();
                if (left > 0) LockSupport.parkNanos(this, left);
            } else {
                LockSupport.park(this);
            }
        }
    }

    /**
     * The wait-for-SIPI activity state blocks external interrupts, NMIs, INIT and SMIs (SDM Vol.
     * 3C 27.6.2): only a SIPI ends it (exit reason 4, qualification = vector), or the host
     * ({@link #kick}, an external-interrupt exit for the monitor's own requests). Null: none yet.
     */
    private VmExit sipiExits() {
        if (kicked) {
            kicked = false;
            return exitFor(ExitReason.EXTERNAL_INTERRUPT, 0, 0, 0);
        }
        initPending = false;
        int v = sipiVector;
        if (v < 0) return null;
        sipiVector = -1;
        return exitFor(ExitReason.STARTUP_IPI, v, 0, 0);
    }

    /** Wait-for-SIPI activity state: sleeps until a SIPI or a kick (see {@link #sipiExits}). */
    private VmExit waitForSipi() {
        while (true) {
            cpu.stopRequested = false;
            VmExit x = sipiExits();
            if (x != null) return x;
            if (haltReturns) return WOULD_BLOCK; // a scheduler requeues it when init/startupIpi/kick pokes it
            LockSupport.park(this);
        }
    }

    private boolean interruptsOpenOrExiting() {
        return interruptsOpen() || (pin() & Controls.PIN_EXTERNAL_INTERRUPT_EXITING) != 0;
    }

    /** A VM exit the vCPU itself causes (not an instruction): recorded in the VMCS as 28.2 says. */
    private VmExit exitFor(ExitReason reason, long qualification, long interruptionInfo, int errorCode) {
        VmxSensitive.recordExitInformation(vmcs, reason, qualification, 0, 0, 0, interruptionInfo, errorCode);
        saveTimer();
        msrListsOnExit();
        if (reason == ExitReason.TRIPLE_FAULT) activity = Controls.ACTIVITY_SHUTDOWN;
        return VmExit.event(reason, qualification, cpu.state.rip, false, interruptionInfo, errorCode);
    }

    @Override
    public void close() {
        engine.close();
        if (activeOn != null) activeOn.vmclear(vmcsAddress);
        privateCore.close();
        HostRegions.free(vmcsAddress);
    }

    @Override
    public String toString() {
        return "vCPU " + id + " of " + vm + (lastExit == null ? "" : ", last " + lastExit);
    }
}
