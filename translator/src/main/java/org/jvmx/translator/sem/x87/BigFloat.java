package org.jvmx.translator.sem.x87;

import java.math.BigInteger;

/**
 * A binary floating-point number of {@link #P} significant bits, {@code m * 2^e}: the wide
 * intermediate of the x87 transcendental instructions (their results must be within an ulp of
 * the host, so they are evaluated far beyond 64 bits and rounded once). Truncating; immutable.
 */
public record BigFloat(BigInteger m, int e) {
    /** Working precision in bits. */
    public static final int P = 200;

    public static final BigFloat ZERO = new BigFloat(BigInteger.ZERO, 0), ONE = of(1);

    public static BigFloat of(long v) {
        return new BigFloat(BigInteger.valueOf(v), 0).norm();
    }

    public static BigFloat of(Float80 x) {
        BigInteger m = x.mag();
        return new BigFloat(x.negative() ? m.negate() : m, x.scale()).norm();
    }

    /**
     * Trims to P bits, rounding to odd: a discarded non-zero part sets the lowest bit, so that the
     * final rounding to 64 bits (any mode) sees on which side of a representable value it lies.
     */
    BigFloat norm() {
        int n = m.bitLength() - P;
        if (n <= 0) return this;
        BigInteger abs = m.abs();
        BigInteger a = abs.shiftRight(n);
        if (abs.getLowestSetBit() < n) a = a.setBit(0);
        return new BigFloat(m.signum() < 0 ? a.negate() : a, e + n);
    }

    /** {@code big} moved by less than its lowest bit in the direction of {@code sign} (a far smaller addend). */
    private static BigFloat nudge(BigFloat big, int sign) {
        int s = Math.max(2, P + 4 - big.m.bitLength());
        return new BigFloat(big.m.shiftLeft(s).add(BigInteger.valueOf(sign)), big.e - s).norm();
    }

    public int signum() { return m.signum(); }

    public BigFloat negate() { return new BigFloat(m.negate(), e); }

    public BigFloat abs() { return m.signum() < 0 ? negate() : this; }

    public BigFloat shift(int k) { return new BigFloat(m, e + k); }

    /** The exponent of the leading bit (value in [2^lead, 2^(lead+1))). */
    public int lead() { return e + m.bitLength() - 1; }

    public BigFloat add(BigFloat o) {
        if (o.m.signum() == 0) return this;
        if (m.signum() == 0) return o;
        // far apart: the smaller is below the working precision
        if (lead() - o.lead() > P + 4) return nudge(this, o.signum());
        if (o.lead() - lead() > P + 4) return nudge(o, signum());
        int k = Math.min(e, o.e);
        return new BigFloat(m.shiftLeft(e - k).add(o.m.shiftLeft(o.e - k)), k).norm();
    }

    public BigFloat sub(BigFloat o) { return add(o.negate()); }

    public BigFloat mul(BigFloat o) { return new BigFloat(m.multiply(o.m), e + o.e).norm(); }

    public BigFloat div(BigFloat o) {
        int sh = P + 2 + o.m.bitLength() - m.bitLength();
        sh = Math.max(sh, 0);
        return new BigFloat(m.shiftLeft(sh).divide(o.m), e - sh - o.e).norm();
    }

    public BigFloat div(long v) { return div(of(v)); }

    public BigFloat sqrt() {
        BigInteger a = m;
        int x = e;
        int sh = 2 * P + 4 - a.bitLength();
        if (sh < 0) sh = 0;
        if (((x - sh) & 1) != 0) sh++;
        return new BigFloat(a.shiftLeft(sh).sqrt(), (x - sh) / 2).norm();
    }

    public int compareTo(BigFloat o) { return sub(o).signum(); }

    /** The integer nearest to this value (ties away from zero are fine for argument reduction). */
    public BigInteger roundToInteger() {
        if (e >= 0) return m.shiftLeft(e);
        BigInteger half = m.add(BigInteger.ONE.shiftLeft(-e - 1));
        return half.shiftRight(-e);
    }

    /** Rounds to double-extended per the env (64-bit significand, exponent range, flags, C1). */
    public Float80 toFloat80(X87Env env) {
        if (m.signum() == 0) return Float80.ZERO;
        return Float80Round.pack80(Float80Round.round(env, m.signum() < 0, m.abs(), e, Float80Round.extended(64), true));
    }
}
