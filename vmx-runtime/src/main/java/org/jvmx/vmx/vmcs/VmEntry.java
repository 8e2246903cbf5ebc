package org.jvmx.vmx.vmcs;

/**
 * The part of VMLAUNCH/VMRESUME after the launch-state check: the checks on VMX controls and
 * host-state area (SDM Vol. 3C, 27.2, failing with VMfailValid 7 or 8), the guest-state checks
 * and loading (27.3-27.8, failing as a VM exit with reason 33/34/41), and the switch into the
 * guest. {@link VmxInstructions} calls it with the current VMCS and marks the VMCS LAUNCHED
 * when VMLAUNCH's entry returns VMsucceed.
 */
@FunctionalInterface
public interface VmEntry {
    /**
     * @param resume true for VMRESUME, false for VMLAUNCH
     * @return VMsucceed when the guest was entered; VMfailValid with the entry error otherwise
     */
    VmxResult enter(VmxContext context, Vmcs vmcs, boolean resume);
}
