package org.jvmx.translator.sem.x87;

import java.math.BigInteger;

/**
 * Conversions between double-extended and the memory formats of FLD/FST/FILD/FIST/FISTTP/FBLD/FBSTP
 * (SDM Vol. 1, 4.2, 4.7, 8.2; Vol. 2A, FLD, FST, FIST, FISTTP, FBLD, FBSTP). Loads of float32/64
 * are exact (a denormal raises DE, an SNaN raises IE and is quieted); stores round per FCW.RC to
 * the memory format, whatever FCW.PC says.
 */
public final class Float80Convert {
    private Float80Convert() {
    }

    public static Float80 fromLong(long v) {
        if (v == 0) return Float80.ZERO;
        boolean neg = v < 0;
        long m = neg ? -v : v; // Long.MIN_VALUE stays 2^63 as an unsigned magnitude
        int lz = Long.numberOfLeadingZeros(m);
        return new Float80((neg ? 0x8000 : 0) | (Float80.BIAS + 63 - lz), m << lz);
    }

    public static Float80 fromSingle(X87Env env, int bits) {
        return fromBinary(env, bits & 0xFFFFFFFFL, 8, 23);
    }

    public static Float80 fromDouble(X87Env env, long bits) {
        return fromBinary(env, bits, 11, 52);
    }

    private static Float80 fromBinary(X87Env env, long bits, int expBits, int fracBits) {
        int sign = (bits >>> (expBits + fracBits) & 1) != 0 ? 0x8000 : 0;
        int expMax = (1 << expBits) - 1, bias = expMax >> 1;
        int e = (int) (bits >>> fracBits) & expMax;
        long frac = bits & ((1L << fracBits) - 1);
        if (e == expMax) {
            long sig = Float80.INT_BIT | frac << (63 - fracBits);
            if (frac != 0 && (frac >>> (fracBits - 1)) == 0) { // SNaN: IE, quieted
                env.raise(X87Env.IE);
                sig |= Float80.QUIET_BIT;
            }
            return new Float80(sign | 0x7FFF, sig);
        }
        if (e == 0) {
            if (frac == 0) return new Float80(sign, 0);
            env.raise(X87Env.DE);
            int lz = Long.numberOfLeadingZeros(frac);
            // value = frac * 2^(1 - bias - fracBits); leading bit at 63 - lz
            int lead = 1 - bias - fracBits + 63 - lz;
            return new Float80(sign | (lead + Float80.BIAS), frac << lz);
        }
        return new Float80(sign | (e - bias + Float80.BIAS), Float80.INT_BIT | frac << (63 - fracBits));
    }

    /** Whether an unmasked IE/DE/OE/UE stops a store (memory destinations stay unchanged, SDM Vol. 1, 4.9.1). */
    public static boolean storeBlocked(X87Env env) {
        return (env.flags & ~env.masks & (X87Env.IE | X87Env.DE | X87Env.OE | X87Env.UE)) != 0;
    }

    public static int toSingle(X87Env env, Float80 a) {
        return (int) toBinary(env, a, Float80Round.SINGLE, 8);
    }

    public static long toDouble(X87Env env, Float80 a) {
        return toBinary(env, a, Float80Round.DOUBLE, 11);
    }

    private static long toBinary(X87Env env, Float80 a, Float80Round.Format f, int expBits) {
        if (specialForBinary(a)) return specialBinary(env, a, f, expBits);
        return Float80Fast.toBinary(env, a, f, expBits);
    }

    /** Whether {@code a} converts to single/double without rounding: unsupported, NaN, infinity, zero. */
    static boolean specialForBinary(Float80 a) {
        return switch (a.kind()) {
            case UNSUPPORTED, NAN, INFINITY, ZERO -> true;
            default -> false; // a denormal source raises no DE here (measured on this host)
        };
    }

    /** The single/double encoding of a {@link #specialForBinary} value, with its invalid-operation flag. */
    static long specialBinary(X87Env env, Float80 a, Float80Round.Format f, int expBits) {
        int fracBits = f.precision() - 1;
        long sign = a.negative() ? 1L << (fracBits + expBits) : 0;
        long expAll = (1L << expBits) - 1;
        switch (a.kind()) {
            case UNSUPPORTED -> {
                env.raise(X87Env.IE);
                return 1L << (fracBits + expBits) | expAll << fracBits | 1L << (fracBits - 1);
            }
            case NAN -> {
                if (a.isSignaling()) env.raise(X87Env.IE);
                return sign | expAll << fracBits | ((a.sig() | Float80.QUIET_BIT) << 1 >>> (64 - fracBits));
            }
            case INFINITY -> {
                return sign | expAll << fracBits;
            }
            default -> {
                return sign; // ZERO
            }
        }
    }

    /**
     * FIST/FISTP/FISTTP to a {@code bits}-wide integer: rounded per RC (or truncated); a NaN, an
     * infinity, an unsupported value or one out of range raises IE and gives the integer
     * indefinite, the most negative value (SDM Vol. 1, 4.8.3.8).
     */
    public static long toInteger(X87Env env, Float80 a, int bits, boolean truncate) {
        long indefinite = Long.MIN_VALUE >> (64 - bits);
        switch (a.kind()) {
            case UNSUPPORTED, NAN, INFINITY -> {
                env.raise(X87Env.IE);
                return indefinite;
            }
            case ZERO -> {
                return 0;
            }
            default -> { }
        }
        boolean neg = a.negative();
        int scale = a.scale();
        long r; // the magnitude, unsigned
        if (scale >= 0) { // |a| >= 2^63: only -2^63 fits
            r = scale == 0 ? a.sig() : 0;
            if (scale != 0 || a.sig() != Float80.INT_BIT) return outOfRange(env, indefinite);
        } else {
            r = Float80Fast.roundToInteger(env, truncate ? X87Env.RC_ZERO : env.rc, neg, a.sig(), -scale);
        }
        long limit = 1L << (bits - 1); // |v| <= 2^(bits-1) when negative, < it when positive
        if (neg ? Long.compareUnsigned(r, limit) > 0 : Long.compareUnsigned(r, limit) >= 0) return outOfRange(env, indefinite);
        return neg ? -r : r;
    }

    /** An integer out of range: IE instead of PE and C1, the integer indefinite. */
    private static long outOfRange(X87Env env, long indefinite) {
        env.flags &= ~X87Env.PE;
        env.roundedUp = false;
        env.raise(X87Env.IE);
        return indefinite;
    }

    /** FBLD: 18 packed BCD digits and a sign byte (bit 79), loaded exactly (SDM Vol. 2A, FBLD). */
    public static Float80 fromBcd(long low, int high) {
        long v = 0;
        for (int d = 8; d >= 0; d--) {
            int b = d == 8 ? high & 0xFF : (int) (low >>> (8 * d)) & 0xFF;
            v = v * 100 + (b >>> 4) * 10 + (b & 15);
        }
        Float80 f = fromLong(v);
        return (high & 0x8000) != 0 ? f.withSign(true) : f;
    }

    /** FBSTP: rounded per RC; a NaN, infinity or |value| of 10^18 or more raises IE and stores the BCD indefinite. Returns {low, high}. */
    public static long[] toBcd(X87Env env, Float80 a) {
        long[] indefinite = {0xC000_0000_0000_0000L, 0xFFFF};
        if (a.kind() == Float80.Kind.NAN || a.kind() == Float80.Kind.UNSUPPORTED || a.isInfinity()) {
            env.raise(X87Env.IE);
            return indefinite;
        }
        BigInteger r = a.isZero() ? BigInteger.ZERO : a.scale() >= 0 ? a.mag().shiftLeft(Math.min(a.scale(), 80))
                : Float80Round.roundAt(env, a.negative(), a.mag(), a.scale(), 0);
        if (r.compareTo(BigInteger.TEN.pow(18)) >= 0) {
            env.flags &= ~X87Env.PE;
            env.roundedUp = false;
            env.raise(X87Env.IE);
            return indefinite;
        }
        long v = r.longValue(), low = 0;
        for (int d = 0; d < 8; d++) {
            low |= (v % 10 | (v / 10 % 10) << 4) << (8 * d);
            v /= 100;
        }
        long high = v % 10 | (v / 10 % 10) << 4;
        if (a.negative()) high |= 0x8000;
        return new long[] {low, high};
    }
}
