package org.jvmx.translator.sem.x87;

import java.math.BigInteger;

/**
 * Rounding of an exact result to a binary format (SDM Vol. 1, 4.8.4 rounding, 4.9.1.4-4.9.1.6
 * overflow/underflow/precision, 8.1.5.2 precision control). The value is
 * {@code (-1)^neg * mag * 2^exp2}; a caller that cannot keep it exact appends a sticky bit far
 * enough below the rounding point. Tininess is detected before rounding, as the x87 does
 * (SDM Vol. 1, 4.9.1.5): tiny means below 2^emin, and a masked underflow is signalled only when
 * the tiny result is also inexact. This is the exact (BigInteger) rounding: the common operations
 * round through {@link Float80Fast}, which hands the rare cases (unmasked underflow or overflow) here.
 */
public final class Float80Round {
    private Float80Round() {
    }

    /** A format: significand bits, the unbiased exponent range of normals, and the denormal lowest-bit weight. */
    public record Format(int precision, int emin, int emax, int denormalLsb) {
    }

    public static final Format SINGLE = new Format(24, -126, 127, -149);
    public static final Format DOUBLE = new Format(53, -1022, 1023, -1074);

    /**
     * The register format under precision control: a denormal keeps its lowest bit where a
     * {@code precision}-bit significand with the smallest exponent has it (measured on this
     * host), so with PC=24 or 53 a denormal has fewer bits than the 64-bit field holds.
     */
    public static Format extended(int precision) {
        return new Format(precision, Float80.EMIN, Float80.EMAX_UNBIASED, Float80.EMIN - precision + 1);
    }

    /** A rounded finite result: {@code r * 2^lsb} ({@code r} fits the precision), or an infinity. */
    public record Rounded(boolean neg, BigInteger r, int lsb, boolean infinite) {
    }

    /**
     * Rounds; raises PE/UE/OE in {@code env}, sets C1 for an upward rounding. {@code biasAdjust}
     * (the extended register destinations): an unmasked overflow or underflow delivers the
     * result with its exponent wrapped by 24576 instead (SDM Vol. 1, 4.9.1.4/4.9.1.5, x87 column).
     */
    public static Rounded round(X87Env env, boolean neg, BigInteger mag, int exp2, Format f, boolean biasAdjust) {
        if (mag.signum() == 0) return new Rounded(neg, BigInteger.ZERO, 0, false);
        int lead = exp2 + mag.bitLength() - 1;
        boolean tiny = lead < f.emin();
        if (tiny && biasAdjust && !env.masked(X87Env.UE) && lead + 24576 >= f.emin()) {
            Rounded r = roundNormalRange(env, neg, mag, exp2 + 24576, f);
            env.raise(X87Env.UE);
            return r;
        }
        if (tiny && !biasAdjust && !env.masked(X87Env.UE)) {
            // a store with UE unmasked: UE alone, the memory destination is left unchanged (measured on this host)
            env.raise(X87Env.UE);
            env.roundedUp = false;
            return new Rounded(neg, BigInteger.ZERO, 0, false);
        }
        int lsb = Math.max(lead - f.precision() + 1, f.denormalLsb());
        BigInteger r = roundAt(env, neg, mag, exp2, lsb);
        if (tiny && ((env.flags & X87Env.PE) != 0 || !env.masked(X87Env.UE))) env.raise(X87Env.UE);
        if (r.bitLength() > f.precision()) { // a carry out of the top bit
            r = r.shiftRight(1);
            lsb++;
        }
        int leadAfter = lsb + r.bitLength() - 1;
        if (r.signum() != 0 && leadAfter > f.emax()) {
            if (biasAdjust && !env.masked(X87Env.OE) && lead - 24576 <= f.emax()) {
                env.flags &= ~X87Env.PE;
                env.roundedUp = false;
                Rounded w = roundNormalRange(env, neg, mag, exp2 - 24576, f);
                env.raise(X87Env.OE);
                return w;
            }
            if (!biasAdjust && !env.masked(X87Env.OE)) {
                env.flags &= ~X87Env.PE;
                env.roundedUp = false;
                env.raise(X87Env.OE);
                return new Rounded(neg, BigInteger.ZERO, 0, true);
            }
            return overflow(env, neg, f);
        }
        return new Rounded(neg, r, lsb, false);
    }

    /** Rounding without the exponent range (the wrapped-exponent results). */
    private static Rounded roundNormalRange(X87Env env, boolean neg, BigInteger mag, int exp2, Format f) {
        int lead = exp2 + mag.bitLength() - 1;
        int lsb = lead - f.precision() + 1;
        BigInteger r = roundAt(env, neg, mag, exp2, lsb);
        if (r.bitLength() > f.precision()) {
            r = r.shiftRight(1);
            lsb++;
        }
        return new Rounded(neg, r, lsb, false);
    }

    /**
     * Masked overflow (SDM Vol. 1, Table 4-10): nearest gives infinity; toward zero the largest
     * finite value; toward -inf/+inf infinity on the side rounded to, the largest finite value on
     * the other. OE and PE are raised; C1 is set when infinity is delivered.
     */
    public static Rounded overflow(X87Env env, boolean neg, Format f) {
        env.raise(X87Env.OE | X87Env.PE);
        boolean inf = switch (env.rc) {
            case X87Env.RC_NEAREST -> true;
            case X87Env.RC_DOWN -> neg;
            case X87Env.RC_UP -> !neg;
            default -> false;
        };
        env.roundedUp = inf;
        if (inf) return new Rounded(neg, BigInteger.ZERO, 0, true);
        BigInteger max = BigInteger.ONE.shiftLeft(f.precision()).subtract(BigInteger.ONE);
        return new Rounded(neg, max, f.emax() - f.precision() + 1, false);
    }

    /** {@code mag * 2^exp2} rounded to a multiple of {@code 2^lsb} per RC, as an integer count of {@code 2^lsb}. */
    static BigInteger roundAt(X87Env env, boolean neg, BigInteger mag, int exp2, int lsb) {
        int drop = lsb - exp2;
        if (drop <= 0) {
            env.roundedUp = false;
            return mag.shiftLeft(-drop);
        }
        BigInteger r;
        boolean half, sticky;
        if (drop > mag.bitLength() + 1) {
            r = BigInteger.ZERO;
            half = false;
            sticky = true;
        } else {
            r = mag.shiftRight(drop);
            half = mag.testBit(drop - 1);
            sticky = mag.getLowestSetBit() < drop - 1;
        }
        boolean inexact = half || sticky;
        boolean up = false;
        if (inexact) {
            env.raise(X87Env.PE);
            up = switch (env.rc) {
                case X87Env.RC_NEAREST -> half && (sticky || r.testBit(0));
                case X87Env.RC_DOWN -> neg;
                case X87Env.RC_UP -> !neg;
                default -> false;
            };
        }
        env.roundedUp = up;
        return up ? r.add(BigInteger.ONE) : r;
    }

    // ---- packing

    /** Packs an extended result (normal, denormal, zero or infinity). */
    public static Float80 pack80(Rounded x) {
        int sign = x.neg() ? 0x8000 : 0;
        if (x.infinite()) return new Float80(sign | 0x7FFF, Float80.INT_BIT);
        if (x.r().signum() == 0) return new Float80(sign, 0);
        int lead = x.lsb() + x.r().bitLength() - 1;
        if (lead < Float80.EMIN) // denormal: the lowest bit weighs 2^DENORMAL_LSB
            return new Float80(sign, x.r().shiftLeft(x.lsb() - Float80.DENORMAL_LSB).longValue());
        long sig = x.r().shiftLeft(64 - x.r().bitLength()).longValue();
        return new Float80(sign | ((lead + Float80.BIAS) & 0x7FFF), sig);
    }

    /** Packs a float32/float64 result into its bits. */
    public static long packBinary(Rounded x, Format f, int expBits) {
        int fracBits = f.precision() - 1;
        long sign = x.neg() ? 1L << (fracBits + expBits) : 0;
        long expAll = (1L << expBits) - 1;
        if (x.infinite()) return sign | expAll << fracBits;
        if (x.r().signum() == 0) return sign;
        int lead = x.lsb() + x.r().bitLength() - 1;
        if (lead < f.emin()) return sign | x.r().shiftLeft(x.lsb() - f.denormalLsb()).longValue();
        long frac = x.r().shiftLeft(f.precision() - x.r().bitLength()).longValue() & ((1L << fracBits) - 1);
        return sign | (long) (lead + (int) (expAll >> 1)) << fracBits | frac;
    }

    /** Rounds an exact value to the extended format under the env's precision control. */
    public static Float80 toExtended(X87Env env, boolean neg, BigInteger mag, int exp2) {
        return pack80(round(env, neg, mag, exp2, extended(env.precision), true));
    }
}
