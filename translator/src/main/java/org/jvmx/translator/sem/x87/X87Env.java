package org.jvmx.translator.sem.x87;

/**
 * The rounding environment of one x87 operation and the exceptions it raises: the FCW's
 * rounding control, precision control and masks in, the FSW exception bits (IE DE ZE OE UE
 * PE, bits 0-5) and C1 out (SDM Vol. 1, 8.1.3 and 8.1.5), and the extended result of the
 * object-free paths. Plain data: the instructions reuse one per CPU ({@link #load}).
 */
public final class X87Env {
    public static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32;
    public static final int RC_NEAREST = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;

    /** FCW bits 11:10. */
    public int rc;
    /** Significand bits the FCW's precision control selects: 24, 53 or 64 (SDM Vol. 1, Table 8-5; 01B reserved, taken as 64). */
    public int precision;
    /** FCW bits 5:0: set means the exception is masked. */
    public int masks;
    /** Raised exceptions (FSW bits 5:0). */
    public int flags;
    /** C1 after a rounded result: the last rounding was upward in magnitude (SDM Vol. 1, 8.1.3.3). */
    public boolean roundedUp;
    /** Scratch of {@link Float80Fast#round}: the kind of result and the weight of its lowest bit. */
    int fastKind, fastLsb;
    /** An extended result delivered without an object: bits 79:64 and 63:0 (see {@link #result}). */
    public int resultSe;
    public long resultSig;

    public X87Env(int fcw) {
        load(fcw);
    }

    /** An environment with full 64-bit precision and the given rounding (for FRNDINT, stores...). */
    public X87Env(int fcw, int precision) {
        load(fcw);
        this.precision = precision;
    }

    /**
     * Starts an operation under {@code fcw}, nothing raised: lets one environment per CPU serve
     * every instruction, so that the hot path allocates none.
     */
    public X87Env load(int fcw) {
        rc = fcw >>> 10 & 3;
        int pc = fcw >>> 8 & 3;
        precision = pc == 0 ? 24 : pc == 2 ? 53 : 64;
        masks = fcw & 0x3F;
        flags = 0;
        roundedUp = false;
        return this;
    }

    /** The extended result left in {@link #resultSe} and {@link #resultSig}. */
    public Float80 result() {
        return new Float80(resultSe, resultSig);
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
