package org.jvmx.vmx.vmcs;

/**
 * The outcome of a VMX instruction (Intel SDM Vol. 3C, 31.2 "Conventions"): VMsucceed,
 * VMfailInvalid, VMfailValid(n), or a fault the instruction raises instead (#UD, #GP) before
 * any of those. VMREAD and VMPTRST also carry the value they store.
 *
 * @param kind   which outcome
 * @param error  the VM-instruction error of a VMfailValid, otherwise {@code null}
 * @param value  the value stored by VMREAD/VMPTRST on VMsucceed; otherwise 0
 * @param vector the exception vector of a FAULT; otherwise -1
 */
public record VmxResult(Kind kind, VmInstructionError error, long value, int vector) {
    /**
     * SUCCEED, FAIL_INVALID, FAIL_VALID: the three outcomes of SDM 31.2. FAULT: an exception
     * instead ({@link #vector}). ENTRY_FAILURE: VMLAUNCH/VMRESUME passed the control and
     * host-state checks but the guest-state checks or MSR loading failed (SDM 27.8): a VM exit
     * with bit 31 of the exit reason set ({@link #value}) happens instead, and the VMCS stays
     * as it was (not LAUNCHED).
     */
    public enum Kind { SUCCEED, FAIL_INVALID, FAIL_VALID, FAULT, ENTRY_FAILURE }

    /** Exception vectors (SDM Vol. 3A, 6.3.1). */
    public static final int UD = 6;
    public static final int GP = 13;

    static final long CF = 1L;
    static final long PF = 1L << 2;
    static final long AF = 1L << 4;
    static final long ZF = 1L << 6;
    static final long SF = 1L << 7;
    static final long OF = 1L << 11;
    /** The six flags every VMX instruction outcome defines (SDM 31.2). */
    public static final long STATUS_FLAGS = CF | PF | AF | ZF | SF | OF;

    private static final VmxResult SUCCEED = new VmxResult(Kind.SUCCEED, null, 0, -1);
    private static final VmxResult FAIL_INVALID = new VmxResult(Kind.FAIL_INVALID, null, 0, -1);

    public VmxResult {
        if ((kind == Kind.FAIL_VALID) != (error != null)) {
            throw new IllegalArgumentException("an error number goes with VMfailValid and only with it");
        }
    }

    public static VmxResult succeed() {
        return SUCCEED;
    }

    public static VmxResult succeed(long value) {
        return new VmxResult(Kind.SUCCEED, null, value, -1);
    }

    public static VmxResult failInvalid() {
        return FAIL_INVALID;
    }

    public static VmxResult failValid(VmInstructionError error) {
        return new VmxResult(Kind.FAIL_VALID, error, 0, -1);
    }

    /** A VM-entry failure exit with the given exit-reason field (bit 31 set). */
    public static VmxResult entryFailure(long exitReasonField) {
        return new VmxResult(Kind.ENTRY_FAILURE, null, exitReasonField, -1);
    }

    public static VmxResult fault(int vector) {
        return new VmxResult(Kind.FAULT, null, 0, vector);
    }

    public boolean succeeded() {
        return kind == Kind.SUCCEED;
    }

    /** RFLAGS.CF after the instruction: set by VMfailInvalid only. */
    public boolean cf() {
        return kind == Kind.FAIL_INVALID;
    }

    /** RFLAGS.ZF after the instruction: set by VMfailValid only. */
    public boolean zf() {
        return kind == Kind.FAIL_VALID;
    }

    /**
     * RFLAGS after the instruction: VMsucceed clears CF, PF, AF, ZF, SF and OF; VMfailInvalid
     * sets CF and clears the others; VMfailValid sets ZF and clears the others (SDM 31.2).
     * A fault leaves RFLAGS unchanged, and so does an entry failure (the exit loads host state).
     */
    public long applyToRflags(long rflags) {
        if (kind == Kind.FAULT || kind == Kind.ENTRY_FAILURE) {
            return rflags;
        }
        long r = rflags & ~STATUS_FLAGS;
        if (cf()) {
            r |= CF;
        }
        if (zf()) {
            r |= ZF;
        }
        return r;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SUCCEED -> "VMsucceed" + (value != 0 ? "(0x" + Long.toHexString(value) + ")" : "");
            case FAIL_INVALID -> "VMfailInvalid";
            case FAIL_VALID -> "VMfailValid(" + error + ")";
            case FAULT -> "fault(vector " + vector + ")";
            case ENTRY_FAILURE -> "VM-entry failure (exit reason 0x" + Long.toHexString(value) + ")";
        };
    }
}
