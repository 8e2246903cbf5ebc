package org.jvmx.translator.sem.x87;

import java.math.BigInteger;

/**
 * The exact (BigInteger) x87 arithmetic and conversions that the fixed-width paths of
 * {@link Float80Arith} and {@link Float80Convert} replaced, kept as the reference they are
 * compared with: exact result, then one rounding by {@link Float80Round}.
 */
final class Float80Reference {
    private Float80Reference() {
    }

    /** Extra low bits kept when one addend is far smaller than the other (a sticky stand-in). */
    private static final int FAR = 130;

    public static Float80 add(X87Env env, Float80 a, Float80 b) {
        Float80 r = Float80Arith.addSpecial(env, a, b);
        if (r != null) return r;
        BigInteger ma = signed(a), mb = signed(b);
        int ea = a.scale(), eb = b.scale();
        if (ea - eb > FAR + 70) {
            ma = ma.shiftLeft(FAR);
            mb = BigInteger.valueOf(mb.signum());
            ea -= FAR;
            eb = ea;
        } else if (eb - ea > FAR + 70) {
            mb = mb.shiftLeft(FAR);
            ma = BigInteger.valueOf(ma.signum());
            eb -= FAR;
            ea = eb;
        }
        int e = Math.min(ea, eb);
        BigInteger sum = ma.shiftLeft(ea - e).add(mb.shiftLeft(eb - e));
        if (sum.signum() == 0) return env.rc == X87Env.RC_DOWN ? Float80.NEG_ZERO : Float80.ZERO;
        return Float80Round.toExtended(env, sum.signum() < 0, sum.abs(), e);
    }

    public static Float80 sub(X87Env env, Float80 a, Float80 b) {
        Float80 n = Float80Arith.nanOperands(env, a, b);
        if (n != null) return n;
        return add(env, a, b.negate());
    }

    static BigInteger signed(Float80 x) {
        BigInteger m = x.mag();
        return x.negative() ? m.negate() : m;
    }

    public static Float80 mul(X87Env env, Float80 a, Float80 b) {
        Float80 r = Float80Arith.mulSpecial(env, a, b);
        if (r != null) return r;
        boolean neg = a.negative() != b.negative();
        return Float80Round.toExtended(env, neg, a.mag().multiply(b.mag()), a.scale() + b.scale());
    }

    public static Float80 div(X87Env env, Float80 a, Float80 b) {
        Float80 r = Float80Arith.divSpecial(env, a, b);
        if (r != null) return r;
        boolean neg = a.negative() != b.negative();
        BigInteger[] qr = a.mag().shiftLeft(FAR).divideAndRemainder(b.mag());
        BigInteger q = qr[0].shiftLeft(1);
        if (qr[1].signum() != 0) q = q.setBit(0);
        return Float80Round.toExtended(env, neg, q, a.scale() - b.scale() - FAR - 1);
    }

    public static Float80 sqrt(X87Env env, Float80 a) {
        Float80 r = Float80Arith.sqrtSpecial(env, a);
        if (r != null) return r;
        BigInteger m = a.mag();
        int e = a.scale();
        if ((e & 1) != 0) {
            m = m.shiftLeft(1);
            e--;
        }
        m = m.shiftLeft(2 * FAR);
        BigInteger s = m.sqrt();
        e = (e - 2 * FAR) / 2;
        s = s.shiftLeft(1);
        if (s.multiply(s).shiftRight(2).compareTo(m) != 0) s = s.setBit(0);
        return Float80Round.toExtended(env, false, s, e - 1);
    }


    static long toBinary(X87Env env, Float80 a, Float80Round.Format f, int expBits) {
        if (Float80Convert.specialForBinary(a)) return Float80Convert.specialBinary(env, a, f, expBits);
        return Float80Round.packBinary(Float80Round.round(env, a.negative(), a.mag(), a.scale(), f, false), f, expBits);
    }

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
        X87Env e = truncate ? new X87Env(X87Env.RC_ZERO << 10 | env.masks, 64) : env;
        BigInteger r = a.scale() >= 0 ? a.mag().shiftLeft(Math.min(a.scale(), 80)) : Float80Round.roundAt(e, a.negative(), a.mag(), a.scale(), 0);
        if (e != env) {
            env.flags |= e.flags;
            env.roundedUp = e.roundedUp;
        }
        BigInteger v = a.negative() ? r.negate() : r;
        if (v.bitLength() > bits - 1) {
            env.flags &= ~X87Env.PE;
            env.roundedUp = false;
            env.raise(X87Env.IE);
            return indefinite;
        }
        return v.longValue();
    }

    public static Float80 roundToInteger(X87Env env, Float80 a) {
        Float80 n = Float80Arith.nanOperand(env, a);
        if (n != null || Float80Arith.stopped(env)) return n == null ? a : n;
        if (a.isZero() || a.isInfinity() || a.scale() >= 0) return a;
        BigInteger r = Float80Round.roundAt(env, a.negative(), a.mag(), a.scale(), 0);
        if (r.signum() == 0) return a.negative() ? Float80.NEG_ZERO : Float80.ZERO;
        return Float80Round.pack80(new Float80Round.Rounded(a.negative(), r, 0, false));
    }
}
