package org.jvmx.translator.mem;

/**
 * An architectural exception raised by a guest access (SDM Vol. 3A, 6.15). The interpreter
 * and translated code catch it, restore the state of the faulting instruction and deliver
 * {@link #vector()} to the guest.
 *
 * <p>Guest faults are frequent and expected, so the stack trace is not filled in.
 */
public class GuestFault extends RuntimeException {
    public static final int GP = 13;
    public static final int SS = 12;
    public static final int PF = 14;

    private final int vector;
    private final int errorCode;

    public GuestFault(int vector, int errorCode, String message) {
        super(message, null, false, false);
        this.vector = vector;
        this.errorCode = errorCode;
    }

    /** #GP(code), e.g. a non-canonical data address (SDM Vol. 3A, 6.15, interrupt 13). */
    public static GuestFault generalProtection(int code) {
        return new GuestFault(GP, code, "#GP(" + code + ")");
    }

    /** #SS(code), e.g. a non-canonical stack address (SDM Vol. 3A, 6.15, interrupt 12). */
    public static GuestFault stackFault(int code) {
        return new GuestFault(SS, code, "#SS(" + code + ")");
    }

    public int vector() {
        return vector;
    }

    public int errorCode() {
        return errorCode;
    }
}
