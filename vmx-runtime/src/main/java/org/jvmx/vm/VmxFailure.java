package org.jvmx.vm;

import org.jvmx.vmx.vmcs.VmInstructionError;
import org.jvmx.vmx.vmcs.VmxResult;

/**
 * A VMX instruction the monitor issued through {@link Vcpu} failed: VMfailInvalid (no current
 * VMCS) or VMfailValid with the VM-instruction error number the SDM gives (Vol. 3C, 31.4), for
 * example 7 for a VM entry with invalid control fields or 12 for VMREAD of an unsupported
 * component. A monitor bug, not a guest event: guest-state failures are VM exits instead.
 */
public final class VmxFailure extends RuntimeException {
    private final VmxResult result;

    VmxFailure(String what, VmxResult result) {
        super(what + ": " + result);
        this.result = result;
    }

    public VmxResult result() {
        return result;
    }

    /** The VM-instruction error, or null for VMfailInvalid. */
    public VmInstructionError error() {
        return result.error();
    }
}
