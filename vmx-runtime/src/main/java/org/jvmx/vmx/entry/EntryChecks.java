package org.jvmx.vmx.entry;

import org.jvmx.vmx.vmcs.ExitReason;
import org.jvmx.vmx.vmcs.VmEntry;
import org.jvmx.vmx.vmcs.VmInstructionError;
import org.jvmx.vmx.vmcs.Vmcs;
import org.jvmx.vmx.vmcs.VmcsFields;
import org.jvmx.vmx.vmcs.VmxContext;
import org.jvmx.vmx.vmcs.VmxResult;

/**
 * The checks of VM entry (Intel SDM Vol. 3C, 27.2 and 27.3.1): every {@link EntryRule} in
 * declaration order, which is the SDM's; the first rule that fails decides the outcome.
 */
public final class EntryChecks implements VmEntry {
    /** The outcome of the checks: {@code failed} is {@code null} when every rule holds. */
    public record Outcome(EntryRule failed) {
        public boolean passed() {
            return failed == null;
        }

        /** VMfailValid 7 or 8 for a control or host-state rule; {@code null} otherwise. */
        public VmInstructionError error() {
            if (failed == null) {
                return null;
            }
            return switch (failed.group()) {
                case CONTROLS -> VmInstructionError.ENTRY_INVALID_CONTROL_FIELDS;
                case HOST -> VmInstructionError.ENTRY_INVALID_HOST_STATE;
                case GUEST -> null;
            };
        }

        /** True when the guest-state checks failed: a VM-entry failure exit (SDM 27.8). */
        public boolean entryFailure() {
            return failed != null && failed.group() == EntryRule.Group.GUEST;
        }

        /** The exit-reason field of a VM-entry failure: 33 with bit 31 set (0x80000021). */
        public long exitReasonField() {
            return ExitReason.ENTRY_FAILURE_INVALID_GUEST_STATE.fieldValue(true) & 0xFFFF_FFFFL;
        }
    }

    private final VmxCapabilityMsrs caps;
    private final int physicalAddressWidth;

    public EntryChecks(VmxCapabilityMsrs caps, int physicalAddressWidth) {
        this.caps = caps;
        this.physicalAddressWidth = physicalAddressWidth;
    }

    public VmxCapabilityMsrs capabilities() {
        return caps;
    }

    /** Runs the rules without touching the VMCS. */
    public Outcome check(Vmcs vmcs) {
        EntryEnv env = new EntryEnv(vmcs, caps, physicalAddressWidth);
        for (EntryRule rule : EntryRule.values()) {
            if (!rule.holds(env)) {
                return new Outcome(rule);
            }
        }
        return new Outcome(null);
    }

    /**
     * VMfailValid(7/8) for control and host-state failures. For a guest-state failure the
     * VM-entry failure is recorded in the VMCS (exit reason 0x80000021, exit qualification of
     * the rule, SDM 27.8) and the result is {@link VmxResult#entryFailure}: the instruction does
     * not VMfail, control passes to the host, and the launch state stays unchanged (SDM 27.8).
     */
    @Override
    public VmxResult enter(VmxContext context, Vmcs vmcs, boolean resume) {
        Outcome o = check(vmcs);
        if (o.passed()) {
            return VmxResult.succeed();
        }
        if (!o.entryFailure()) {
            return VmxResult.failValid(o.error());
        }
        vmcs.write(VmcsFields.VM_EXIT_REASON, o.exitReasonField());
        vmcs.write(VmcsFields.EXIT_QUALIFICATION, o.failed().qualification());
        return VmxResult.entryFailure(o.exitReasonField());
    }
}
