package org.jvmx.vm;

/**
 * The general-purpose registers a monitor reads and writes with {@link Vcpu#reg} and
 * {@link Vcpu#setReg}. They are not part of the VMCS (SDM Vol. 3C, 25.4: the guest-state area
 * holds RSP, RIP and RFLAGS but no other GPR), exactly as on hardware, where a monitor saves
 * them itself on every VM exit. RSP is listed for convenience: it lives in the VMCS field
 * {@code GUEST_RSP}, and {@code reg(RSP)} reads that field.
 */
public enum Reg {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15;

    /** The register's number in ModRM order (RAX = 0 ... R15 = 15), as exit qualifications give it. */
    public int number() {
        return ordinal();
    }

    public static Reg of(int number) {
        return values()[number];
    }
}
