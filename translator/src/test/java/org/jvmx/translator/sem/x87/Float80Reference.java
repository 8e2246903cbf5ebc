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
        Float80 n = Float80Arith.nanOperands(env, a, b);
        if (n != null || stopped(env)) return n == null ? a : n;
        if (a.isInfinity() || b.isInfinity()) {
            if (a.isInfinity() && b.isInfinity() && a.negative() != b.negative()) return env.invalid();
            return a.isInfinity() ? a : b;
        }
        if (a.isZero() && b.isZero()) {
            if (a.negative() == b.negative()) return a;
            return env.rc == X87Env.RC_DOWN ? Float80.NEG_ZERO : Float80.ZERO;
        }
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
        Float80 n = Float80Arith.nanOperands(env, a, b);
        if (n != null || stopped(env)) return n == null ? a : n;
        boolean neg = a.negative() != b.negative();
        if (a.isInfinity() || b.isInfinity()) {
            if (a.isZero() || b.isZero()) return env.invalid();
            return neg ? Float80.NEG_INFINITY : Float80.INFINITY;
        }
        if (a.isZero() || b.isZero()) return neg ? Float80.NEG_ZERO : Float80.ZERO;
        return Float80Round.toExtended(env, neg, a.mag().multiply(b.mag()), a.scale() + b.scale());
    }

    public static Float80 div(X87Env env, Float80 a, Float80 b) {
        Float80 n = Float80Arith.nanOnly(env, a, b);
        if (n != null) return n;
        boolean neg = a.negative() != b.negative();
        // A zero divisor is seen before a denormal dividend: ZE alone (measured on this host).
        if (b.isZero() && a.isFiniteNonZero()) {
            env.raise(X87Env.ZE);
            return neg ? Float80.NEG_INFINITY : Float80.INFINITY;
        }
        Float80Arith.denormals(env, a, b);
        if (stopped(env)) return a;
        if (a.isInfinity()) return b.isInfinity() ? env.invalid() : neg ? Float80.NEG_INFINITY : Float80.INFINITY;
        if (b.isInfinity()) return neg ? Float80.NEG_ZERO : Float80.ZERO;
        if (b.isZero()) {
            if (a.isZero()) return env.invalid();
            env.raise(X87Env.ZE);
            return neg ? Float80.NEG_INFINITY : Float80.INFINITY;
        }
        if (a.isZero()) return neg ? Float80.NEG_ZERO : Float80.ZERO;
        BigInteger[] qr = a.mag().shiftLeft(FAR).divideAndRemainder(b.mag());
        BigInteger q = qr[0].shiftLeft(1);
        if (qr[1].signum() != 0) q = q.setBit(0);
        return Float80Round.toExtended(env, neg, q, a.scale() - b.scale() - FAR - 1);
    }

    public static Float80 sqrt(X87Env env, Float80 a) {
        if (a.negative() && a.isFiniteNonZero()) return env.invalid(); // before the denormal check
        Float80 n = Float80Arith.nanOperand(env, a);
        if (n != null || stopped(env)) return n == null ? a : n;
        if (a.isZero()) return a;
        if (a.negative()) return env.invalid();
        if (a.isInfinity()) return a;
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

    static boolean stopped(X87Env env) {
        return (env.flags & ~env.masks & (X87Env.IE | X87Env.DE)) != 0;
    }

    static long toBinary(X87Env env, Float80 a, Float80Round.Format f, int expBits) {
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
            case ZERO -> {
                return sign;
            }
            default -> { } // a denormal source raises no DE here (measured on this host)
        }
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
        if (n != null || stopped(env)) return n == null ? a : n;
        if (a.isZero() || a.isInfinity() || a.scale() >= 0) return a;
        BigInteger r = Float80Round.roundAt(env, a.negative(), a.mag(), a.scale(), 0);
        if (r.signum() == 0) return a.negative() ? Float80.NEG_ZERO : Float80.ZERO;
        return Float80Round.pack80(new Float80Round.Rounded(a.negative(), r, 0, false));
    }
}
