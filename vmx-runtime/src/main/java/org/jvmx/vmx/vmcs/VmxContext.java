package org.jvmx.vmx.vmcs;

import java.util.HashMap;
import java.util.Map;

/**
 * The VMX state of one logical processor (Intel SDM Vol. 3C, 24.7, 24.11, 25.1): whether it
 * is in VMX operation, its VMXON pointer and its current-VMCS pointer, plus the 4-KiB regions
 * those pointers name.
 * <p>
 * Regions stand in for guest-physical memory: a region present at an address is a
 * {@link Vmcs} whose {@link Vmcs#revisionId()} is what software wrote in its first dword. An
 * address with no region reads as zeroed memory. Each vCPU (or core) has its own context;
 * the regions of one guest may be shared between contexts through the map given at
 * construction. Not thread-safe: a context belongs to the worker that runs it.
 */
public final class VmxContext {
    /** The value of the current-VMCS pointer when there is no current VMCS (SDM 25.1). */
    public static final long INVALID_POINTER = 0xFFFF_FFFF_FFFF_FFFFL;

    private final Map<Long, Vmcs> regions;
    private boolean vmxOperation;
    private long vmxonPointer = INVALID_POINTER;
    private long currentVmcsPointer = INVALID_POINTER;

    public VmxContext() {
        this(new HashMap<>());
    }

    public VmxContext(Map<Long, Vmcs> regions) {
        this.regions = regions;
    }

    /** True between a successful VMXON and VMXOFF. */
    public boolean inVmxOperation() {
        return vmxOperation;
    }

    public long vmxonPointer() {
        return vmxonPointer;
    }

    public long currentVmcsPointer() {
        return currentVmcsPointer;
    }

    public boolean hasCurrentVmcs() {
        return currentVmcsPointer != INVALID_POINTER;
    }

    /** The current VMCS, or {@code null} when the current-VMCS pointer is invalid. */
    public Vmcs currentVmcs() {
        return hasCurrentVmcs() ? regions.get(currentVmcsPointer) : null;
    }

    /** The region at a guest-physical address, or {@code null} (zeroed memory). */
    public Vmcs region(long address) {
        return regions.get(address);
    }

    /** Models software preparing a region: zeroed, with {@code revisionId} in its first dword. */
    public Vmcs allocate(long address, int revisionId) {
        Vmcs v = new Vmcs(revisionId);
        regions.put(address, v);
        return v;
    }

    /** Models software placing an existing region at an address (e.g. a VMCS moved between cores). */
    public void place(long address, Vmcs vmcs) {
        regions.put(address, vmcs);
    }

    Vmcs regionOrZeroed(long address) {
        return regions.computeIfAbsent(address, a -> new Vmcs(0));
    }

    void enterVmxOperation(long vmxon) {
        vmxOperation = true;
        vmxonPointer = vmxon;
        currentVmcsPointer = INVALID_POINTER;
    }

    void leaveVmxOperation() {
        vmxOperation = false;
        vmxonPointer = INVALID_POINTER;
    }

    void setCurrentVmcsPointer(long pointer) {
        currentVmcsPointer = pointer;
    }
}
