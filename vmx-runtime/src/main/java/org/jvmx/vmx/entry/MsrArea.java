package org.jvmx.vmx.entry;

import org.jvmx.vmx.vmcs.VmcsField;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * The three MSR lists a VMCS names (SDM Vol. 3C, 25.7.2 VM-exit controls for MSRs and 25.8.2
 * VM-entry controls for MSRs): where each one's count and physical address live, and what a
 * failure while processing it means. Each list is {@code count} entries of 16 bytes: bits 31:0
 * the MSR index, bits 63:32 reserved (must be 0), bits 127:64 the MSR data (Table 25-15).
 */
public enum MsrArea {
    /** Loaded into the guest after guest-state loading (27.4); a failure is a VM-entry failure, reason 34. */
    VM_ENTRY_LOAD(VmcsFields.VM_ENTRY_MSR_LOAD_COUNT, VmcsFields.VM_ENTRY_MSR_LOAD_ADDR, true, 0),
    /** Guest MSRs stored after the guest-state save (28.4); a failure is VMX abort 1 (28.7). */
    VM_EXIT_STORE(VmcsFields.VM_EXIT_MSR_STORE_COUNT, VmcsFields.VM_EXIT_MSR_STORE_ADDR, false, 1),
    /** Host MSRs loaded after the host state (28.6); a failure is VMX abort 4 (28.7). */
    VM_EXIT_LOAD(VmcsFields.VM_EXIT_MSR_LOAD_COUNT, VmcsFields.VM_EXIT_MSR_LOAD_ADDR, true, 4);

    /** Bytes per entry (Table 25-15). */
    public static final int ENTRY_BYTES = 16;

    /** The 32-bit count field. */
    public final VmcsField count;
    /** The 64-bit physical address field (16-byte aligned; checked by {@link EntryRule} at entry). */
    public final VmcsField address;
    /** True for a list that loads MSRs (WRMSR semantics), false for the store list (RDMSR semantics). */
    public final boolean loads;
    /**
     * The VMX-abort indicator a failure in this list writes at offset 4 of the VMCS region
     * (28.7: 1 failure saving guest MSRs, 4 failure loading host MSRs); 0 for the VM-entry list,
     * whose failure is not an abort but a VM-entry failure (27.8).
     */
    public final int abortIndicator;

    MsrArea(VmcsField count, VmcsField address, boolean loads, int abortIndicator) {
        this.count = count;
        this.address = address;
        this.loads = loads;
        this.abortIndicator = abortIndicator;
    }
}
