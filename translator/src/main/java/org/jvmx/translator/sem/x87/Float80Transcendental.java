package org.jvmx.translator.sem.x87;

import java.math.BigInteger;

/**
 * The x87 transcendental functions (SDM Vol. 1, 8.3.8-8.3.10; Vol. 2A FSIN, FCOS, FSINCOS, FPTAN,
 * FPATAN, FYL2X, FYL2XP1, F2XM1), evaluated in {@link BigFloat} (200 bits) from the exact
 * operands and rounded once per FCW.RC to 64 bits (precision control does not apply). The
 * argument reduction of the trigonometric functions uses pi to 400 bits, so it is exact for
 * every operand below 2^63.
 */
public final class Float80Transcendental {
    private Float80Transcendental() {
    }

    static final BigFloat PI = machinPi(), HALF_PI = PI.shift(-1), LN2 = ln2();
    /**
     * The pi the hardware reduces by: 66 significant bits (0.C90FDAA22168C234C * 4), as in 400-bit
     * fixed point. The host's large-argument results match a reduction by this value, not by pi.
     */
    private static final BigInteger PI_400 = new BigInteger("C90FDAA22168C234C", 16).shiftLeft(400 - 66);

    /** pi = 16 atan(1/5) - 4 atan(1/239), in fixed point with {@code bits} fractional bits. */
    private static BigInteger machinPiFixed(int bits) {
        int g = bits + 16;
        BigInteger a = atanInverse(5, g).shiftLeft(4).subtract(atanInverse(239, g).shiftLeft(2));
        return a.shiftRight(16);
    }

    private static BigFloat machinPi() {
        return new BigFloat(machinPiFixed(BigFloat.P + 8), -(BigFloat.P + 8)).norm();
    }

    /** atan(1/n) * 2^bits by its series. */
    private static BigInteger atanInverse(int n, int bits) {
        BigInteger one = BigInteger.ONE.shiftLeft(bits), nn = BigInteger.valueOf((long) n * n);
        BigInteger power = one.divide(BigInteger.valueOf(n)), sum = power;
        for (int k = 1; power.signum() != 0; k++) {
            power = power.divide(nn);
            BigInteger term = power.divide(BigInteger.valueOf(2L * k + 1));
            sum = (k & 1) != 0 ? sum.subtract(term) : sum.add(term);
        }
        return sum;
    }

    /** ln 2 = 2 atanh(1/3). */
    private static BigFloat ln2() {
        return atanhSeries(BigFloat.ONE.div(3)).shift(1);
    }

    /** atanh(z) = z + z^3/3 + z^5/5 + ... for small |z|. */
    static BigFloat atanhSeries(BigFloat z) {
        BigFloat z2 = z.mul(z), power = z, sum = z;
        for (int k = 3; ; k += 2) {
            power = power.mul(z2);
            BigFloat term = power.div(k);
            if (term.signum() == 0 || sum.lead() - term.lead() > BigFloat.P + 2) break;
            sum = sum.add(term);
        }
        return sum;
    }

    /** Natural logarithm of x > 0. */
    static BigFloat ln(BigFloat x) {
        int k = x.lead();
        BigFloat m = x.shift(-k); // [1, 2)
        if (m.compareTo(BigFloat.of(3).shift(-1)) > 0) { // keep |z| small: m in [0.75, 1.5)
            m = m.shift(-1);
            k++;
        }
        BigFloat z = m.sub(BigFloat.ONE).div(m.add(BigFloat.ONE));
        return atanhSeries(z).shift(1).add(LN2.mul(BigFloat.of(k)));
    }

    /** ln(1 + x) for small |x|, without cancellation: 2 atanh(x / (2 + x)). */
    static BigFloat ln1p(BigFloat x) {
        return atanhSeries(x.div(BigFloat.of(2).add(x))).shift(1);
    }

    /** e^y - 1, by the series after halving y until it is small, then (e^h - 1) doubled back: t' = t(t + 2). */
    static BigFloat expm1(BigFloat y) {
        int halvings = Math.max(0, y.lead() + 8);
        BigFloat h = y.shift(-halvings);
        BigFloat term = h, sum = h;
        for (int k = 2; ; k++) {
            term = term.mul(h).div(k);
            if (term.signum() == 0 || sum.lead() - term.lead() > BigFloat.P + 2) break;
            sum = sum.add(term);
        }
        for (int i = 0; i < halvings; i++) sum = sum.mul(sum.add(BigFloat.of(2)));
        return sum;
    }

    /** sin and cos of |r| <= pi/4 by their series. */
    static BigFloat[] sinCosSeries(BigFloat r) {
        BigFloat r2 = r.mul(r);
        BigFloat s = r, ts = r, c = BigFloat.ONE, tc = BigFloat.ONE;
        for (int k = 1; k < 200; k++) {
            ts = ts.mul(r2).div((2L * k) * (2L * k + 1)).negate();
            tc = tc.mul(r2).div((2L * k - 1) * (2L * k)).negate();
            if (ts.signum() == 0 && tc.signum() == 0) break;
            boolean small = (ts.signum() == 0 || s.lead() - ts.lead() > BigFloat.P + 2)
                    && (tc.signum() == 0 || c.lead() - tc.lead() > BigFloat.P + 2);
            s = s.add(ts);
            c = c.add(tc);
            if (small) break;
        }
        return new BigFloat[] {s, c};
    }

    /** {sin x, cos x} for a finite x with |x| < 2^63: reduction by pi/2 with pi to 400 bits. */
    static BigFloat[] sinCos(Float80 x) {
        BigInteger mag = x.mag();
        int sc = x.scale();
        // x / (pi/2) = mag * 2^sc * 2 / pi: quadrant n = round of it, r = x - n pi/2
        BigFloat xf = BigFloat.of(x);
        BigInteger n;
        BigFloat r;
        if (x.leadExponent() < -2) {
            n = BigInteger.ZERO;
            r = xf;
        } else {
            // exact reduction: r = (mag * 2^(sc+400) - n * pi_400 * 2^(sc... )) in fixed point with 400 fraction bits
            BigInteger xFixed = sc >= 0 ? mag.shiftLeft(sc + 400) : mag.shiftLeft(400).shiftRight(-sc); // exact: sc >= -63-16445 but |x| >= 1/8 here
            BigInteger halfPi = PI_400.shiftRight(1);
            BigInteger[] qr = xFixed.divideAndRemainder(halfPi);
            n = qr[0];
            BigInteger rem = qr[1];
            if (rem.shiftLeft(1).compareTo(halfPi) > 0) {
                n = n.add(BigInteger.ONE);
                rem = rem.subtract(halfPi);
            }
            r = new BigFloat(rem, -400).norm();
            if (x.negative()) {
                n = n.negate();
                r = r.negate();
            }
        }
        BigFloat[] sc2 = sinCosSeries(r);
        BigFloat s = sc2[0], c = sc2[1];
        return switch (n.intValue() & 3) {
            case 0 -> new BigFloat[] {s, c};
            case 1 -> new BigFloat[] {c, s.negate()};
            case 2 -> new BigFloat[] {s.negate(), c.negate()};
            default -> new BigFloat[] {c.negate(), s};
        };
    }

    /** atan(t) for any finite t. */
    static BigFloat atan(BigFloat t) {
        if (t.signum() == 0) return t;
        boolean neg = t.signum() < 0;
        BigFloat a = t.abs();
        boolean invert = a.compareTo(BigFloat.ONE) > 0;
        if (invert) a = BigFloat.ONE.div(a);
        // atan(a) = 2 atan(a / (1 + sqrt(1 + a^2))), three times
        int doublings = 0;
        for (; doublings < 3 && a.lead() > -8; doublings++) a = a.div(BigFloat.ONE.add(BigFloat.ONE.add(a.mul(a)).sqrt()));
        BigFloat a2 = a.mul(a), power = a, sum = a;
        for (int k = 3; ; k += 2) {
            power = power.mul(a2).negate();
            BigFloat term = power.div(k);
            if (term.signum() == 0 || sum.lead() - term.lead() > BigFloat.P + 2) break;
            sum = sum.add(term);
        }
        sum = sum.shift(doublings);
        if (invert) sum = HALF_PI.sub(sum);
        return neg ? sum.negate() : sum;
    }

    /** atan2(y, x) for finite, not both zero, operands (the FPATAN quadrants). */
    static BigFloat atan2(BigFloat y, BigFloat x) {
        if (x.signum() == 0) return y.signum() > 0 ? HALF_PI : HALF_PI.negate();
        BigFloat a = atan(y.div(x));
        if (x.signum() > 0) return a;
        return y.signum() >= 0 ? a.add(PI) : a.sub(PI);
    }

    // ---- the instructions' arithmetic, special operands per their SDM tables

    /** |x| >= 2^63: out of range for FSIN/FCOS/FSINCOS/FPTAN (C2 set, operand unchanged). */
    public static boolean outOfRange(Float80 x) {
        return x.isFiniteNonZero() && x.leadExponent() >= 63;
    }

    /** FSIN (0), FCOS (1), FPTAN (2, the tangent): finite in-range or special operands. */
    public static Float80 trig(X87Env env, Float80 x, int which) {
        Float80 n = Float80Arith.nanOperand(env, x);
        if (n != null) return n;
        if (x.isInfinity()) return env.invalid();
        if ((env.flags & ~env.masks & X87Env.DE) != 0) return x;
        if (x.isZero()) return which == 1 ? Float80.ONE : x;
        BigFloat[] sc = sinCos(x);
        BigFloat v = switch (which) {
            case 0 -> sc[0];
            case 1 -> sc[1];
            default -> sc[0].div(sc[1]);
        };
        return v.toFloat80(env);
    }

    /** FPATAN: atan(ST(1) / ST(0)) with the signs of both (SDM Vol. 2A, FPATAN, Table 3-30). */
    public static Float80 patan(X87Env env, Float80 y, Float80 x) {
        Float80 n = Float80Arith.nanOperands(env, y, x);
        if (n != null) return n;
        if ((env.flags & ~env.masks & X87Env.DE) != 0) return y;
        boolean yNeg = y.negative();
        BigFloat r;
        if (y.isZero()) {
            if (!x.negative()) return y;                    // +-0 for x >= +0
            r = PI;                                         // +-pi for x <= -0
        } else if (y.isInfinity()) {
            r = x.isInfinity() ? (x.negative() ? PI.mul(BigFloat.of(3)).shift(-2) : PI.shift(-2)) : HALF_PI;
        } else if (x.isInfinity()) {
            if (!x.negative()) return yNeg ? Float80.NEG_ZERO : Float80.ZERO;
            r = PI;
        } else if (x.isZero()) {
            r = HALF_PI;
        } else {
            return atan2(BigFloat.of(y), BigFloat.of(x)).toFloat80(env);
        }
        return (yNeg ? r.negate() : r).toFloat80(env);
    }

    /** FYL2X: ST(1) * log2(ST(0)) (SDM Vol. 2A, FYL2X, Table 3-50). */
    public static Float80 yl2x(X87Env env, Float80 y, Float80 x) {
        Float80 n = Float80Arith.nanOnly(env, y, x);
        if (n != null) return n;
        if (x.negative() && !x.isZero()) return env.invalid(); // before the denormal check
        Float80Arith.denormals(env, y, x);
        if ((env.flags & ~env.masks & X87Env.DE) != 0) return y;
        if (x.isZero()) {
            if (y.isZero()) return env.invalid();
            if (!y.isInfinity()) env.raise(X87Env.ZE);
            return y.negative() ? Float80.INFINITY : Float80.NEG_INFINITY;
        }
        if (x.isInfinity()) {
            if (y.isZero()) return env.invalid();
            return y.negative() ? Float80.NEG_INFINITY : Float80.INFINITY;
        }
        BigFloat l = ln(BigFloat.of(x)).div(LN2);
        boolean one = x.exponent() == Float80.BIAS && x.sig() == Float80.INT_BIT;
        if (one) {
            if (y.isInfinity()) return env.invalid();
            return (y.negative() ? Float80.NEG_ZERO : Float80.ZERO);
        }
        if (y.isInfinity()) return (l.signum() < 0) != y.negative() ? Float80.NEG_INFINITY : Float80.INFINITY;
        if (y.isZero()) return (l.signum() < 0) != y.negative() ? Float80.NEG_ZERO : Float80.ZERO;
        return BigFloat.of(y).mul(l).toFloat80(env);
    }

    /** FYL2XP1: ST(1) * log2(ST(0) + 1) for |ST(0)| < 1 - sqrt(2)/2 (SDM Vol. 2A, FYL2XP1). */
    public static Float80 yl2xp1(X87Env env, Float80 y, Float80 x) {
        Float80 n = Float80Arith.nanOperands(env, y, x);
        if (n != null) return n;
        if ((env.flags & ~env.masks & X87Env.DE) != 0) return y;
        if (x.isZero()) {
            if (y.isInfinity()) return env.invalid();
            return y.negative() != x.negative() ? Float80.NEG_ZERO : Float80.ZERO;
        }
        if (y.isZero()) {
            if (x.isInfinity()) return env.invalid();
            return y.negative() != x.negative() ? Float80.NEG_ZERO : Float80.ZERO;
        }
        if (x.isInfinity() || y.isInfinity()) {
            if (x.isInfinity() && x.negative()) return env.invalid();
            return y.negative() != x.negative() ? Float80.NEG_INFINITY : Float80.INFINITY;
        }
        BigFloat xf = BigFloat.of(x);
        if (xf.compareTo(BigFloat.ONE.negate()) <= 0) { // undefined by the SDM; this host returns x, inexact
            env.raise(X87Env.PE);
            return x;
        }
        return BigFloat.of(y).mul(ln1p(xf).div(LN2)).toFloat80(env);
    }

    /** F2XM1: 2^ST(0) - 1 for -1 <= ST(0) <= 1 (SDM Vol. 2A, F2XM1). */
    public static Float80 f2xm1(X87Env env, Float80 x) {
        Float80 n = Float80Arith.nanOperand(env, x);
        if (n != null) return n;
        if ((env.flags & ~env.masks & X87Env.DE) != 0) return x;
        if (x.isZero()) return x;
        if (x.isInfinity()) return x.negative() ? Float80.ONE.negate() : x;
        BigFloat xf = BigFloat.of(x);
        if (xf.abs().compareTo(BigFloat.ONE) > 0) { // undefined by the SDM; this host returns x, inexact
            env.raise(X87Env.PE);
            return x;
        }
        return expm1(xf.mul(LN2)).toFloat80(env);
    }
}
