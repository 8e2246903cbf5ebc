package org.jvmx.translator.sem.x87;

/**
 * The rounding environment of one x87 operation and the exceptions it raises: the FCW's
 * rounding control, precision control and masks in, the FSW exception bits (IE DE ZE OE UE
 * PE, bits 0-5) and C1 out (SDM Vol. 1, 8.1.3 and 8.1.5). One per instruction, plain data.
 */
public final class X87Env {
    public static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32;
    public static final int RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;

    /** FCW bits 11:10. */
    public final int rc;
    /** Significand bits the FCW's precision control selects: 24, 53 or 64 (SDM Vol. 1, Table 8-5; 01B reserved, taken as 64). */
    public final int precision;
    /** FCW bits 5:0: set means the exception is masked. */
    public final int masks;
    /** Raised exceptions (FSW bits 5:0). */
    public int flags;
    /** C1 after a rounded result: the last rounding was upward in magnitude (SDM Vol. 1, 8.1.3.3). */
    public boolean roundedUp;

    public X87Env(int fcw) {
        rc = fcw >>> 10 & 3;
        precision = switch (fcw >>> 8 & 3) {
            case 0 -> 24;
            case 2 -> 53;
            default -> 64;
        };
        masks = fcw & 0x3F;
    }

    /** An environment with full 64-bit precision and the given rounding (for FRNDINT, stores...). */
    public X87Env(int fcw, int precision) {
        rc = fcw >>> 10 & 3;
        this.precision = precision;
        masks = fcw & 0x3F;
    }

    public boolean masked(int exception) { return (masks & exception) != 0; }

    public void raise(int exception) { flags |= exception; }

    /** An unmasked exception among those raised: the instruction's destination may stay unchanged. */
    public boolean unmaskedRaised() { return (flags & ~masks & 0x3F) != 0; }

    /** Invalid-operation response: IE, and the QNaN indefinite as the (masked) result. */
    public Float80 invalid() {
        raise(IE);
        return Float80.INDEFINITE;
    }
}
