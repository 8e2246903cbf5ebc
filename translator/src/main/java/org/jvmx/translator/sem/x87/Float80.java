package org.jvmx.translator.sem.x87;

import java.math.BigInteger;

/**
 * An x87 double-extended value (SDM Vol. 1, 4.2.2 and 8.2): bits 79:64 as {@code se} (sign in
 * bit 15, 15-bit exponent biased by 16383), bits 63:0 as {@code sig}, the significand with its
 * explicit integer bit (bit 63). Immutable; the classes of SDM Vol. 1, Table 8-3 and 4.4.
 */
public record Float80(int se, long sig) {
    public static final int BIAS = 16383, EMAX = 0x7FFE;
    /** Unbiased exponent range of normal values, and the weight of a denormal's lowest bit. */
    public static final int EMIN = 1 - BIAS, EMAX_UNBIASED = EMAX - BIAS, DENORMAL_LSB = EMIN - 63;
    public static final long INT_BIT = 1L << 63, QUIET_BIT = 1L << 62;

    public static final Float80 ZERO = new Float80(0, 0), NEG_ZERO = new Float80(0x8000, 0);
    public static final Float80 ONE = new Float80(BIAS, INT_BIT);
    public static final Float80 INFINITY = new Float80(0x7FFF, INT_BIT), NEG_INFINITY = new Float80(0xFFFF, INT_BIT);
    /** The QNaN floating-point indefinite, the masked response to an invalid operation (SDM Vol. 1, 4.8.3.7). */
    public static final Float80 INDEFINITE = new Float80(0xFFFF, 0xC000_0000_0000_0000L);

    /** Classes, in the order FXAM reports them apart from "empty" (SDM Vol. 2A, FXAM). */
    public enum Kind { UNSUPPORTED, NAN, NORMAL, INFINITY, ZERO, DENORMAL }

    public Float80 {
        se &= 0xFFFF;
    }

    public boolean negative() { return (se & 0x8000) != 0; }

    public int exponent() { return se & 0x7FFF; }

    /**
     * The class: exponent 7FFFH with the integer bit clear (pseudo-infinity, pseudo-NaN) and a
     * non-zero exponent without it (unnormal) are unsupported encodings, an invalid operand
     * since the 387 (SDM Vol. 1, 8.2.2); exponent 0 with the integer bit set is a
     * pseudo-denormal, taken as a denormal.
     */
    public Kind kind() {
        int e = exponent();
        if (e == 0x7FFF) {
            if (sig >= 0) return Kind.UNSUPPORTED;
            return (sig << 1) == 0 ? Kind.INFINITY : Kind.NAN;
        }
        if (e == 0) return sig == 0 ? Kind.ZERO : Kind.DENORMAL;
        return sig < 0 ? Kind.NORMAL : Kind.UNSUPPORTED;
    }

    public boolean isNaN() { return kind() == Kind.NAN; }

    public boolean isSignaling() { return kind() == Kind.NAN && (sig & QUIET_BIT) == 0; }

    public boolean isZero() { return exponent() == 0 && sig == 0; }

    public boolean isInfinity() { return kind() == Kind.INFINITY; }

    /** Finite and non-zero: normal or (pseudo-)denormal. */
    public boolean isFiniteNonZero() {
        Kind k = kind();
        return k == Kind.NORMAL || k == Kind.DENORMAL;
    }

    public Float80 quiet() { return new Float80(se, sig | QUIET_BIT); }

    public Float80 negate() { return new Float80(se ^ 0x8000, sig); }

    public Float80 abs() { return new Float80(se & 0x7FFF, sig); }

    public Float80 withSign(boolean neg) { return new Float80(neg ? se | 0x8000 : se & 0x7FFF, sig); }

    /** The significand as an unsigned integer (value = mag * 2^scale for finite values). */
    public BigInteger mag() { return unsigned(sig); }

    /** The power of two of the significand's lowest bit. */
    public int scale() { return Math.max(exponent(), 1) - BIAS - 63; }

    /** The unbiased exponent of the leading one bit of a finite non-zero value. */
    public int leadExponent() { return scale() + 63 - Long.numberOfLeadingZeros(sig); }

    /** The tag this value gets in the tag word: 00 valid, 01 zero, 10 special (SDM Vol. 1, 8.1.7). */
    public int tag() {
        return tag(se, sig);
    }

    /** {@link #tag()} of the value with these bits. */
    public static int tag(int se, long sig) {
        int e = se & 0x7FFF;
        if (e == 0) return sig == 0 ? 1 : 2;
        return e != 0x7FFF && sig < 0 ? 0 : 2;
    }

    /** Normal (SDM Vol. 1, 8.2.2): an exponent in 1..7FFEH with the integer bit set. */
    public static boolean isNormal(int se, long sig) {
        int e = se & 0x7FFF;
        return e != 0 && e != 0x7FFF && sig < 0;
    }

    public static BigInteger unsigned(long v) {
        BigInteger b = BigInteger.valueOf(v & Long.MAX_VALUE);
        return v < 0 ? b.setBit(63) : b;
    }

    @Override
    public String toString() {
        return String.format("%04x:%016x", se, sig);
    }
}
