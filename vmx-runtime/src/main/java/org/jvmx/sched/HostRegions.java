package org.jvmx.sched;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jvmx.vmx.vmcs.Vmcs;
import org.jvmx.vmx.vmcs.VmxContext;

/**
 * Host-physical memory as the VMX instructions of every core see it: one space of 4-KiB regions
 * (VMXON regions of cores, VMCS regions of vCPUs) shared by all {@link VmxContext}s, as physical
 * memory is shared by all logical processors. A VMCS therefore has one address that any core can
 * VMCLEAR or VMPTRLD (SDM Vol. 3C 25.1, 25.11.1), whichever VM it belongs to.
 */
public final class HostRegions {
    /** Region addresses are handed out from here up, 4 KiB apart, never reused. */
    private static final long FIRST = 0x1000_0000L;
    private static final AtomicLong next = new AtomicLong(FIRST);
    private static final Map<Long, Vmcs> regions = new ConcurrentHashMap<>();

    private HostRegions() {}

    /** A fresh VMX context over the shared space: the VMX state of one new logical processor. */
    public static VmxContext newContext() {
        return new VmxContext(regions);
    }

    /** Allocates a zeroed 4-KiB region carrying {@code revisionId} and returns its host-physical address. */
    public static long allocate(VmxContext context, int revisionId) {
        long address = next.getAndAdd(0x1000);
        context.allocate(address, revisionId);
        return address;
    }

    /** Gives a region back (its VMCS must be clear and current nowhere). */
    public static void free(long address) {
        regions.remove(address);
    }
}
