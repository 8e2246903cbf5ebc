package org.jvmx.monitor;

/**
 * The hypercall interface jvmx's monitor offers a guest kernel: VMCALL with the call number in
 * RAX and arguments in RBX, RCX, RDX; the result comes back in RAX (negative: an error). Every
 * call is one VM exit (reason 18) served by the monitor, after which the guest continues at the
 * instruction after VMCALL.
 */
public final class Hypercalls {
    private Hypercalls() {
    }

    /** Returns the interface version (1) in RAX. */
    public static final int VERSION = 0;
    /** Prints RCX bytes at guest-physical RBX on the console; RAX = bytes printed. */
    public static final int PRINT = 1;

    /** RAX for an unknown call number. */
    public static final long UNKNOWN = -38; // -ENOSYS
    /** RAX for arguments out of range (a string outside RAM or longer than {@link #MAX_PRINT}). */
    public static final long INVALID = -22; // -EINVAL
    /** The longest string one PRINT call takes. */
    public static final int MAX_PRINT = 1 << 16;
}
