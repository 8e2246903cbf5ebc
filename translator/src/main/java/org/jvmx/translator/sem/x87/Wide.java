package org.jvmx.translator.sem.x87;

/**
 * Unsigned 128-bit steps on pairs of longs (hi:lo) that the fixed-width x87 arithmetic needs:
 * the quotient of a 128-bit by a 64-bit number and the integer square root of a 128-bit number.
 */
final class Wide {
    private Wide() {
    }

    private static final long B = 1L << 32, M32 = 0xFFFF_FFFFL;

    /**
     * floor((u1:u0) / v) for unsigned u1 < v (so that the quotient fits 64 bits): schoolbook
     * division by two 32-bit digits of the normalized divisor, each estimated from its top digit
     * and corrected (at most twice). The remainder is {@code u0 - q * v} (it is below v).
     */
    static long divide(long u1, long u0, long v) {
        int s = Long.numberOfLeadingZeros(v);
        v <<= s;
        long vn1 = v >>> 32, vn0 = v & M32;
        long un32 = s == 0 ? u1 : u1 << s | u0 >>> (64 - s);
        long un10 = u0 << s;
        long un1 = un10 >>> 32, un0 = un10 & M32;
        long q1 = Long.divideUnsigned(un32, vn1);
        long rhat = un32 - q1 * vn1;
        while (Long.compareUnsigned(q1, B) >= 0 || Long.compareUnsigned(q1 * vn0, rhat << 32 | un1) > 0) {
            q1--;
            rhat += vn1;
            if (Long.compareUnsigned(rhat, B) >= 0) break;
        }
        long un21 = (un32 << 32 | un1) - q1 * v;
        long q0 = Long.divideUnsigned(un21, vn1);
        rhat = un21 - q0 * vn1;
        while (Long.compareUnsigned(q0, B) >= 0 || Long.compareUnsigned(q0 * vn0, rhat << 32 | un0) > 0) {
            q0--;
            rhat += vn1;
            if (Long.compareUnsigned(rhat, B) >= 0) break;
        }
        return q1 << 32 | q0;
    }

    /**
     * floor(sqrt(hi:lo)) for hi >= 2^62 (unsigned; the root is then in [2^63, 2^64)): a double
     * estimate, one Newton step on the exact residual, then exact correction by squaring.
     */
    static long sqrt(long hi, long lo) {
        double n = unsignedToDouble(hi) * 0x1p64 + unsignedToDouble(lo);
        long s = doubleToUnsigned(Math.sqrt(n));
        // residual n - s^2 as a signed 128-bit number (small), then s += residual / 2s
        long sqHi = Math.unsignedMultiplyHigh(s, s), sqLo = s * s;
        long dLo = lo - sqLo, dHi = hi - sqHi - (Long.compareUnsigned(lo, sqLo) < 0 ? 1 : 0);
        double residual = dHi * 0x1p64 + unsignedToDouble(dLo);
        long corrected = s + (long) Math.rint(residual / (2 * unsignedToDouble(s)));
        if (residual > 0 && Long.compareUnsigned(corrected, s) < 0) corrected = -1L; // past 2^64 - 1
        s = corrected;
        while (greater(Math.unsignedMultiplyHigh(s, s), s * s, hi, lo)) s--;
        while (s != -1L && !greater(Math.unsignedMultiplyHigh(s + 1, s + 1), (s + 1) * (s + 1), hi, lo)) s++;
        return s;
    }

    /** (aHi:aLo) > (bHi:bLo), unsigned. */
    static boolean greater(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c > 0 || c == 0 && Long.compareUnsigned(aLo, bLo) > 0;
    }

    static double unsignedToDouble(long v) {
        double d = (double) (v >>> 1) * 2.0;
        return d + (v & 1);
    }

    /** A non-negative double below 2^64 (saturated there) as an unsigned long, truncated. */
    static long doubleToUnsigned(double d) {
        if (d >= 0x1p64) return -1L;
        if (d >= 0x1p63) return (long) (d - 0x1p63) | Long.MIN_VALUE;
        return (long) d;
    }
}
