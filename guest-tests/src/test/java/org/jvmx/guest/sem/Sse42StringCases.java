package org.jvmx.guest.sem;

import java.util.SplittableRandom;

/**
 * String operands for the PCMPxSTRx tests: elements drawn from a small alphabet (so that equal
 * any / ranges / equal ordered find matches) with sign-bit and extreme values, terminated or not
 * by a zero element, optionally holding the first operand as a substring.
 */
final class Sse42StringCases {
    private Sse42StringCases() {
    }

    private static final long[] BYTES = {0x61, 0x62, 0x63, 0x41, 0x01, 0x7f, 0x80, 0xff};
    private static final long[] WORDS = {0x0061, 0x0062, 0x6100, 0x0041, 0x0001, 0x7fff, 0x8000, 0xffff, 0x8061};

    /**
     * A string of {@code n} elements (16 bytes or 8 words) whose first zero element, if any, is at
     * {@code len}; elements after it are random (they must be ignored by the implicit forms).
     * With {@code zeros}, zero elements may also appear before {@code len} (explicit lengths).
     */
    static long[] string(SplittableRandom r, int n, int len, boolean zeros) {
        long[] alpha = n == 16 ? BYTES : WORDS;
        long[] e = new long[n];
        for (int k = 0; k < n; k++) {
            e[k] = alpha[r.nextInt(alpha.length)];
            if (zeros && r.nextInt(6) == 0) e[k] = 0;
            if (k > len && r.nextInt(3) == 0) e[k] = 0;
        }
        if (len < n) e[len] = 0;
        return e;
    }

    /** Copies the first {@code count} elements of {@code from} into {@code into} at {@code at}. */
    static void embed(long[] from, long[] into, int at, int count) {
        for (int k = 0; k < count && at + k < into.length; k++) into[at + k] = from[k];
    }

    /** Packs {@code n} elements into {lo, hi}. */
    static long[] pack(long[] e) {
        int bits = 128 / e.length, per = 64 / bits;
        long[] v = new long[2];
        long m = (1L << bits) - 1;
        for (int k = 0; k < e.length; k++) v[k / per] |= (e[k] & m) << (k % per * bits);
        return v;
    }

    /** A length for a string of {@code n} elements: 0, 1, n-1, n, or random. */
    static int length(SplittableRandom r, int n) {
        return switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> n - 1;
            case 3 -> n;
            default -> r.nextInt(n + 1);
        };
    }
}
