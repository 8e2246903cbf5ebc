package org.jvmx.translator.mem;

/**
 * An architectural exception raised by a guest access (SDM Vol. 3A, 6.15). The interpreter
 * and translated code catch it, restore the state of the faulting instruction and deliver
 * {@link #vector()} to the guest.
 *
 * <p>Guest faults are frequent and expected, so the stack trace is not filled in.
 */
public class GuestFault extends RuntimeException {
    public static final int DE = 0, DB = 1, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11;
    public static final int SS = 12;
    public static final int GP = 13;
    public static final int PF = 14;
    public static final int MF = 16, AC = 17, MC = 18, XM = 19;
    /** Vectors that push an error code (SDM Vol. 3A, Table 6-1). */
    private static final int ERROR_CODE_VECTORS = 1 << DF | 1 << TS | 1 << NP | 1 << SS | 1 << GP | 1 << PF | 1 << AC;

    private final int vector;
    private final int errorCode;
    /** For a trap (INT3, INTO): the RIP after the instruction, where the trap leaves it; -1 for a fault. */
    private long trapNextIp = -1;

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

    /** #UD: invalid or unimplemented opcode, or a feature that is off (SDM Vol. 3A, 6.15, interrupt 6). */
    public static GuestFault invalidOpcode(String why) {
        return new GuestFault(UD, 0, "#UD: " + why);
    }

    /** #DE: divide by zero or a quotient too large for its register (interrupt 0). */
    public static GuestFault divideError() {
        return new GuestFault(DE, 0, "#DE");
    }

    /** #NM: SSE/x87 use with CR0.TS (or CR0.EM for x87) set (interrupt 7). */
    public static GuestFault deviceNotAvailable() {
        return new GuestFault(NM, 0, "#NM");
    }

    /** #XM: an unmasked SIMD floating-point exception (interrupt 19). */
    public static GuestFault simdException() {
        return new GuestFault(XM, 0, "#XM");
    }

    /** Whether delivering {@code vector} pushes an error code. */
    public static boolean hasErrorCode(int vector) {
        return vector < 32 && (ERROR_CODE_VECTORS >>> vector & 1) != 0;
    }

    /** A trap-class exception raised by the instruction ending at {@code nextIp} (SDM Vol. 3A, 6.5: RIP after it). */
    public static GuestFault trap(int vector, long nextIp) {
        GuestFault f = new GuestFault(vector, 0, vector == BP ? "#BP" : "trap " + vector);
        f.trapNextIp = nextIp;
        return f;
    }

    /**
     * INT n (SDM Vol. 2A): not an exception but an event of the same shape, left to the run
     * loop's owner to deliver through the IDT with the software-interrupt rules (gate DPL check,
     * RIP after the instruction, no error code); never selected by a VMX exception bitmap.
     */
    public static GuestFault softwareInterrupt(int vector, long nextIp) {
        GuestFault f = new GuestFault(vector, 0, "INT 0x" + Integer.toHexString(vector));
        f.trapNextIp = nextIp;
        f.software = true;
        return f;
    }

    private boolean software;

    /** Whether this is INT n rather than an exception. */
    public boolean isSoftwareInterrupt() {
        return software;
    }

    /** The RIP a trap leaves (after the instruction), or -1 when this is a fault (RIP on the instruction). */
    public long trapNextIp() {
        return trapNextIp;
    }

    public int vector() {
        return vector;
    }

    public int errorCode() {
        return errorCode;
    }
}
