package org.jvmx.sched;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongUnaryOperator;
import org.jvmx.vm.Vm;
import org.jvmx.vmx.Descriptors;
import org.jvmx.vmx.vmcs.Vmcs;
import org.jvmx.vmx.vmcs.VmcsField;
import org.jvmx.vmx.vmcs.VmcsFields;
import org.jvmx.vmx.vmcs.VmxCapabilities;
import org.jvmx.vmx.vmcs.VmxContext;
import org.jvmx.vmx.vmcs.VmxInstructions;
import org.jvmx.vmx.vmcs.VmxResult;

/**
 * One physical core: a logical processor in VMX root operation with its own VMXON region and
 * current-VMCS pointer ({@link VmxContext} over the shared {@link HostRegions}), and its own host
 * state — a GDT and a 64-bit TSS at host addresses no other core uses, so that the VMCS
 * host-state fields HOST_GDTR_BASE, HOST_TR_BASE and HOST_GS_BASE (the per-core data area) are
 * different on every core (SDM Vol. 3C 25.5; a VM exit loads them, 28.5).
 *
 * <p>The TSS descriptor in the GDT is built and decoded with {@link Descriptors}, on longs: the
 * TSS base is chosen with bits 31:24 = 0x80 so a base stitched from its parts with an
 * {@code int} shift would sign-extend and not match (DESIGN.md, "Cores are real too").
 *
 * <p>The context belongs to the thread that runs this core, with one exception: a vCPU that
 * moves to another core is VMCLEARed here by that other core's thread (hardware sends an IPI for
 * it). Every VMCLEAR and VMPTRLD on this context therefore happens under this core's lock
 * ({@link #vmclear}, {@link #vmptrld}); a cross-core VMCLEAR only ever touches this core's
 * current-VMCS pointer when it names the VMCS this core ran last and has not replaced yet.
 */
public final class Core implements AutoCloseable {
    /** Host GDT of core n at GDT_BASE + n * CORE_STRIDE; its TSS a page above, its per-core data two. */
    public static final long GDT_BASE = 0xFFFF_8880_8010_0000L, CORE_STRIDE = 0x1_0000L;
    /** Host GDT layout: null, 64-bit code 0x08, data 0x10, the 16-byte TSS descriptor at 0x18. */
    public static final int HOST_CS = 0x08, HOST_DS = 0x10, HOST_TR = 0x18;
    private static final int GDT_ENTRIES = 8;
    private static final int GDT_LIMIT = GDT_ENTRIES * 8 - 1;
    /** A 64-bit TSS is 104 bytes (SDM Vol. 3A 8.7, Figure 8-11); a VM exit loads limit 0x67 (28.5.2). */
    private static final long TSS_LIMIT = 0x67;

    private static final AtomicInteger ids = new AtomicInteger();

    private final int id;
    private final VmxContext context = HostRegions.newContext();
    private final VmxInstructions vmx = new VmxInstructions(
            new VmxCapabilities(Vm.VMCS_REVISION, Vm.PHYSICAL_ADDRESS_WIDTH, false),
            (ctx, vmcs, resume) -> { throw new IllegalStateException("VM entries are the vCPU's"); });
    private final long vmxon;
    private final long gdtBase, tssBase, gsBase;
    /** The host GDT's quadwords (host memory at {@link #gdtBase}). */
    private final long[] gdt = new long[GDT_ENTRIES];
    private final Object lock = new Object();
    /** VMCS regions active on this core (launched or current here, not cleared): KVM's loaded-VMCS list. */
    private final Set<Long> active = new HashSet<>();
    private boolean closed;
    /** Fault injection only ({@link Scheduler.Options#faultSkipHostRefresh}): never write host-state fields. */
    private final boolean skipHostRefresh;

    private Core(int id, boolean skipHostRefresh) {
        this.id = id;
        this.skipHostRefresh = skipHostRefresh;
        this.gdtBase = GDT_BASE + id * CORE_STRIDE;
        this.tssBase = gdtBase + 0x1000;
        this.gsBase = gdtBase + 0x2000;
        gdt[1] = new Descriptors.Segment(0, 0xFFFF_FFFFL, 0xB, true, 0, true, false, true, false, true).encode();
        gdt[2] = new Descriptors.Segment(0, 0xFFFF_FFFFL, 0x3, true, 0, true, false, false, true, true).encode();
        // TR holds a busy TSS once loaded (LTR marks it busy, SDM Vol. 3A 8.2.4).
        Descriptors.Wide tss = new Descriptors.SystemSegment(tssBase, TSS_LIMIT, Descriptors.TYPE_TSS_BUSY, 0, true,
                false, false).encode();
        gdt[HOST_TR >>> 3] = tss.low();
        gdt[(HOST_TR >>> 3) + 1] = tss.high();
        this.vmxon = HostRegions.allocate(context, Vm.VMCS_REVISION);
        require("VMXON", vmx.vmxon(context, vmxon));
    }

    /** A new core with an id (and host addresses) no other core of this process has. */
    public static Core create() {
        return new Core(ids.getAndIncrement(), false);
    }

    /** A core that "forgets" to rewrite the host state of a vCPU arriving on it: the bug the exit check catches. */
    static Core createSkippingHostRefresh() {
        return new Core(ids.getAndIncrement(), true);
    }

    public int id() {
        return id;
    }

    /** This core's VMX state: the context the vCPU it runs uses for VMLAUNCH, VMRESUME, VMREAD, VMWRITE. */
    public VmxContext context() {
        return context;
    }

    public long gdtBase() {
        return gdtBase;
    }

    public long tssBase() {
        return tssBase;
    }

    /** VMCLEAR of {@code vmcs} on this core (31.3), from any thread; a closed core cleared everything already. */
    public void vmclear(long vmcs) {
        synchronized (lock) {
            if (closed) return;
            require("VMCLEAR", vmx.vmclear(context, vmcs));
            active.remove(vmcs);
        }
    }

    /** VMPTRLD of {@code vmcs} on this core (31.3): it becomes current and active here. */
    public void vmptrld(long vmcs) {
        synchronized (lock) {
            if (closed) throw new IllegalStateException("core " + id + " is closed");
            require("VMPTRLD", vmx.vmptrld(context, vmcs));
            active.add(vmcs);
        }
    }

    /** Whether {@code vmcs} is this core's current VMCS. */
    public boolean isCurrent(long vmcs) {
        synchronized (lock) {
            return context.currentVmcsPointer() == vmcs;
        }
    }

    /** Receives the host-state fields a core owns. */
    @FunctionalInterface
    public interface HostFieldWriter {
        void write(VmcsField field, long value);
    }

    /**
     * Writes the per-core host-state fields (25.5) into the current VMCS through {@code w}: what
     * a hypervisor rewrites when a vCPU arrives on a core (the TSS, GDT and per-core data of the
     * new core; CR3, CR0, CR4, RIP and the IDT are the same on every core).
     */
    public void writeHostState(HostFieldWriter w) {
        if (skipHostRefresh) return;
        w.write(VmcsFields.HOST_TR_SELECTOR, HOST_TR);
        w.write(VmcsFields.HOST_TR_BASE, tssBase);
        w.write(VmcsFields.HOST_GDTR_BASE, gdtBase);
        w.write(VmcsFields.HOST_GS_BASE, gsBase);
        w.write(VmcsFields.HOST_FS_BASE, 0);
    }

    /**
     * The check made on every VM exit this core takes: the host state the exit loads (28.5.1,
     * 28.5.2) is this core's. HOST_GDTR_BASE, HOST_TR_SELECTOR and HOST_GS_BASE must be this
     * core's, and HOST_TR_BASE must equal the base of the TSS descriptor that HOST_TR_SELECTOR
     * names in this core's GDT, decoded from the descriptor. Anything else is a host crash.
     */
    public void verifyHostState(Vmcs vmcs, int vcpu, Object exit) {
        long gdtr = vmcs.read(VmcsFields.HOST_GDTR_BASE);
        long tr = vmcs.read(VmcsFields.HOST_TR_BASE);
        long sel = vmcs.read(VmcsFields.HOST_TR_SELECTOR);
        long gs = vmcs.read(VmcsFields.HOST_GS_BASE);
        // The common case, allocation-free: the fields are this core's and so is the base decoded
        // from the TSS descriptor they name; anything else takes the full table walk below.
        if (gdtr == gdtBase && sel == HOST_TR && tr == tssBase && gs == gsBase
                && Descriptors.systemBase(gdt[HOST_TR >>> 3], gdt[(HOST_TR >>> 3) + 1]) == tr) {
            return;
        }
        StringBuilder m = new StringBuilder("HOST STATE CORRUPTION on core ").append(id).append(" at the VM exit of vCPU ")
                .append(vcpu).append(" (").append(exit).append("):");
        mismatch(m, "HOST_GDTR_BASE", gdtBase, gdtr);
        mismatch(m, "HOST_TR_SELECTOR", HOST_TR, sel);
        mismatch(m, "HOST_TR_BASE", tssBase, tr);
        mismatch(m, "HOST_GS_BASE", gsBase, gs);
        long decoded;
        try {
            decoded = decodedTrBase((int) sel);
        } catch (Descriptors.DescriptorException e) {
            m.append(" TSS descriptor at selector 0x").append(Long.toHexString(sel)).append(" of this core's GDT: ")
                    .append(e.getMessage()).append(';');
            decoded = tr;
        }
        mismatch(m, "TSS descriptor base in this core's GDT vs HOST_TR_BASE", decoded, tr);
        throw new HostStateCorruption(m.toString());
    }

    /** The TSS base decoded from the descriptor {@code selector} names in this core's GDT (3.4.5, 8.2.3). */
    long decodedTrBase(int selector) {
        LongUnaryOperator table = off -> gdt[(int) (off >>> 3)];
        return Descriptors.trBase(table, GDT_LIMIT, selector);
    }

    private static void mismatch(StringBuilder m, String what, long expected, long found) {
        if (expected != found) {
            m.append(' ').append(what).append(" expected 0x").append(Long.toHexString(expected))
                    .append(" found 0x").append(Long.toHexString(found)).append(';');
        }
    }

    private static void require(String what, VmxResult r) {
        if (!r.succeeded()) throw new IllegalStateException(what + " failed on a host core: " + r);
    }

    /**
     * Leaves VMX operation: every VMCS still active here is VMCLEARed first (so its data is in
     * memory and it can be launched on another core), then VMXOFF (31.3).
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) return;
            for (long a : active) vmx.vmclear(context, a);
            active.clear();
            vmx.vmxoff(context);
            HostRegions.free(vmxon);
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "core " + id;
    }
}
