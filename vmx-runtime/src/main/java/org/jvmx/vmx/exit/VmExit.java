package org.jvmx.vmx.exit;

import org.jvmx.vmx.vmcs.ExitReason;

/**
 * One VM exit as the monitor sees it: what the processor records in the VMCS exit-information
 * fields (SDM Vol. 3C, 28.2: exit reason, exit qualification, VM-exit instruction length and
 * instruction information, guest-linear address) plus details decoded for the monitor's
 * convenience.
 *
 * @param reason            the basic exit reason (28.2.1, Appendix C)
 * @param qualification     the exit qualification in the format of 28.2.1 for this reason
 * @param instructionLength the length of the instruction that exited (0 for exceptions)
 * @param instructionInfo   VM-exit instruction information where defined (28.2.5), else 0
 * @param guestLinear       the guest-linear-address field where defined (28.2.1), else 0
 * @param guestRip          RIP of the instruction (it has not executed)
 * @param msr               the MSR index (ECX) for RDMSR/WRMSR, else -1
 * @param value             OUT data, WRMSR value, MOV-to-CR source, RAX at VMCALL (the hypercall number), else 0
 * @param entryFailure      bit 31 of the exit reason: the VM entry failed (27.8; reasons 33, 34)
 * @param interruptionInfo  VM-exit interruption information (28.2.2) for exception, NMI and
 *                          acknowledged external-interrupt exits, else 0
 * @param errorCode         VM-exit interruption error code where bit 11 of the information says so, else 0
 * @param guestPhysical     EPT violations (reason 48): the guest-physical address accessed (the
 *                          GUEST_PHYSICAL_ADDRESS field, 28.2.1), else 0
 * @param accessSize        EPT violations on MMIO exit regions: the access size in bytes (1, 2, 4, 8),
 *                          decoded for the monitor (no VMCS field holds it), else 0
 */
public record VmExit(ExitReason reason, long qualification, int instructionLength, long instructionInfo,
        long guestLinear, long guestRip, int msr, long value, boolean entryFailure, long interruptionInfo,
        int errorCode, long guestPhysical, int accessSize) {

    /** Exit qualification bits of an EPT violation (SDM Vol. 3C 28.2.1, Table 28-7). */
    public static final long EPT_READ = 1, EPT_WRITE = 2, EPT_FETCH = 4, EPT_LINEAR_VALID = 1 << 7,
            EPT_TRANSLATED = 1 << 8;

    /** An exit with every field but the EPT-violation ones. */
    public VmExit(ExitReason reason, long qualification, int instructionLength, long instructionInfo,
            long guestLinear, long guestRip, int msr, long value, boolean entryFailure, long interruptionInfo,
            int errorCode) {
        this(reason, qualification, instructionLength, instructionInfo, guestLinear, guestRip, msr, value,
                entryFailure, interruptionInfo, errorCode, 0, 0);
    }

    /**
     * An EPT violation for an access to an MMIO exit region: {@code qualification} holds the
     * access bits of Table 28-7; {@code value} the data of a write.
     */
    public static VmExit eptViolation(long qualification, long gpa, long linear, int size, long value, long guestRip) {
        return new VmExit(ExitReason.EPT_VIOLATION, qualification, 0, 0, linear, guestRip, -1, value, false, 0, 0, gpa,
                size);
    }

    /** An exit caused by an instruction or event with no interruption information. */
    public VmExit(ExitReason reason, long qualification, int instructionLength, long instructionInfo,
            long guestLinear, long guestRip, int msr, long value) {
        this(reason, qualification, instructionLength, instructionInfo, guestLinear, guestRip, msr, value, false, 0,
                0);
    }

    /** An exit that carries no instruction: external interrupt, window, timer, triple fault, entry failure. */
    public static VmExit event(ExitReason reason, long qualification, long guestRip, boolean entryFailure,
            long interruptionInfo, int errorCode) {
        return new VmExit(reason, qualification, 0, 0, 0, guestRip, -1, 0, entryFailure, interruptionInfo, errorCode);
    }

    /** The exit-reason field as the VMCS holds it (basic reason, bit 31 for a failed entry). */
    public long reasonField() {
        return reason.fieldValue(entryFailure) & 0xFFFF_FFFFL;
    }

    /** Exception/NMI/interrupt exits: the vector in bits 7:0 of the interruption information. */
    public int vector() { return (int) (interruptionInfo & 0xFF); }

    /** Exception/NMI/interrupt exits: the event type in bits 10:8 (Table 25-17 types). */
    public int interruptionType() { return (int) (interruptionInfo >>> 8) & 7; }

    /** I/O exits (Table 28-5): the port, bits 31:16. */
    public int ioPort() { return (int) (qualification >>> 16) & 0xFFFF; }

    /** I/O exits: the access size in bytes (bits 2:0 hold size - 1). */
    public int ioSize() { return (int) (qualification & 7) + 1; }

    /** I/O exits: bit 3, 1 for IN. */
    public boolean ioIn() { return (qualification & 8) != 0; }

    /** I/O exits: bit 4, INS/OUTS. */
    public boolean ioString() { return (qualification & 16) != 0; }

    /** I/O exits: bit 5, REP prefixed. */
    public boolean ioRep() { return (qualification & 32) != 0; }

    /** I/O exits: bit 6, 1 when the port was an immediate operand, 0 for DX. */
    public boolean ioImmediate() { return (qualification & 64) != 0; }

    /** Control-register exits (Table 28-3): the CR number, bits 3:0. */
    public int crNumber() { return (int) (qualification & 0xF); }

    /** Control-register exits: access type, bits 5:4 (0 MOV to CR, 1 MOV from CR, 2 CLTS, 3 LMSW). */
    public int crAccessType() { return (int) (qualification >>> 4) & 3; }

    /** Control-register and MOV DR exits: the general-purpose register, bits 11:8. */
    public int gpr() { return (int) (qualification >>> 8) & 0xF; }

    /** LMSW exits: the 16-bit source data, bits 31:16. */
    public int lmswSource() { return (int) (qualification >>> 16) & 0xFFFF; }

    /** MOV DR exits (Table 28-4): the debug register, bits 2:0. */
    public int drNumber() { return (int) (qualification & 7); }

    /** MOV DR exits: bit 4, 1 for MOV from DR. */
    public boolean drRead() { return (qualification & 16) != 0; }

    /** VMCALL: the hypercall number the guest left in RAX. */
    public long hypercall() { return value; }

    /** EPT violations (Table 28-7): the guest-physical address of the access. */
    public long gpa() { return guestPhysical; }

    /** EPT violations on MMIO exit regions: the access size in bytes. */
    public int size() { return accessSize; }

    /** EPT violations: bit 1, a data write (its value in {@link #value()}). */
    public boolean isWrite() { return (qualification & EPT_WRITE) != 0; }

    /** EPT violations: bit 0, a data read. */
    public boolean isRead() { return (qualification & EPT_READ) != 0; }

    /** EPT violations: bit 2, an instruction fetch. */
    public boolean isFetch() { return (qualification & EPT_FETCH) != 0; }

    /** EPT violations: the guest-linear address, valid when bit 7 of the qualification is set. */
    public long linear() { return guestLinear; }

    /** OUT and WRMSR exits: the data the guest wrote. */
    public long data() { return value; }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(entryFailure ? "VM-entry failure: " : "VM exit: ").append(reason)
                .append(" (").append(reason.number()).append(") at RIP 0x").append(Long.toHexString(guestRip));
        if (qualification != 0) b.append(", qualification 0x").append(Long.toHexString(qualification));
        if (instructionLength != 0) b.append(", length ").append(instructionLength);
        if (reason == ExitReason.EPT_VIOLATION) {
            b.append(isFetch() ? ", fetch" : isWrite() ? ", write" : ", read").append(" of ").append(accessSize)
                    .append(" at GPA 0x").append(Long.toHexString(guestPhysical)).append(" (linear 0x")
                    .append(Long.toHexString(guestLinear)).append(')');
            if (isWrite()) b.append(" value 0x").append(Long.toHexString(value));
        }
        if (msr >= 0) b.append(", MSR 0x").append(Integer.toHexString(msr));
        if (interruptionInfo != 0) b.append(", interruption info 0x").append(Long.toHexString(interruptionInfo));
        return b.toString();
    }
}
