package org.jvmx.vm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jvmx.translator.exec.CpuidModel;
import org.jvmx.translator.exec.Engine;
import org.jvmx.translator.mem.MmioHandler;
import org.jvmx.translator.mem.PhysicalMemory;
import org.jvmx.vmx.entry.VmxCapabilityMsrs;
import org.jvmx.vmx.exit.VmExit;

/**
 * A virtual machine: guest-physical memory and the vCPUs that run in it. The embedding API of
 * jvmx, shaped like KVM's: add memory regions (RAM, read-only memory, MMIO served by a
 * handler in the runtime, MMIO exit regions the monitor serves on VM exits), create
 * {@link Vcpu}s, set their state, {@link Vcpu#run()} until a VM exit, handle it, run again.
 *
 * <pre>{@code
 * try (Vm vm = Vm.create()) {
 *     vm.addRam(0, 2 << 20);
 *     long cr3 = vm.identityMap(0x1000, 2 << 20);      // page tables: 64-bit guests page
 *     vm.write(0x10000, code);                          // e.g. mov eax, 42; hlt
 *     Vcpu cpu = vm.createVcpu();
 *     cpu.vmwrite(VmcsFields.GUEST_CR3, cr3);
 *     cpu.vmwrite(VmcsFields.GUEST_RIP, 0x10000);
 *     VmExit exit = cpu.run();                          // reason HLT
 *     long rax = cpu.reg(Reg.RAX);                      // 42
 * }
 * }</pre>
 *
 * Regions are added before vCPUs run. Memory accesses by the monitor ({@link #write},
 * {@link #read}) may happen between runs; a vCPU's TLB is flushed on its next VM entry after
 * such a write, as hardware without VPIDs flushes it on every entry.
 */
public final class Vm implements AutoCloseable {
    /** The VMCS revision identifier this model reports in IA32_VMX_BASIC. */
    public static final int VMCS_REVISION = 1;
    /** The physical-address width the model reports (CPUID 80000008H, IA32_VMX_BASIC bit 48 = 0). */
    public static final int PHYSICAL_ADDRESS_WIDTH = org.jvmx.translator.cpu.CpuState.PHYSICAL_ADDRESS_BITS;

    private final PhysicalMemory memory = new PhysicalMemory();
    private final VmxCapabilityMsrs capabilities = new VmxCapabilityMsrs(VMCS_REVISION);
    private final List<Vcpu> vcpus = new ArrayList<>();
    private CpuidModel cpuid = CpuidModel.DEFAULT;
    private Engine.Tier tier = Engine.Tier.MIXED;
    /** Bumped by every monitor write into guest memory; vCPUs flush their TLB when it moved. */
    /** Monitor writes so far (atomic: system calls of several guest threads write concurrently). */
    private final java.util.concurrent.atomic.AtomicLong hostWrites = new java.util.concurrent.atomic.AtomicLong();
    private boolean closed;

    private Vm() {
    }

    public static Vm create() {
        return new Vm();
    }

    /** Adds zeroed RAM at {@code gpa} (4 KiB aligned); returns its backing segment. */
    public MemorySegment addRam(long gpa, long size) {
        return memory.addRam(gpa, size);
    }

    /** Maps {@code image} read-only at {@code gpa}, padded with zeros to whole pages; guest writes are dropped. */
    public void addRom(long gpa, byte[] image) {
        long size = (image.length + 0xFFFL) & ~0xFFFL;
        MemorySegment rom = java.lang.foreign.Arena.ofAuto().allocate(Math.max(size, 4096), 4096);
        MemorySegment.copy(image, 0, rom, ValueLayout.JAVA_BYTE, 0, image.length);
        memory.addRom(gpa, rom);
    }

    /**
     * Guest accesses to [{@code gpa}, {@code gpa + size}) call {@code handler} on the vCPU's thread,
     * in the middle of the instruction: for devices served in the runtime for speed (the local APIC).
     */
    public void addMmio(long gpa, long size, MmioHandler handler) {
        memory.addMmio(gpa, size, Objects.requireNonNull(handler, "handler"));
    }

    /**
     * Adds an MMIO exit region: guest accesses to [{@code gpa}, {@code gpa + size}) are not
     * served in the runtime but leave {@link Vcpu#run()} as EPT-violation exits (basic reason 48,
     * SDM Vol. 3C 28.2.1, Table 28-7) carrying the guest-physical address ({@link VmExit#gpa()},
     * VMCS GUEST_PHYSICAL_ADDRESS), the access size, read/write/fetch, a write's value and the
     * guest-linear address (GUEST_LINEAR_ADDRESS). The VM's guest-physical memory map plays the
     * role of the monitor's EPT: RAM is mapped, exit regions are not, so touching one is an EPT
     * violation as on hardware.
     *
     * <p>A read exits with RIP on the instruction, which has not executed: the monitor answers
     * with {@link Vcpu#completeMmioRead} and the next run completes it. A write is posted: the
     * exit comes after the instruction completed (RIP after it), one exit per write, in order.
     * A fetch exits with qualification bit 2; there is nothing to complete. A locked
     * read-modify-write is a read exit, then a posted write (not atomic with respect to the
     * device, which the monitor serves alone). The monitor's own accesses ({@link #read}, {@link #write}) see nothing at an exit region.
     */
    public void addMmioExit(long gpa, long size) {
        memory.addMmioExit(gpa, size);
    }

    /** Guest-physical memory, for monitors that need the whole interface (atomics, region lookup). */
    public PhysicalMemory memory() {
        return memory;
    }

    /**
     * Copies {@code bytes} into guest-physical memory at {@code gpa} (read-only regions
     * included). Translated guest code in the range is dropped. Call it while no vCPU runs.
     */
    public void write(long gpa, byte[] bytes) {
        for (int k = 0; k < bytes.length; ) {
            PhysicalMemory.Region r = memory.regionAt(gpa + k);
            if (r != null && r.ram() != null) {
                long off = gpa + k - r.base();
                int n = (int) Math.min(bytes.length - k, r.size() - off);
                MemorySegment.copy(bytes, k, r.ram(), ValueLayout.JAVA_BYTE, off, n);
                k += n;
            } else {
                memory.write(gpa + k, 1, bytes[k]);
                k++;
            }
        }
        wrote(gpa, bytes.length);
    }

    /** After a monitor write: vCPUs drop code translated from the range and flush their TLBs on entry. */
    private void wrote(long gpa, long length) {
        hostWrites.incrementAndGet();
        // The code pages are the memory's, shared by every vCPU: one report reaches all their caches.
        for (long p = gpa; p < gpa + length; ) {
            long end = Math.min(gpa + length, (p | 0xFFF) + 1);
            memory.codePages().written(p, (int) (end - p));
            p = end;
        }
    }

    /** Writes the low {@code size} (1, 2, 4 or 8) bytes of {@code value} at {@code gpa}. */
    public void writeValue(long gpa, int size, long value) {
        memory.write(gpa, size, value);
        wrote(gpa, size);
    }

    /** Reads {@code length} bytes of guest-physical memory (all ones where nothing is mapped). */
    public byte[] read(long gpa, int length) {
        byte[] b = new byte[length];
        for (int k = 0; k < length; k++) b[k] = (byte) memory.read(gpa + k, 1);
        return b;
    }

    /** Reads {@code size} (1, 2, 4 or 8) bytes at {@code gpa}, zero-extended. */
    public long readValue(long gpa, int size) {
        return memory.read(gpa, size);
    }

    /**
     * Builds 4-level page tables at {@code tables} that map [0, {@code size}) to itself with
     * 2 MiB pages, writable and executable at every privilege, and returns the CR3 value. Uses
     * 2 + ceil(size / 1 GiB) pages of guest memory from {@code tables} on.
     */
    public long identityMap(long tables, long size) {
        if ((tables & 0xFFF) != 0) throw new IllegalArgumentException("page tables must be 4 KiB aligned: " + tables);
        if (size <= 0 || size > 512L << 30) throw new IllegalArgumentException("identity map size out of range: " + size);
        long flags = 0x7; // present, writable, user
        long pdpt = tables + 0x1000;
        long gibs = (size + (1L << 30) - 1) >>> 30;
        writeValue(tables, 8, pdpt | flags);
        for (long g = 0; g < gibs; g++) {
            long pd = tables + 0x2000 + g * 0x1000;
            writeValue(pdpt + g * 8, 8, pd | flags);
            for (long e = 0; e < 512; e++) {
                long pa = (g << 30) + (e << 21);
                if (pa >= size) break;
                writeValue(pd + e * 8, 8, pa | flags | 0x80); // PS: a 2 MiB page
            }
        }
        return tables;
    }

    /** Creates a vCPU, started (on its first {@link Vcpu#run()}) in a flat 64-bit state; see {@link Vcpu}. */
    public synchronized Vcpu createVcpu() {
        if (closed) throw new IllegalStateException("VM is closed");
        Vcpu v = new Vcpu(this, vcpus.size());
        vcpus.add(v);
        return v;
    }

    public synchronized List<Vcpu> vcpus() {
        return Collections.unmodifiableList(new ArrayList<>(vcpus));
    }

    /** What CPUID reports to vCPUs created from now on. */
    public void setCpuid(CpuidModel model) {
        this.cpuid = Objects.requireNonNull(model);
    }

    public CpuidModel cpuid() {
        return cpuid;
    }

    /** The execution tier of vCPUs created from now on (default MIXED: interpreted, hot code compiled). */
    public void setTier(Engine.Tier tier) {
        this.tier = Objects.requireNonNull(tier);
    }

    public Engine.Tier tier() {
        return tier;
    }

    /** The VMX capability MSRs (IA32_VMX_*) this model reports, which its VM-entry checks enforce. */
    public VmxCapabilityMsrs capabilities() {
        return capabilities;
    }

    long hostWrites() {
        return hostWrites.get();
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (Vcpu v : vcpus) v.close();
        memory.close();
    }
}
