package org.jvmx.vmx.vmcs;

import static org.jvmx.vmx.vmcs.VmInstructionError.*;

/**
 * The architectural outcomes of the VMX instructions in VMX root operation, following the
 * operation sections of Intel SDM Vol. 3C, 31.3 "VMX Instructions".
 * <p>
 * Modelled here: the VMX-operation state, pointer and revision checks, launch states, and
 * VMREAD/VMWRITE of the current VMCS. Left to the caller, which owns the processor state:
 * the faults raised before these checks for CR0/CR4/EFER/CS.L/CPL/RFLAGS.VM conditions and
 * for bad memory operands, reading the pointer operand from memory, and VM exits taken when
 * the instruction runs in VMX non-root operation (25.1.3). Not in VMX operation, every
 * instruction but VMXON raises #UD (31.3, each instruction's "IF (not in VMX operation)").
 * <p>
 * VMfail(n) means VMfailInvalid when there is no current VMCS and VMfailValid(n) otherwise,
 * the error number then being written to the VM-instruction error field of the current
 * VMCS (31.2).
 */
public final class VmxInstructions {
    private final VmxCapabilities caps;
    private final VmEntry entry;

    /**
     * @param entry what VMLAUNCH/VMRESUME check and do once the launch state is right
     *              ({@code org.jvmx.vmx.entry.EntryChecks}, the SDM's VM-entry checks)
     */
    public VmxInstructions(VmxCapabilities caps, VmEntry entry) {
        this.caps = caps;
        this.entry = entry;
    }

    public VmxCapabilities capabilities() {
        return caps;
    }

    /** VMXON (31.3): enter VMX operation with the region at {@code address} as VMXON region. */
    public VmxResult vmxon(VmxContext ctx, long address) {
        if (ctx.inVmxOperation()) {
            // In VMX root operation (non-root would VM-exit, 25.1.3).
            return vmfail(ctx, VMXON_IN_VMX_ROOT);
        }
        if (!caps.isValidRegionAddress(address)) {
            return VmxResult.failInvalid();
        }
        Vmcs region = ctx.region(address);
        int header = region == null ? 0 : region.header();
        // Bit 31 of the VMXON region's first dword must be 0 as well (31.3 VMXON).
        if (header != caps.vmcsRevisionId()) {
            return VmxResult.failInvalid();
        }
        ctx.enterVmxOperation(address);
        return VmxResult.succeed();
    }

    /** VMXOFF (31.3): leave VMX operation. Dual-monitor treatment of SMM (error 23) is not modelled. */
    public VmxResult vmxoff(VmxContext ctx) {
        if (!ctx.inVmxOperation()) {
            return VmxResult.fault(VmxResult.UD);
        }
        ctx.leaveVmxOperation();
        return VmxResult.succeed();
    }

    /**
     * VMCLEAR (31.3): make the region at {@code address} CLEAR and, if it is the current VMCS,
     * leave no current VMCS.
     */
    public VmxResult vmclear(VmxContext ctx, long address) {
        if (!ctx.inVmxOperation()) {
            return VmxResult.fault(VmxResult.UD);
        }
        if (!caps.isValidRegionAddress(address)) {
            return vmfail(ctx, VMCLEAR_INVALID_ADDRESS);
        }
        if (address == ctx.vmxonPointer()) {
            return vmfail(ctx, VMCLEAR_VMXON_POINTER);
        }
        // "Ensure that data for VMCS referenced by the operand is in memory": the Vmcs object is
        // the memory here, so only the launch state changes.
        ctx.regionOrZeroed(address).setLaunchState(LaunchState.CLEAR);
        if (address == ctx.currentVmcsPointer()) {
            ctx.setCurrentVmcsPointer(VmxContext.INVALID_POINTER);
        }
        return VmxResult.succeed();
    }

    /** VMPTRLD (31.3): make the region at {@code address} the current VMCS. */
    public VmxResult vmptrld(VmxContext ctx, long address) {
        if (!ctx.inVmxOperation()) {
            return VmxResult.fault(VmxResult.UD);
        }
        if (!caps.isValidRegionAddress(address)) {
            return vmfail(ctx, VMPTRLD_INVALID_ADDRESS);
        }
        if (address == ctx.vmxonPointer()) {
            return vmfail(ctx, VMPTRLD_VMXON_POINTER);
        }
        Vmcs region = ctx.region(address);
        // A set shadow-VMCS indicator also fails here: VMCS shadowing is not advertised yet.
        if (region == null || region.revisionId() != caps.vmcsRevisionId() || region.isShadow()) {
            return vmfail(ctx, VMPTRLD_INCORRECT_REVISION);
        }
        ctx.setCurrentVmcsPointer(address);
        return VmxResult.succeed();
    }

    /** VMPTRST (31.3): the current-VMCS pointer, FFFFFFFF_FFFFFFFFH if there is none, as the value stored. */
    public VmxResult vmptrst(VmxContext ctx) {
        if (!ctx.inVmxOperation()) {
            return VmxResult.fault(VmxResult.UD);
        }
        return VmxResult.succeed(ctx.currentVmcsPointer());
    }

    /** VMREAD (31.3): the value of the component named by {@code encoding} in the current VMCS. */
    public VmxResult vmread(VmxContext ctx, long encoding) {
        if (!ctx.inVmxOperation()) {
            return VmxResult.fault(VmxResult.UD);
        }
        Vmcs vmcs = ctx.currentVmcs();
        if (vmcs == null) {
            return VmxResult.failInvalid();
        }
        if (!vmcs.supports(encoding)) {
            return failValid(vmcs, UNSUPPORTED_COMPONENT);
        }
        return VmxResult.succeed(vmcs.read(encoding));
    }

    /** VMWRITE (31.3): write the component named by {@code encoding} in the current VMCS. */
    public VmxResult vmwrite(VmxContext ctx, long encoding, long value) {
        if (!ctx.inVmxOperation()) {
            return VmxResult.fault(VmxResult.UD);
        }
        Vmcs vmcs = ctx.currentVmcs();
        if (vmcs == null) {
            return VmxResult.failInvalid();
        }
        VmcsField field = vmcs.table().byEncoding(encoding);
        if (field == null) {
            return failValid(vmcs, UNSUPPORTED_COMPONENT);
        }
        if (field.isReadOnly() && !caps.vmwriteAnyField()) {
            return failValid(vmcs, VMWRITE_READ_ONLY);
        }
        vmcs.write(encoding, value);
        return VmxResult.succeed();
    }

    /** VMLAUNCH (31.3): requires a CLEAR current VMCS; a successful entry makes it LAUNCHED. */
    public VmxResult vmlaunch(VmxContext ctx) {
        return launchOrResume(ctx, false);
    }

    /** VMRESUME (31.3): requires a LAUNCHED current VMCS. */
    public VmxResult vmresume(VmxContext ctx) {
        return launchOrResume(ctx, true);
    }

    private VmxResult launchOrResume(VmxContext ctx, boolean resume) {
        if (!ctx.inVmxOperation()) {
            return VmxResult.fault(VmxResult.UD);
        }
        Vmcs vmcs = ctx.currentVmcs();
        if (vmcs == null) {
            return VmxResult.failInvalid();
        }
        // Blocking by MOV SS (error 26) is checked by the caller, which owns interruptibility.
        if (!resume && vmcs.launchState() != LaunchState.CLEAR) {
            return failValid(vmcs, VMLAUNCH_NON_CLEAR_VMCS);
        }
        if (resume && vmcs.launchState() != LaunchState.LAUNCHED) {
            return failValid(vmcs, VMRESUME_NON_LAUNCHED_VMCS);
        }
        VmxResult r = entry.enter(ctx, vmcs, resume);
        if (r.kind() == VmxResult.Kind.FAIL_VALID) {
            recordError(vmcs, r.error());
        } else if (r.succeeded() && !resume) {
            vmcs.setLaunchState(LaunchState.LAUNCHED);
        }
        return r;
    }

    private static VmxResult vmfail(VmxContext ctx, VmInstructionError error) {
        Vmcs current = ctx.currentVmcs();
        return current == null ? VmxResult.failInvalid() : failValid(current, error);
    }

    private static VmxResult failValid(Vmcs current, VmInstructionError error) {
        recordError(current, error);
        return VmxResult.failValid(error);
    }

    private static void recordError(Vmcs vmcs, VmInstructionError error) {
        int enc = VmcsFields.VM_INSTRUCTION_ERROR.encoding();
        if (vmcs.supports(enc)) {
            vmcs.write(enc, error.number());
        }
    }
}
