package org.jvmx.translator.sem.x87;

import java.math.BigInteger;
import org.jvmx.translator.sem.x87.Float80.Kind;

/**
 * The x87 arithmetic on double-extended values, exact then rounded once per FCW.RC and FCW.PC
 * (SDM Vol. 1, 8.1.5: precision control applies to FADD, FSUB(R), FMUL, FDIV(R) and FSQRT).
 * Special operands follow SDM Vol. 1, 4.8.3 and 8.5 and the tables of each instruction in Vol. 2A.
 * Every method leaves the raised exceptions in the {@link X87Env} and returns the masked response;
 * the caller keeps the destination when an unmasked IE, DE or ZE was raised.
 */
public final class Float80Arith {
    private Float80Arith() {
    }

    /**
     * NaN and unsupported operands of a two-operand operation (SDM Vol. 1, Table 4-7, x87 column):
     * an unsupported encoding or an SNaN raises IE; an unsupported one gives the indefinite; two
     * NaNs give the QNaN one of a QNaN/SNaN pair, else the larger significand; the answer is
     * quieted. Then a denormal operand raises DE. Null when neither operand is a NaN/unsupported.
     */
    static Float80 nanOperands(X87Env env, Float80 a, Float80 b) {
        Float80 n = nanOnly(env, a, b);
        if (n == null) denormals(env, a, b);
        return n;
    }

    /** A denormal operand raises DE. */
    static void denormals(X87Env env, Float80 a, Float80 b) {
        if (a.kind() == Kind.DENORMAL || b.kind() == Kind.DENORMAL) env.raise(X87Env.DE);
    }

    /** The NaN/unsupported part of {@link #nanOperands}, without the denormal check. */
    static Float80 nanOnly(X87Env env, Float80 a, Float80 b) {
        Kind ka = a.kind(), kb = b.kind();
        if (ka == Kind.UNSUPPORTED || kb == Kind.UNSUPPORTED) return env.invalid();
        if (ka == Kind.NAN || kb == Kind.NAN) {
            if (a.isSignaling() || b.isSignaling()) env.raise(X87Env.IE);
            if (ka != Kind.NAN) return b.quiet();
            if (kb != Kind.NAN) return a.quiet();
            if (a.isSignaling() != b.isSignaling()) return a.isSignaling() ? b.quiet() : a.quiet();
            int c = Long.compareUnsigned(a.sig() | Float80.QUIET_BIT, b.sig() | Float80.QUIET_BIT);
            if (c == 0) return (a.se() <= b.se() ? a : b).quiet();
            return (c > 0 ? a : b).quiet();
        }
        return null;
    }

    static Float80 nanOperand(X87Env env, Float80 a) {
        Kind k = a.kind();
        if (k == Kind.UNSUPPORTED) return env.invalid();
        if (k == Kind.NAN) {
            if (a.isSignaling()) env.raise(X87Env.IE);
            return a.quiet();
        }
        if (k == Kind.DENORMAL) env.raise(X87Env.DE);
        return null;
    }

    /** Whether an unmasked denormal-operand exception stops the operation here. */
    static boolean stopped(X87Env env) {
        return (env.flags & ~env.masks & (X87Env.IE | X87Env.DE)) != 0;
    }

    public static Float80 add(X87Env env, Float80 a, Float80 b) {
        Float80 r = addSpecial(env, a, b);
        if (r != null) return r;
        addFinite(env, a.se(), a.sig(), b.se(), b.sig());
        return env.result();
    }

    /**
     * The cases of a + b decided without arithmetic (NaNs, a stopping denormal, infinities, two
     * zeros) — shared with the exact reference the tests compare with; null when both are finite
     * and not both zero.
     */
    static Float80 addSpecial(X87Env env, Float80 a, Float80 b) {
        Float80 n = nanOperands(env, a, b);
        if (n != null || stopped(env)) return n == null ? a : n;
        if (a.isInfinity() || b.isInfinity()) {
            if (a.isInfinity() && b.isInfinity() && a.negative() != b.negative()) return env.invalid();
            return a.isInfinity() ? a : b;
        }
        if (a.isZero() && b.isZero()) {
            if (a.negative() == b.negative()) return a;
            return env.rc == X87Env.RC_DOWN ? Float80.NEG_ZERO : Float80.ZERO;
        }
        return null;
    }

    /** The power of two of the lowest significand bit of a finite value with sign/exponent {@code se}. */
    private static int scale(int se) {
        return Math.max(se & 0x7FFF, 1) - Float80.BIAS - 63;
    }

    /**
     * a + b for finite operands given by their sign/exponent and significand, not both zero: the
     * result in {@code env.resultSe/resultSig}.
     */
    public static void addFinite(X87Env env, int ase, long asig, int bse, long bsig) {
        // the operand of the larger scale at the top of a 128-bit window, the other shifted down
        // into it; bits shifted out below the window leave a sticky bit (SDM Vol. 1, 4.8.4)
        int aScale = scale(ase), bScale = scale(bse);
        if (aScale < bScale) {
            int t = ase, ts = aScale;
            long tm = asig;
            ase = bse;
            aScale = bScale;
            asig = bsig;
            bse = t;
            bScale = ts;
            bsig = tm;
        }
        boolean aNeg = (ase & 0x8000) != 0, bNeg = (bse & 0x8000) != 0;
        int d = aScale - bScale;
        long aHi = asig, bs = bsig, bHi, bLo;
        boolean sticky = false;
        if (d == 0) {
            bHi = bs;
            bLo = 0;
        } else if (d < 64) {
            bHi = bs >>> d;
            bLo = bs << (64 - d);
        } else if (d == 64) {
            bHi = 0;
            bLo = bs;
        } else if (d < 128) {
            bHi = 0;
            bLo = bs >>> (d - 64);
            sticky = bs << (128 - d) != 0;
        } else {
            bHi = 0;
            bLo = 0;
            sticky = bs != 0;
        }
        int exp2 = aScale - 64;
        boolean neg = aNeg;
        long hi, lo;
        if (aNeg == bNeg) {
            lo = bLo;
            hi = aHi + bHi;
            boolean carry = Long.compareUnsigned(hi, aHi) < 0;
            if (carry) { // 129 bits: one bit down, into the sticky bit
                sticky |= (lo & 1) != 0;
                lo = lo >>> 1 | hi << 63;
                hi = hi >>> 1 | Long.MIN_VALUE;
                exp2++;
            }
        } else {
            if (d == 0 && Long.compareUnsigned(aHi, bHi) < 0) { // |b| > |a| (only at equal scales)
                long t = aHi;
                aHi = bHi;
                bHi = t;
                neg = bNeg;
            }
            // (aHi:0) - (bHi:bLo) - (sticky ? a part below : 0): borrow one unit of the window, the rest stays sticky
            lo = -bLo;
            hi = aHi - bHi - (bLo != 0 ? 1 : 0);
            if (sticky) {
                hi -= lo == 0 ? 1 : 0;
                lo--;
            }
            if (hi == 0 && lo == 0 && !sticky) { // an exact zero sum: -0 when rounding down, else +0 (IEEE 754)
                env.resultSe = env.rc == X87Env.RC_DOWN ? 0x8000 : 0;
                env.resultSig = 0;
                return;
            }
        }
        Float80Fast.roundExtended(env, neg, hi, lo, sticky, exp2);
    }

    public static Float80 sub(X87Env env, Float80 a, Float80 b) {
        Float80 n = nanOperands(env, a, b);
        if (n != null) return n;
        return add(env, a, b.negate());
    }

    public static Float80 mul(X87Env env, Float80 a, Float80 b) {
        Float80 r = mulSpecial(env, a, b);
        if (r != null) return r;
        mulFinite(env, a.se(), a.sig(), b.se(), b.sig());
        return env.result();
    }

    /** The cases of a * b decided without arithmetic; null when both are finite and non-zero. */
    static Float80 mulSpecial(X87Env env, Float80 a, Float80 b) {
        Float80 n = nanOperands(env, a, b);
        if (n != null || stopped(env)) return n == null ? a : n;
        boolean neg = a.negative() != b.negative();
        if (a.isInfinity() || b.isInfinity()) {
            if (a.isZero() || b.isZero()) return env.invalid();
            return neg ? Float80.NEG_INFINITY : Float80.INFINITY;
        }
        if (a.isZero() || b.isZero()) return neg ? Float80.NEG_ZERO : Float80.ZERO;
        return null;
    }

    /** a * b for finite non-zero operands: the exact 128-bit product, rounded; the result in {@code env.resultSe/resultSig}. */
    public static void mulFinite(X87Env env, int ase, long asig, int bse, long bsig) {
        boolean neg = ((ase ^ bse) & 0x8000) != 0;
        Float80Fast.roundExtended(env, neg, Math.unsignedMultiplyHigh(asig, bsig), asig * bsig, false, scale(ase) + scale(bse));
    }

    public static Float80 div(X87Env env, Float80 a, Float80 b) {
        Float80 r = divSpecial(env, a, b);
        if (r != null) return r;
        divFinite(env, a.se(), a.sig(), b.se(), b.sig());
        return env.result();
    }

    /** The cases of a / b decided without arithmetic; null when both are finite and non-zero. */
    static Float80 divSpecial(X87Env env, Float80 a, Float80 b) {
        Float80 n = nanOnly(env, a, b);
        if (n != null) return n;
        boolean neg = a.negative() != b.negative();
        // A zero divisor is seen before a denormal dividend: ZE alone (measured on this host).
        if (b.isZero() && a.isFiniteNonZero()) {
            env.raise(X87Env.ZE);
            return neg ? Float80.NEG_INFINITY : Float80.INFINITY;
        }
        denormals(env, a, b);
        if (stopped(env)) return a;
        if (a.isInfinity()) return b.isInfinity() ? env.invalid() : neg ? Float80.NEG_INFINITY : Float80.INFINITY;
        if (b.isInfinity()) return neg ? Float80.NEG_ZERO : Float80.ZERO;
        if (b.isZero()) {
            if (a.isZero()) return env.invalid();
            env.raise(X87Env.ZE);
            return neg ? Float80.NEG_INFINITY : Float80.INFINITY;
        }
        if (a.isZero()) return neg ? Float80.NEG_ZERO : Float80.ZERO;
        return null;
    }

    /** a / b for finite non-zero operands: the result in {@code env.resultSe/resultSig}. */
    public static void divFinite(X87Env env, int ase, long asig, int bse, long bsig) {
        boolean neg = ((ase ^ bse) & 0x8000) != 0;
        // normalized significands; two 64-bit quotient digits of (x * 2^64 or 2^63) / y, the remainder sticky
        int lzx = Long.numberOfLeadingZeros(asig), lzy = Long.numberOfLeadingZeros(bsig);
        long x = asig << lzx, y = bsig << lzy;
        int exp2 = scale(ase) - lzx - scale(bse) + lzy - 128;
        long u1 = x, u0 = 0;
        if (Long.compareUnsigned(x, y) >= 0) {
            u1 = x >>> 1;
            u0 = x << 63;
            exp2++;
        }
        long qHi = Wide.divide(u1, u0, y);
        long r = u0 - qHi * y;
        long qLo = Wide.divide(r, 0, y);
        boolean sticky = -qLo * y != 0;
        Float80Fast.roundExtended(env, neg, qHi, qLo, sticky, exp2);
    }

    public static Float80 sqrt(X87Env env, Float80 a) {
        Float80 r = sqrtSpecial(env, a);
        if (r != null) return r;
        // m * 2^e with m normalized and e even; the root of the 128-bit m * 2^64 (or 2^63) is 64 bits
        int lz = Long.numberOfLeadingZeros(a.sig());
        long m = a.sig() << lz;
        int e = a.scale() - lz - 64;
        long hi = m, lo = 0;
        if ((e & 1) != 0) {
            hi = m >>> 1;
            lo = m << 63;
            e++;
        }
        long s = Wide.sqrt(hi, lo);
        // the remainder n - s^2 (below 2^65) says whether the root lies above s + 1/2: it does when it exceeds s
        long sqLo = s * s, remLo = lo - sqLo;
        long remHi = hi - Math.unsignedMultiplyHigh(s, s) - (Long.compareUnsigned(lo, sqLo) < 0 ? 1 : 0);
        boolean half = remHi != 0 || Long.compareUnsigned(remLo, s) > 0;
        boolean sticky = remHi != 0 || remLo != 0;
        return Float80Fast.toExtended(env, false, s, half ? Long.MIN_VALUE : 0, sticky, e / 2 - 64);
    }

    /** The cases of the square root decided without arithmetic; null for a finite positive operand. */
    static Float80 sqrtSpecial(X87Env env, Float80 a) {
        if (a.negative() && a.isFiniteNonZero()) return env.invalid(); // before the denormal check
        Float80 n = nanOperand(env, a);
        if (n != null || stopped(env)) return n == null ? a : n;
        if (a.isZero()) return a;
        if (a.negative()) return env.invalid();
        if (a.isInfinity()) return a;
        return null;
    }

    /** FRNDINT: to an integer per RC, at full precision (SDM Vol. 2A, FRNDINT). */
    public static Float80 roundToInteger(X87Env env, Float80 a) {
        Float80 n = nanOperand(env, a);
        if (n != null || stopped(env)) return n == null ? a : n;
        if (a.isZero() || a.isInfinity() || a.scale() >= 0) return a;
        long r = Float80Fast.roundToInteger(env, env.rc, a.negative(), a.sig(), -a.scale());
        if (r == 0) return a.negative() ? Float80.NEG_ZERO : Float80.ZERO;
        Float80Fast.pack80(env, a.negative(), r, 0, false);
        return env.result();
    }

    /** FSCALE: ST(0) * 2^trunc(ST(1)) (SDM Vol. 2A, FSCALE, Table 3-46). */
    public static Float80 scale(X87Env env, Float80 a, Float80 b) {
        Float80 n = nanOperands(env, a, b);
        if (n != null || stopped(env)) return n == null ? a : n;
        if (b.isInfinity()) {
            if (b.negative()) return a.isInfinity() ? env.invalid() : a.isZero() ? a : a.negative() ? Float80.NEG_ZERO : Float80.ZERO;
            return a.isZero() ? env.invalid() : a.isInfinity() ? a : a.negative() ? Float80.NEG_INFINITY : Float80.INFINITY;
        }
        if (a.isZero() || a.isInfinity()) return a;
        long k = truncToLong(b);
        int shift = (int) Math.max(-70000, Math.min(70000, k));
        return Float80Round.pack80(Float80Round.round(env, a.negative(), a.mag(), a.scale() + shift,
                Float80Round.extended(64), true));
    }

    /** The integer part of a finite value, saturated to about 2^40 (enough for any exponent change). */
    static long truncToLong(Float80 b) {
        if (b.isZero()) return 0;
        int e = b.scale();
        long v;
        if (e >= 0) v = e > 40 ? 1L << 40 : Math.min(1L << 40, b.mag().shiftLeft(e).min(BigInteger.ONE.shiftLeft(40)).longValue());
        else v = e <= -64 ? 0 : b.mag().shiftRight(-e).min(BigInteger.ONE.shiftLeft(40)).longValue();
        return b.negative() ? -v : v;
    }

    /**
     * FXTRACT (SDM Vol. 2A, FXTRACT): {exponent, significand}. Zero raises ZE and gives
     * {-inf, the zero}; infinity gives {+inf, the infinity}; a denormal is normalized (DE).
     */
    public static Float80[] extract(X87Env env, Float80 a) {
        Float80 n = nanOperand(env, a);
        if (n != null) return new Float80[] {n, n};
        if (stopped(env)) return null;
        if (a.isZero()) {
            env.raise(X87Env.ZE);
            return new Float80[] {Float80.NEG_INFINITY, a};
        }
        if (a.isInfinity()) return new Float80[] {Float80.INFINITY, a};
        int lead = a.leadExponent();
        long sig = a.sig() << Long.numberOfLeadingZeros(a.sig());
        Float80 significand = new Float80((a.negative() ? 0x8000 : 0) | Float80.BIAS, sig);
        return new Float80[] {Float80Convert.fromLong(lead), significand};
    }

    /** Compare result: ST(0) greater, less, equal, unordered. */
    public static final int GREATER = 0, LESS = 1, EQUAL = 2, UNORDERED = 3;

    /**
     * FCOM/FUCOM/FCOMI/FUCOMI/FTST/FICOM (SDM Vol. 2A, FCOM): any NaN or unsupported operand is
     * unordered; IE for an unsupported one, an SNaN, or any NaN when {@code quiet} is false;
     * DE for a denormal. Zeros compare equal whatever their signs.
     */
    public static int compare(X87Env env, Float80 a, Float80 b, boolean quiet) {
        Kind ka = a.kind(), kb = b.kind();
        if (ka == Kind.UNSUPPORTED || kb == Kind.UNSUPPORTED) {
            env.raise(X87Env.IE);
            return UNORDERED;
        }
        if (ka == Kind.NAN || kb == Kind.NAN) {
            if (!quiet || a.isSignaling() || b.isSignaling()) env.raise(X87Env.IE);
            return UNORDERED;
        }
        if (ka == Kind.DENORMAL || kb == Kind.DENORMAL) env.raise(X87Env.DE);
        int c = compareValues(a, b);
        return c > 0 ? GREATER : c < 0 ? LESS : EQUAL;
    }

    /** Numeric order of two non-NaN values. */
    static int compareValues(Float80 a, Float80 b) {
        if (a.isZero() && b.isZero()) return 0;
        if (a.negative() != b.negative()) return a.negative() ? -1 : 1;
        int c;
        if (a.isInfinity() || b.isInfinity()) c = a.isInfinity() == b.isInfinity() ? 0 : a.isInfinity() ? 1 : -1;
        else if (a.isZero() || b.isZero()) c = a.isZero() ? -1 : 1;
        else {
            int la = a.leadExponent(), lb = b.leadExponent();
            c = la != lb ? Integer.compare(la, lb)
                    : Long.compareUnsigned(a.sig() << Long.numberOfLeadingZeros(a.sig()), b.sig() << Long.numberOfLeadingZeros(b.sig()));
        }
        return a.negative() ? -c : c;
    }

    /**
     * FPREM (IEEE false) / FPREM1 (true): the partial remainder (SDM Vol. 2A, FPREM/FPREM1).
     * Returns the remainder and, in {@code q[0]}, the low three quotient bits, -1 for an
     * incomplete reduction (C2 set): an exponent difference of 64 or more reduces it by
     * 32 + (difference mod 32), or -2 when there is no quotient (a NaN, an invalid operation),
     * which leaves C0 and C3 as they were and clears C1 and C2 (measured on this host).
     */
    public static Float80 remainder(X87Env env, Float80 a, Float80 b, boolean ieee, int[] q) {
        q[0] = -2;
        Float80 n = nanOnly(env, a, b);
        if (n != null) return n;
        if (a.isInfinity() || b.isZero()) return env.invalid(); // before the denormal check
        q[0] = 0;
        denormals(env, a, b);
        if (stopped(env)) return a;
        if (a.isZero() || b.isInfinity()) return a;
        int d = a.leadExponent() - b.leadExponent();
        BigInteger ma = a.mag(), mb = b.mag();
        int ea = a.scale(), eb = b.scale();
        if (d >= 64) {
            int reduce = d - (32 + (d & 31));
            eb += reduce;
            ieee = false;
            q[0] = -1;
        }
        int e = Math.min(ea, eb);
        BigInteger num = ma.shiftLeft(ea - e), den = mb.shiftLeft(eb - e);
        BigInteger[] qr = num.divideAndRemainder(den);
        BigInteger quo = qr[0], r = qr[1];
        boolean neg = a.negative();
        if (ieee) {
            int c = r.shiftLeft(1).compareTo(den);
            if (c > 0 || (c == 0 && quo.testBit(0))) {
                quo = quo.add(BigInteger.ONE);
                r = den.subtract(r);
                neg = !neg;
            }
        }
        if (q[0] == 0) q[0] = quo.intValue() & 7;
        if (r.signum() == 0) return a.negative() ? Float80.NEG_ZERO : Float80.ZERO;
        return Float80Round.pack80(Float80Round.round(env, neg, r, e, Float80Round.extended(64), true));
    }
}
