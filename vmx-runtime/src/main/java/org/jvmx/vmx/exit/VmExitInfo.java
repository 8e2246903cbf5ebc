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
 */
public record VmExitInfo(ExitReason reason, long qualification, int instructionLength, long instructionInfo,
        long guestLinear, long guestRip, int msr, long value) {

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
}
