package org.jvmx.translator.sem.x87;

import java.math.BigInteger;

/**
 * Rounding of a 128-bit magnitude with a sticky bit to the extended (under precision control),
 * single and double formats, on longs: the same rounding as {@link Float80Round} (SDM Vol. 1,
 * 4.8.4, 4.9.1.4-4.9.1.6, 8.1.5.2) without BigInteger, for the common operations. The value is
 * {@code (-1)^neg * (hi:lo + s) * 2^exp2} where {@code s}, when {@code sticky}, stands for a
 * non-zero part below bit 0. The rare responses (unmasked underflow or overflow: the wrapped
 * exponent of SDM Vol. 1, 4.9.1.4/4.9.1.5, or a store left undone) go to {@link Float80Round},
 * given the same value exactly (one bit more, the sticky bit). No allocation but the result.
 */
public final class Float80Fast {
    private Float80Fast() {
    }

    /** {@link X87Env#fastKind} after {@link #round}: a finite result, an infinity, or "take the exact path". */
    static final int FINITE = 0, INFINITE = 1, FALLBACK = 2;

    /**
     * Rounds to {@code p} significand bits with the normal range [emin, emax] and denormals whose
     * lowest bit weighs {@code 2^dLsb}. Returns the rounded significand r (the result is
     * {@code r * 2^env.fastLsb}), with {@code env.fastKind} saying which case; raises PE, UE, OE
     * and sets C1 (roundedUp) as {@link Float80Round#round} does on its masked paths. With
     * FALLBACK nothing in {@code env} has changed.
     */
    static long round(X87Env env, boolean neg, long hi, long lo, boolean sticky, int exp2, int p, int emin, int emax, int dLsb) {
        if (hi == 0) { // the caller guarantees a non-zero value
            hi = lo;
            lo = 0;
            exp2 -= 64;
        }
        int lz = Long.numberOfLeadingZeros(hi);
        if (lz != 0) {
            hi = hi << lz | lo >>> (64 - lz);
            lo <<= lz;
            exp2 -= lz;
        }
        int lead = exp2 + 127;
        boolean tiny = lead < emin;
        // an unmasked underflow or a possible unmasked overflow: the exact path has the rare responses
        if (tiny ? (env.masks & X87Env.UE) == 0 : lead >= emax && (env.masks & X87Env.OE) == 0) {
            env.fastKind = FALLBACK;
            return 0;
        }
        int lsb = Math.max(lead - p + 1, dLsb);
        int s = lsb - exp2 - 64; // bits of hi below the rounding point; lsb - exp2 >= 128 - p >= 64
        long r;
        boolean half, rest;
        if (s == 0) {
            r = hi;
            half = lo < 0;
            rest = (lo << 1) != 0 || sticky;
        } else if (s < 64) {
            r = hi >>> s;
            half = (hi >>> (s - 1) & 1) != 0;
            rest = (s > 1 && hi << (65 - s) != 0) || lo != 0 || sticky;
        } else if (s == 64) {
            r = 0;
            half = hi < 0;
            rest = (hi << 1) != 0 || lo != 0 || sticky;
        } else {
            r = 0;
            half = false;
            rest = true;
        }
        boolean up = false;
        if (half || rest) {
            env.flags |= X87Env.PE;
            up = switch (env.rc) {
                case X87Env.RC_NEAREST -> half && (rest || (r & 1) != 0);
                case X87Env.RC_DOWN -> neg;
                case X87Env.RC_UP -> !neg;
                default -> false;
            };
        }
        env.roundedUp = up;
        if (up) {
            r++;
            if (p == 64 ? r == 0 : r == 1L << p) { // a carry out of the top bit
                r = 1L << (p - 1);
                lsb++;
            }
        }
        if (tiny && (env.flags & X87Env.PE) != 0) env.flags |= X87Env.UE;
        if (r != 0 && lsb + 63 - Long.numberOfLeadingZeros(r) > emax) { // masked overflow (SDM Vol. 1, Table 4-10)
            env.flags |= X87Env.OE | X87Env.PE;
            boolean inf = switch (env.rc) {
                case X87Env.RC_NEAREST -> true;
                case X87Env.RC_DOWN -> neg;
                case X87Env.RC_UP -> !neg;
                default -> false;
            };
            env.roundedUp = inf;
            env.fastKind = inf ? INFINITE : FINITE;
            env.fastLsb = emax - p + 1;
            return inf ? 0 : p == 64 ? -1L : (1L << p) - 1;
        }
        env.fastKind = FINITE;
        env.fastLsb = lsb;
        return r;
    }

    /** The value {@code (hi:lo + s) * 2^exp2} as the exact path's magnitude at {@code 2^(exp2 - 1)}. */
    static BigInteger exact(long hi, long lo, boolean sticky) {
        BigInteger b = Float80.unsigned(hi).shiftLeft(64).or(Float80.unsigned(lo)).shiftLeft(1);
        return sticky ? b.setBit(0) : b;
    }

    /** Rounds to the extended format under the env's precision control (an arithmetic result). */
    public static Float80 toExtended(X87Env env, boolean neg, long hi, long lo, boolean sticky, int exp2) {
        roundExtended(env, neg, hi, lo, sticky, exp2);
        return env.result();
    }

    /** {@link #toExtended} with the result left in {@code env.resultSe/resultSig}. */
    public static void roundExtended(X87Env env, boolean neg, long hi, long lo, boolean sticky, int exp2) {
        int p = env.precision;
        long r = round(env, neg, hi, lo, sticky, exp2, p, Float80.EMIN, Float80.EMAX_UNBIASED, Float80.EMIN - p + 1);
        if (env.fastKind == FALLBACK) {
            Float80 x = Float80Round.toExtended(env, neg, exact(hi, lo, sticky), exp2 - 1);
            env.resultSe = x.se();
            env.resultSig = x.sig();
            return;
        }
        pack80(env, neg, r, env.fastLsb, env.fastKind == INFINITE);
    }

    /** Packs a rounded extended result into {@code env.resultSe/resultSig} (see {@link Float80Round#pack80}). */
    static void pack80(X87Env env, boolean neg, long r, int lsb, boolean infinite) {
        int sign = neg ? 0x8000 : 0;
        if (infinite) {
            env.resultSe = sign | 0x7FFF;
            env.resultSig = Float80.INT_BIT;
        } else if (r == 0) {
            env.resultSe = sign;
            env.resultSig = 0;
        } else {
            int lz = Long.numberOfLeadingZeros(r);
            int lead = lsb + 63 - lz;
            if (lead < Float80.EMIN) { // denormal: the lowest bit weighs 2^DENORMAL_LSB
                env.resultSe = sign;
                env.resultSig = r << (lsb - Float80.DENORMAL_LSB);
            } else {
                env.resultSe = sign | (lead + Float80.BIAS);
                env.resultSig = r << lz;
            }
        }
    }

    /**
     * A finite non-zero extended value rounded to float32 ({@code expBits} 8) or float64 (11) per
     * RC, as FST does (see {@link Float80Round#packBinary}).
     */
    static long toBinary(X87Env env, Float80 a, Float80Round.Format f, int expBits) {
        boolean neg = a.negative();
        int p = f.precision();
        long r = round(env, neg, a.sig(), 0, false, a.scale() - 64, p, f.emin(), f.emax(), f.denormalLsb());
        if (env.fastKind == FALLBACK)
            return Float80Round.packBinary(Float80Round.round(env, neg, a.mag(), a.scale(), f, false), f, expBits);
        int fracBits = p - 1;
        long sign = neg ? 1L << (fracBits + expBits) : 0;
        long expAll = (1L << expBits) - 1;
        if (env.fastKind == INFINITE) return sign | expAll << fracBits;
        if (r == 0) return sign;
        int lsb = env.fastLsb;
        int lz = Long.numberOfLeadingZeros(r);
        int lead = lsb + 63 - lz;
        if (lead < f.emin()) return sign | r << (lsb - f.denormalLsb());
        long frac = r << lz >>> (64 - p) & ((1L << fracBits) - 1);
        return sign | (long) (lead + (int) (expAll >> 1)) << fracBits | frac;
    }

    /**
     * {@code mag * 2^-drop} rounded to an integer per {@code rc} (drop >= 1), raising PE and
     * setting C1 as {@link Float80Round#roundAt} does. The result is below 2^64 (unsigned).
     */
    static long roundToInteger(X87Env env, int rc, boolean neg, long mag, int drop) {
        long r;
        boolean half, rest;
        if (drop < 64) {
            r = mag >>> drop;
            half = (mag >>> (drop - 1) & 1) != 0;
            rest = drop > 1 && mag << (65 - drop) != 0;
        } else if (drop == 64) {
            r = 0;
            half = mag < 0;
            rest = (mag << 1) != 0;
        } else {
            r = 0;
            half = false;
            rest = mag != 0;
        }
        boolean up = false;
        if (half || rest) {
            env.flags |= X87Env.PE;
            up = switch (rc) {
                case X87Env.RC_NEAREST -> half && (rest || (r & 1) != 0);
                case X87Env.RC_DOWN -> neg;
                case X87Env.RC_UP -> !neg;
                default -> false;
            };
        }
        env.roundedUp = up;
        return up ? r + 1 : r;
    }
}
