package org.jvmx.translator.sem.x87;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fixed-width x87 paths ({@link Float80Arith} add/sub/mul/div/sqrt/FRNDINT, {@link Float80Convert}
 * float32/float64/integer stores, {@link Wide}) against the exact BigInteger reference
 * ({@link Float80Reference}) on random and edge operands under every RC x PC and random masks:
 * the result bits, the raised exceptions and C1 must be identical. The host-compared tests in
 * guest-tests remain the oracle of the reference itself.
 */
class Float80FastTest {
    private static final int[] PCS = {0, 2, 3}; // 24, 53, 64 bits
    private static final long[] EDGE_SIGS = {Float80.INT_BIT, -1L, Float80.INT_BIT | 1, 0xC000_0000_0000_0000L,
        Float80.INT_BIT | 0x400, Float80.INT_BIT | 0x3FF, Float80.INT_BIT | 0x7FF, 0xFFFF_FF00_0000_0000L, 0xFFFF_FF80_0000_0000L,
        0xFFFF_FFFF_FFFF_F800L, 0xFFFF_FFFF_FFFF_FC00L, 1, 0x7FFF_FFFF_FFFF_FFFFL, 0x4000_0000_0000_0000L, 0x8000_0080_0000_0000L};

    /** A random operand: mostly normal near a base exponent, with denormals, edges and specials mixed in. */
    private static Float80 operand(SplittableRandom r, int baseExp) {
        int sign = r.nextBoolean() ? 0x8000 : 0;
        int kind = r.nextInt(100);
        long sig = r.nextInt(4) == 0 ? EDGE_SIGS[r.nextInt(EDGE_SIGS.length)] | Float80.INT_BIT : r.nextLong() | Float80.INT_BIT;
        if (r.nextInt(6) == 0) sig &= -1L << r.nextInt(64) | Float80.INT_BIT; // few significant bits
        if (kind < 70) {
            int e = Math.clamp(baseExp + r.nextInt(-70, 71), 1, 0x7FFE);
            return new Float80(sign | e, sig);
        }
        if (kind < 78) return new Float80(sign, (r.nextLong() >>> r.nextInt(64)) & ~Float80.INT_BIT); // denormal (or zero)
        if (kind < 80) return new Float80(sign, sig); // pseudo-denormal
        if (kind < 88) return new Float80(sign | r.nextInt(1, 0x7FFF), sig); // any exponent
        if (kind < 92) return new Float80(sign, 0);
        if (kind < 94) return new Float80(sign | 0x7FFF, Float80.INT_BIT);
        if (kind < 96) return new Float80(sign | 0x7FFF, Float80.INT_BIT | r.nextLong(1, Long.MAX_VALUE)); // NaN
        if (kind < 98) return new Float80(sign | r.nextInt(0x8000), sig & Long.MAX_VALUE); // unnormal and friends
        return new Float80(sign | 0x7FFE - r.nextInt(3), sig); // near the largest
    }

    /** A base exponent: mostly moderate, sometimes near the denormal or overflow range of some format. */
    private static int baseExponent(SplittableRandom r) {
        int[] anchors = {Float80.BIAS, Float80.BIAS - 126, Float80.BIAS + 127, Float80.BIAS - 1022, Float80.BIAS + 1023,
            60, 1, 0x7FFE - 40, 0x7FFE, Float80.BIAS + 63, Float80.BIAS - 64, Float80.BIAS - 149, Float80.BIAS - 1074};
        return r.nextInt(3) == 0 ? Float80.BIAS + r.nextInt(-200, 200) : anchors[r.nextInt(anchors.length)] + r.nextInt(-80, 80);
    }

    private static int fcw(SplittableRandom r, int rc, int pc) {
        int masks = r.nextInt(4) == 0 ? r.nextInt(64) : 0x3F;
        return rc << 10 | pc << 8 | masks;
    }

    interface Binary {
        Float80 apply(X87Env env, Float80 a, Float80 b);
    }

    private static void same(String what, int fcw, Object[] in, Float80 want, X87Env we, Float80 got, X87Env ge) {
        if (!want.equals(got) || we.flags != ge.flags || we.roundedUp != ge.roundedUp) {
            StringBuilder s = new StringBuilder(what + " fcw=" + Integer.toHexString(fcw));
            for (Object o : in) s.append(' ').append(o);
            fail(s + ": reference " + want + " flags " + we.flags + " C1 " + we.roundedUp
                    + ", fast " + got + " flags " + ge.flags + " C1 " + ge.roundedUp);
        }
    }

    private static void binary(String what, Binary fast, Binary ref, int count, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int n = 0; n < count; n++) {
            int base = baseExponent(r);
            Float80 a = operand(r, base), b = operand(r, r.nextInt(8) == 0 ? baseExponent(r) : base);
            if (what.equals("div") && r.nextInt(4) == 0) b = new Float80(b.se(), a.sig()); // exact quotients
            int fcw = fcw(r, r.nextInt(4), PCS[r.nextInt(3)]);
            X87Env we = new X87Env(fcw), ge = new X87Env(fcw);
            Float80 want = ref.apply(we, a, b), got = fast.apply(ge, a, b);
            same(what, fcw, new Object[] {a, b}, want, we, got, ge);
        }
    }

    @Test
    void addMatchesReference() {
        binary("add", Float80Arith::add, Float80Reference::add, 600_000, 1);
    }

    @Test
    void subMatchesReference() {
        binary("sub", Float80Arith::sub, Float80Reference::sub, 600_000, 2);
    }

    @Test
    void mulMatchesReference() {
        binary("mul", Float80Arith::mul, Float80Reference::mul, 600_000, 3);
    }

    @Test
    void divMatchesReference() {
        binary("div", Float80Arith::div, Float80Reference::div, 600_000, 4);
    }

    @Test
    void sqrtAndRoundToIntegerMatchReference() {
        Binary sqrt = (e, a, b) -> Float80Arith.sqrt(e, a), sqrtRef = (e, a, b) -> Float80Reference.sqrt(e, a);
        binary("sqrt", sqrt, sqrtRef, 400_000, 5);
        SplittableRandom r = new SplittableRandom(6);
        for (int n = 0; n < 300_000; n++) {
            Float80 a = operand(r, Float80.BIAS + r.nextInt(-70, 70));
            int fcw = fcw(r, r.nextInt(4), PCS[r.nextInt(3)]);
            X87Env we = new X87Env(fcw), ge = new X87Env(fcw);
            same("frndint", fcw, new Object[] {a}, Float80Reference.roundToInteger(we, a), we, Float80Arith.roundToInteger(ge, a), ge);
        }
    }

    /** Squares and their neighbours: the exact and the nearly exact roots. */
    @Test
    void sqrtOfSquares() {
        SplittableRandom r = new SplittableRandom(7);
        for (int n = 0; n < 100_000; n++) {
            long s = r.nextLong(1L << 31, 1L << 32);
            long m = s * s + r.nextInt(-1, 2);
            Float80 a = new Float80(Float80.BIAS + r.nextInt(-100, 100), m << Long.numberOfLeadingZeros(m));
            int fcw = fcw(r, r.nextInt(4), PCS[r.nextInt(3)]);
            X87Env we = new X87Env(fcw), ge = new X87Env(fcw);
            same("sqrt", fcw, new Object[] {a}, Float80Reference.sqrt(we, a), we, Float80Arith.sqrt(ge, a), ge);
        }
    }

    @Test
    void storesMatchReference() {
        SplittableRandom r = new SplittableRandom(8);
        int[] bits = {16, 32, 64};
        for (int n = 0; n < 600_000; n++) {
            int kind = r.nextInt(3);
            int base = kind == 0 ? Float80.BIAS + r.nextInt(-200, 200) : baseExponent(r);
            Float80 a = operand(r, base);
            int fcw = fcw(r, r.nextInt(4), 3);
            X87Env we = new X87Env(fcw), ge = new X87Env(fcw);
            long want, got;
            String what;
            switch (kind) {
                case 0 -> {
                    int b = bits[r.nextInt(3)];
                    boolean trunc = r.nextBoolean();
                    what = "int" + b + (trunc ? "t" : "");
                    a = operand(r, Float80.BIAS + r.nextInt(-5, 66));
                    want = Float80Reference.toInteger(we, a, b, trunc);
                    got = Float80Convert.toInteger(ge, a, b, trunc);
                }
                case 1 -> {
                    what = "single";
                    want = Float80Reference.toBinary(we, a, Float80Round.SINGLE, 8) & 0xFFFF_FFFFL;
                    got = Float80Convert.toSingle(ge, a) & 0xFFFF_FFFFL;
                }
                default -> {
                    what = "double";
                    want = Float80Reference.toBinary(we, a, Float80Round.DOUBLE, 11);
                    got = Float80Convert.toDouble(ge, a);
                }
            }
            if (want != got || we.flags != ge.flags || we.roundedUp != ge.roundedUp)
                fail(what + " fcw=" + Integer.toHexString(fcw) + " " + a + ": reference " + Long.toHexString(want) + " flags "
                        + we.flags + " C1 " + we.roundedUp + ", fast " + Long.toHexString(got) + " flags " + ge.flags + " C1 " + ge.roundedUp);
        }
    }

    @Test
    void wideDivideAndSqrt() {
        SplittableRandom r = new SplittableRandom(9);
        BigInteger two64 = BigInteger.ONE.shiftLeft(64);
        for (int n = 0; n < 300_000; n++) {
            long v = r.nextLong() >>> r.nextInt(64);
            if (v == 0) v = 1;
            long u1 = Long.remainderUnsigned(r.nextLong(), v), u0 = r.nextLong();
            if (r.nextInt(8) == 0) u1 = v - 1;
            BigInteger u = Float80.unsigned(u1).shiftLeft(64).or(Float80.unsigned(u0));
            BigInteger[] qr = u.divideAndRemainder(Float80.unsigned(v));
            long q = Wide.divide(u1, u0, v);
            assertEquals(qr[0].longValue(), q, "divide " + u + " / " + Float80.unsigned(v));
            assertEquals(qr[1].longValue(), u0 - q * v);
            long hi = r.nextLong() | 1L << 62, lo = r.nextLong();
            if (r.nextInt(8) == 0) hi = -1L;
            if (r.nextInt(8) == 0) lo = -1L;
            BigInteger x = Float80.unsigned(hi).multiply(two64).add(Float80.unsigned(lo));
            assertEquals(x.sqrt().longValue(), Wide.sqrt(hi, lo), "sqrt " + x);
        }
        assertEquals(-1L, Wide.sqrt(-1L, -1L));
    }

    /** The bit-level classification the object-free path uses agrees with {@link Float80#kind()}. */
    @Test
    void classificationFromBits() {
        SplittableRandom r = new SplittableRandom(10);
        for (int n = 0; n < 200_000; n++) {
            Float80 a = r.nextInt(4) == 0 ? new Float80(r.nextInt(0x10000), r.nextLong()) : operand(r, baseExponent(r));
            check(a);
        }
        for (int se : new int[] {0, 1, 0x7FFE, 0x7FFF, 0x8000, 0x8001, 0xFFFE, 0xFFFF}) {
            for (long sig : new long[] {0, 1, Float80.INT_BIT, -1L, Long.MAX_VALUE, Float80.QUIET_BIT}) check(new Float80(se, sig));
        }
    }

    private static void check(Float80 a) {
        assertEquals(a.kind() == Float80.Kind.NORMAL, Float80.isNormal(a.se(), a.sig()), a.toString());
        int tag = switch (a.kind()) {
            case NORMAL -> 0;
            case ZERO -> 1;
            default -> 2;
        };
        assertEquals(tag, Float80.tag(a.se(), a.sig()), a.toString());
    }
}
