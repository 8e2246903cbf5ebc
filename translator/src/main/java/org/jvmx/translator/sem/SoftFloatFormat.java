package org.jvmx.translator.sem;

/**
 * An IEEE 754 binary interchange format as SSE uses it (SDM Vol. 1, 4.2.2): single (binary32)
 * and double (binary64). Values travel as raw bits in the low bits of a {@code long}.
 */
public final class SoftFloatFormat {
    public static final SoftFloatFormat F32 = new SoftFloatFormat(24, 8, 0xFFC0_0000L);
    public static final SoftFloatFormat F64 = new SoftFloatFormat(53, 11, 0xFFF8_0000_0000_0000L);

    /** Significand precision, including the hidden bit. */
    public final int p;
    public final int bias, emin, emax, expBits;
    /** Total width in bits. */
    public final int width;
    public final long signBit, fracMask, expMask, quietBit, allBits;
    /** The QNaN floating-point indefinite (SDM Vol. 1, 4.8.3.7). */
    public final long indefinite;

    private SoftFloatFormat(int p, int expBits, long indefinite) {
        this.p = p;
        this.expBits = expBits;
        this.width = p + expBits;
        this.bias = (1 << (expBits - 1)) - 1;
        this.emin = 1 - bias;
        this.emax = bias;
        this.signBit = 1L << (width - 1);
        this.fracMask = (1L << (p - 1)) - 1;
        this.expMask = ((1L << expBits) - 1) << (p - 1);
        this.quietBit = 1L << (p - 2);
        this.allBits = width == 64 ? -1L : (1L << width) - 1;
        this.indefinite = indefinite;
    }

    public boolean isNaN(long v) {
        return (v & expMask) == expMask && (v & fracMask) != 0;
    }

    public boolean isSNaN(long v) {
        return isNaN(v) && (v & quietBit) == 0;
    }

    public boolean isInf(long v) {
        return (v & ~signBit & allBits) == expMask;
    }

    public boolean isZero(long v) {
        return (v & ~signBit & allBits) == 0;
    }

    public boolean isDenormal(long v) {
        return (v & expMask) == 0 && (v & fracMask) != 0;
    }

    public boolean negative(long v) {
        return (v & signBit) != 0;
    }

    public long quiet(long v) {
        return v | quietBit;
    }

    public long zero(boolean neg) {
        return neg ? signBit : 0;
    }

    public long inf(boolean neg) {
        return expMask | (neg ? signBit : 0);
    }

    /** The largest finite magnitude with the given sign. */
    public long max(boolean neg) {
        return (expMask - (1L << (p - 1))) | fracMask | (neg ? signBit : 0);
    }

    /** The significand with its hidden bit (denormals: the fraction). */
    long sig(long v) {
        long f = v & fracMask;
        return (v & expMask) == 0 ? f : f | (1L << (p - 1));
    }

    /** The exponent of the significand's unit bit: value = sig * 2^exp2. */
    int exp2(long v) {
        int e = (int) ((v & expMask) >>> (p - 1));
        return (e == 0 ? 1 : e) - bias - (p - 1);
    }
}
