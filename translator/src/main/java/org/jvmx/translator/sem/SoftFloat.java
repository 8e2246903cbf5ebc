package org.jvmx.translator.sem;

import static org.jvmx.translator.sem.Mxcsr.*;

import java.math.BigInteger;

/**
 * IEEE 754 arithmetic on raw bits with the SSE rules (SDM Vol. 1, 4.8 and 11.5): every rounding
 * mode, DAZ/FTZ, the exception flags and the masked responses. Results are computed exactly
 * (integer significands with a sticky bit) and rounded once, so no host rounding mode matters.
 *
 * <p>Per element, the order follows the SDM priority (Vol. 1, 4.9.2): an SNaN operand (IE) or a
 * QNaN operand (no flag) decides first; then DAZ turns denormal operands into zeros, or the
 * remaining denormal operands raise DE; then invalid operations and divide-by-zero; then the
 * rounded result raises OE/UE/PE.
 */
public final class SoftFloat {
    private SoftFloat() {
    }

    // ---- operand preparation

    /** NaN result of a two-operand op (SDM Vol. 1, Table 4-7): the first source's NaN wins; SNaN raises IE. */
    static long propagateNaN(SoftFloatFormat f, long a, long b, Mxcsr m) {
        if (f.isSNaN(a) || f.isSNaN(b)) m.raise(IE);
        return f.quiet(f.isNaN(a) ? a : b);
    }

    /** DAZ: a denormal operand reads as a zero of the same sign; without DAZ it raises DE. */
    static long denormal(SoftFloatFormat f, long v, Mxcsr m) {
        if (!f.isDenormal(v)) return v;
        if (m.daz) return v & f.signBit;
        m.raise(DE);
        return v;
    }

    // ---- rounding

    /** Rounds {@code sig >>> drop} per mode; bit 0 of the return tells inexactness (result in bits 63:1). */
    private static long shiftRound(long sig, int drop, boolean neg, int rc) {
        long q, rest, half;
        if (drop >= 64) {
            q = 0;
            rest = sig;
            half = drop == 64 ? Long.MIN_VALUE : 0; // sig < 2^63: a rest below half unless drop == 64
            boolean inexact = sig != 0;
            boolean up = switch (rc) {
                case RN -> drop == 64 && Long.compareUnsigned(rest, half) > 0;
                case RU -> !neg && inexact;
                case RD -> neg && inexact;
                default -> false;
            };
            return ((up ? 1L : 0L) << 1) | (inexact ? 1 : 0);
        }
        q = sig >>> drop;
        rest = drop == 0 ? 0 : sig & ((1L << drop) - 1);
        boolean inexact = rest != 0;
        boolean up;
        if (!inexact) {
            up = false;
        } else {
            half = 1L << (drop - 1);
            up = switch (rc) {
                case RN -> rest > half || (rest == half && (q & 1) != 0);
                case RU -> !neg;
                case RD -> neg;
                default -> false;
            };
        }
        return ((q + (up ? 1 : 0)) << 1) | (inexact ? 1 : 0);
    }

    /**
     * Rounds the exact value {@code (-1)^neg * sig * 2^exp} (sig > 0, below 2^63; bit 0 may be a
     * sticky bit if sig has at least p+3 significant bits) to format {@code f}: overflow,
     * tininess after rounding, FTZ (SDM Vol. 1, 4.9.1.4, 4.9.1.5, 10.2.3.3).
     */
    static long roundPack(SoftFloatFormat f, boolean neg, long sig, int exp, Mxcsr m) {
        int lz = Long.numberOfLeadingZeros(sig);
        if (lz == 0) { // bit 63: fold the lowest bit into a sticky
            sig = (sig >>> 1) | (sig & 1);
            exp++;
            lz = 1;
        }
        sig <<= lz - 1; // msb at bit 62
        exp -= lz - 1;
        int e = exp + 62; // value in [2^e, 2^(e+1))
        int drop = 63 - f.p;
        long sign = neg ? f.signBit : 0;
        if (e < f.emin) {
            // Tiny unless rounding to p bits with an unbounded exponent reaches 2^emin.
            boolean tiny = true;
            if (e == f.emin - 1) {
                long r = shiftRound(sig, drop, neg, m.rc) >>> 1;
                tiny = r < (1L << f.p);
            }
            if (tiny) {
                if (m.ftz) {
                    m.raise(UE | PE);
                    return sign;
                }
                long r = shiftRound(sig, drop + (f.emin - e), neg, m.rc);
                boolean inexact = (r & 1) != 0;
                // Unmasked, UE is reported for any tiny result, with PE when the result rounded
                // to p bits with an unbounded exponent is inexact; masked, UE needs the
                // denormalized result to be inexact and comes with PE.
                if (!m.masked(UE)) {
                    m.raise(UE);
                    if ((shiftRound(sig, drop, neg, m.rc) & 1) != 0) m.raise(PE);
                } else if (inexact) {
                    m.raise(UE | PE);
                }
                return sign | (r >>> 1); // a carry into the exponent field gives the min normal
            }
        }
        long r = shiftRound(sig, drop, neg, m.rc);
        long q = r >>> 1;
        if (q == 1L << f.p) {
            q >>>= 1;
            e++;
        }
        if (e > f.emax) {
            m.raise(OE);
            if ((r & 1) != 0 || m.masked(OE)) m.raise(PE);
            boolean toInf = switch (m.rc) {
                case RN -> true;
                case RU -> !neg;
                case RD -> neg;
                default -> false;
            };
            return toInf ? f.inf(neg) : f.max(neg);
        }
        if ((r & 1) != 0) m.raise(PE);
        return sign | ((long) (e + f.bias - 1) << (f.p - 1)) + q;
    }

    /** Right shift with the shifted-out bits jammed into bit 0. */
    static long jam(long v, int n) {
        if (n == 0) return v;
        if (n >= 63) return v != 0 ? 1 : 0;
        return (v >>> n) | ((v & ((1L << n) - 1)) != 0 ? 1 : 0);
    }

    // ---- arithmetic

    public static long add(SoftFloatFormat f, long a, long b, Mxcsr m) {
        return addSub(f, a, b, false, m);
    }

    public static long sub(SoftFloatFormat f, long a, long b, Mxcsr m) {
        return addSub(f, a, b, true, m);
    }

    private static long addSub(SoftFloatFormat f, long a, long b, boolean subtract, Mxcsr m) {
        if (f.isNaN(a) || f.isNaN(b)) return propagateNaN(f, a, b, m);
        a = denormal(f, a, m);
        b = denormal(f, b, m);
        boolean na = f.negative(a), nb = f.negative(b) ^ subtract;
        if (f.isInf(a) || f.isInf(b)) {
            if (f.isInf(a) && f.isInf(b) && na != nb) {
                m.raise(IE);
                return f.indefinite;
            }
            return f.isInf(a) ? a : f.inf(nb);
        }
        if (f.isZero(a) && f.isZero(b)) return f.zero(na == nb ? na : m.rc == RD);
        long sa = f.sig(a) << 8, sb = f.sig(b) << 8; // headroom for the sticky bits
        int ea = f.exp2(a) - 8, eb = f.exp2(b) - 8;
        if (sa == 0) return roundPack(f, nb, sb, eb, m);
        if (sb == 0) return roundPack(f, na, sa, ea, m);
        // Normalize both to bit 61, then align the smaller to the larger.
        int la = Long.numberOfLeadingZeros(sa) - 2, lb = Long.numberOfLeadingZeros(sb) - 2;
        sa <<= la;
        ea -= la;
        sb <<= lb;
        eb -= lb;
        if (ea < eb || (ea == eb && Long.compareUnsigned(sa, sb) < 0)) {
            long ts = sa; sa = sb; sb = ts;
            int te = ea; ea = eb; eb = te;
            boolean tn = na; na = nb; nb = tn;
        }
        sb = jam(sb, ea - eb);
        if (na == nb) return roundPack(f, na, sa + sb, ea, m);
        long d = sa - sb;
        if (d == 0) return f.zero(m.rc == RD);
        return roundPack(f, na, d, ea, m);
    }

    public static long mul(SoftFloatFormat f, long a, long b, Mxcsr m) {
        if (f.isNaN(a) || f.isNaN(b)) return propagateNaN(f, a, b, m);
        a = denormal(f, a, m);
        b = denormal(f, b, m);
        boolean neg = f.negative(a) ^ f.negative(b);
        if (f.isInf(a) || f.isInf(b)) {
            if (f.isZero(a) || f.isZero(b)) {
                m.raise(IE);
                return f.indefinite;
            }
            return f.inf(neg);
        }
        if (f.isZero(a) || f.isZero(b)) return f.zero(neg);
        long sa = f.sig(a), sb = f.sig(b);
        int la = Long.numberOfLeadingZeros(sa) - 1, lb = Long.numberOfLeadingZeros(sb) - 1;
        sa <<= la;
        sb <<= lb; // both in [2^62, 2^63): product in [2^124, 2^126)
        long hi = Math.multiplyHigh(sa, sb), lo = sa * sb;
        long sig = (hi << 1) | (lo >>> 63) | ((lo << 1) != 0 ? 1 : 0);
        return roundPack(f, neg, sig, f.exp2(a) - la + f.exp2(b) - lb + 63, m);
    }

    public static long div(SoftFloatFormat f, long a, long b, Mxcsr m) {
        if (f.isNaN(a) || f.isNaN(b)) return propagateNaN(f, a, b, m);
        b = denormal(f, b, m);
        boolean neg = f.negative(a) ^ f.negative(b);
        if (f.isZero(b) && f.isDenormal(a) && !m.daz) {
            // Divide-by-zero outranks the dividend's denormal operand (SDM Vol. 1, 4.9.2).
            m.raise(ZE);
            return f.inf(neg);
        }
        a = denormal(f, a, m);
        if (f.isInf(a)) {
            if (f.isInf(b)) {
                m.raise(IE);
                return f.indefinite;
            }
            return f.inf(neg);
        }
        if (f.isInf(b)) return f.zero(neg);
        if (f.isZero(b)) {
            if (f.isZero(a)) {
                m.raise(IE);
                return f.indefinite;
            }
            m.raise(ZE);
            return f.inf(neg);
        }
        if (f.isZero(a)) return f.zero(neg);
        long sa = f.sig(a), sb = f.sig(b);
        int la = Long.numberOfLeadingZeros(sa) - 2, lb = Long.numberOfLeadingZeros(sb) - 2;
        sa <<= la;
        sb <<= lb; // both in [2^61, 2^62)
        long q = 0, r = sa;
        for (int i = 0; i < 63; i++) { // restoring division: q = sa/sb * 2^62
            q <<= 1;
            if (r >= sb) {
                r -= sb;
                q |= 1;
            }
            r <<= 1;
        }
        if (r != 0) q |= 1;
        return roundPack(f, neg, q, f.exp2(a) - la - f.exp2(b) + lb - 62, m);
    }

    public static long sqrt(SoftFloatFormat f, long a, Mxcsr m) {
        if (f.isNaN(a)) {
            if (f.isSNaN(a)) m.raise(IE);
            return f.quiet(a);
        }
        if (f.isDenormal(a) && m.daz) a &= f.signBit;
        if (f.isZero(a)) return a;
        if (f.negative(a)) {
            m.raise(IE);
            return f.indefinite;
        }
        if (f.isInf(a)) return a;
        a = denormal(f, a, m);
        long s = f.sig(a);
        int e = f.exp2(a);
        if ((e & 1) != 0) {
            s <<= 1;
            e--;
        }
        int k = (124 - (64 - Long.numberOfLeadingZeros(s))) / 2; // about 124 bits under the root
        BigInteger n = BigInteger.valueOf(s).shiftLeft(2 * k);
        BigInteger[] rr = n.sqrtAndRemainder();
        long root = rr[0].longValueExact();
        if (rr[1].signum() != 0) root |= 1;
        return roundPack(f, false, root, e / 2 - k, m);
    }

    // ---- conversions

    /** Converts between single and double (CVTSS2SD, CVTSD2SS...): NaN payloads keep their top bits. */
    public static long convert(SoftFloatFormat from, SoftFloatFormat to, long a, Mxcsr m) {
        boolean neg = from.negative(a);
        if (from.isNaN(a)) {
            if (from.isSNaN(a)) m.raise(IE);
            long frac = a & from.fracMask;
            int shift = to.p - from.p;
            frac = shift >= 0 ? frac << shift : frac >>> -shift;
            return (neg ? to.signBit : 0) | to.expMask | frac | to.quietBit;
        }
        a = denormal(from, a, m);
        if (from.isInf(a)) return to.inf(neg);
        if (from.isZero(a)) return to.zero(neg);
        return roundPack(to, neg, from.sig(a), from.exp2(a), m);
    }

    /** A signed integer to floating point (CVTSI2SS, CVTDQ2PS...), rounded per MXCSR. */
    public static long fromInt(SoftFloatFormat f, long v, Mxcsr m) {
        if (v == 0) return 0;
        boolean neg = v < 0;
        long mag = neg ? -v : v; // Long.MIN_VALUE stays 2^63 read unsigned
        return roundPack(f, neg, mag, 0, m);
    }

    /**
     * Floating point to a signed integer of {@code bits} bits (CVTSS2SI, CVTTPD2DQ...), rounded
     * per {@code rc}: NaN or out of range raises IE and gives the integer indefinite (the most
     * negative value); inexact raises PE.
     */
    public static long toInt(SoftFloatFormat f, long a, int bits, int rc, Mxcsr m) {
        long indefinite = Long.MIN_VALUE >> (64 - bits);
        if (f.isNaN(a) || f.isInf(a)) {
            m.raise(IE);
            return indefinite;
        }
        if (f.isDenormal(a) && m.daz) return 0;
        if (f.isZero(a)) return 0;
        boolean neg = f.negative(a);
        long s = f.sig(a);
        int e = f.exp2(a);
        long q;
        boolean inexact = false;
        if (e >= 0) {
            if (e + 64 - Long.numberOfLeadingZeros(s) > bits) {
                m.raise(IE);
                return indefinite;
            }
            q = s << e;
        } else {
            long r = shiftRound(s, -e, neg, rc);
            q = r >>> 1;
            inexact = (r & 1) != 0;
        }
        long limit = 1L << (bits - 1); // |q| must stay within [-limit, limit - 1]
        if (Long.compareUnsigned(q, neg ? limit : limit - 1) > 0) {
            m.raise(IE);
            return indefinite;
        }
        if (inexact) m.raise(PE);
        return neg ? -q : q;
    }

    /**
     * Rounds to an integral value in the same format (ROUNDPS...): SNaN raises IE; inexact raises
     * PE unless {@code suppressPe}; DAZ reads denormals as zero (no DE).
     */
    public static long roundToIntegral(SoftFloatFormat f, long a, int rc, boolean suppressPe, Mxcsr m) {
        if (f.isNaN(a)) {
            if (f.isSNaN(a)) m.raise(IE);
            return f.quiet(a);
        }
        if (f.isDenormal(a) && m.daz) return a & f.signBit;
        if (f.isInf(a) || f.isZero(a)) return a;
        int e = f.exp2(a);
        if (e >= 0) return a;
        boolean neg = f.negative(a);
        long r = shiftRound(f.sig(a), -e, neg, rc);
        if ((r & 1) != 0 && !suppressPe) m.raise(PE);
        long q = r >>> 1;
        if (q == 0) return f.zero(neg);
        Mxcsr exact = new Mxcsr(0x1F80);
        return roundPack(f, neg, q, 0, exact);
    }

    // ---- comparison

    /** Ordering of two non-NaN values: -1, 0, 1 (zeros of either sign are equal). */
    static int order(SoftFloatFormat f, long a, long b) {
        boolean za = f.isZero(a), zb = f.isZero(b);
        if (za && zb) return 0;
        boolean na = f.negative(a), nb = f.negative(b);
        if (na != nb) return na ? -1 : 1;
        long ma = a & ~f.signBit & f.allBits, mb = b & ~f.signBit & f.allBits;
        int c = Long.compare(ma, mb);
        return na ? -c : c;
    }

    /** Result of a comparison: -1 less, 0 equal, 1 greater, 2 unordered. */
    public static final int LESS = -1, EQUAL = 0, GREATER = 1, UNORDERED = 2;

    /**
     * Compares {@code a} with {@code b}: a NaN raises IE when it is an SNaN or when
     * {@code signaling}; denormals raise DE (or read as zero with DAZ).
     */
    public static int compare(SoftFloatFormat f, long a, long b, boolean signaling, Mxcsr m) {
        if (f.isNaN(a) || f.isNaN(b)) {
            if (signaling || f.isSNaN(a) || f.isSNaN(b)) m.raise(IE);
            return UNORDERED;
        }
        a = denormal(f, a, m);
        b = denormal(f, b, m);
        return order(f, a, b);
    }

    /** MINPS/MAXPS (SDM Vol. 2B): a NaN (IE) or two zeros give the second operand. */
    public static long minMax(SoftFloatFormat f, long a, long b, boolean max, Mxcsr m) {
        if (f.isNaN(a) || f.isNaN(b)) {
            m.raise(IE);
            return m.daz && f.isDenormal(b) ? b & f.signBit : b; // DAZ still reads the source
        }
        a = denormal(f, a, m);
        b = denormal(f, b, m);
        int c = order(f, a, b);
        if (c == 0) return b;
        return (max ? c > 0 : c < 0) ? a : b;
    }
}
