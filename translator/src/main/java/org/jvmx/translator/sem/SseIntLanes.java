package org.jvmx.translator.sem;

/**
 * The lane-wise SSE2 integer operations on one 64-bit half of an XMM register (SDM Vol. 1,
 * 11.4.4 "SSE2 64-bit and 128-bit SIMD integer instructions"; Vol. 2, each instruction's
 * "Operation"). A 128-bit instruction applies its function to bits 63:0 and to bits 127:64
 * independently, since none of these operations moves data across the 64-bit boundary.
 */
final class SseIntLanes {
    private SseIntLanes() {
    }

    /** One operation on a 64-bit half: {@code a} from the destination, {@code b} from the source. */
    @FunctionalInterface
    interface QwordOp {
        long apply(long a, long b);
    }

    /** One lane of {@code bits}: both arguments zero-extended; only the low {@code bits} of the result count. */
    @FunctionalInterface
    interface LaneOp {
        long apply(long x, long y);
    }

    /** Applies {@code f} to each {@code bits}-wide lane of {@code a} and {@code b}. */
    static long lanes(long a, long b, int bits, LaneOp f) {
        long m = (1L << bits) - 1;
        long r = 0;
        for (int s = 0; s < 64; s += bits) {
            r |= (f.apply((a >>> s) & m, (b >>> s) & m) & m) << s;
        }
        return r;
    }

    static long sx(long v, int bits) {
        return v << (64 - bits) >> (64 - bits);
    }

    /** Signed saturation of {@code v} to {@code bits} (SDM Vol. 1, 4.6.2 / Table 4-7). */
    static long ssat(long v, int bits) {
        long max = (1L << (bits - 1)) - 1, min = -(1L << (bits - 1));
        return v > max ? max : v < min ? min : v;
    }

    /** Unsigned saturation of a signed {@code v} to {@code bits}. */
    static long usat(long v, int bits) {
        long max = (1L << bits) - 1;
        return v > max ? max : v < 0 ? 0 : v;
    }

    // ---- wrap-around add/subtract (PADDx/PSUBx)

    /** Bit 0 of every lane of the width: {@code 0x0101..}, {@code 0x0001..}, {@code 0x00000001..}. */
    private static final long L8 = 0x0101_0101_0101_0101L, L16 = 0x0001_0001_0001_0001L, L32 = 0x0000_0001_0000_0001L;
    /** The top bit of every lane. */
    private static final long H8 = L8 << 7, H16 = L16 << 15, H32 = L32 << 31;

    /**
     * Lane-wise wrap-around add in one 64-bit add: the lanes' low bits are added with the top
     * bits cleared (no carry crosses a lane), then each top bit is the XOR of both top bits and
     * the carry into it.
     */
    private static long swarAdd(long a, long b, long h) {
        return ((a & ~h) + (b & ~h)) ^ ((a ^ b) & h);
    }

    /** Lane-wise wrap-around subtract: the minuend's top bits set absorb every borrow inside the lane. */
    private static long swarSub(long a, long b, long h) {
        return ((a | h) - (b & ~h)) ^ ((a ^ ~b) & h);
    }

    /** All-ones in each lane where {@code a} and {@code b} are equal ({@code l}/{@code h}: lane bit 0 / top bit). */
    private static long swarEq(long a, long b, long l, long h) {
        long x = a ^ b;
        long nonzero = ((x & ~h) + (h - l)) | x; // top bit set iff the lane of x is not zero
        long eq = (~nonzero & h) >>> (Long.numberOfTrailingZeros(h)); // 1 in bit 0 of each equal lane
        return eq * (((h & -h) << 1) - 1); // times one lane of ones: each 0/1 lane becomes 0/all-ones, no carries
    }

    static long paddb(long a, long b) { return swarAdd(a, b, H8); }
    static long paddw(long a, long b) { return swarAdd(a, b, H16); }
    static long paddd(long a, long b) { return swarAdd(a, b, H32); }
    static long paddq(long a, long b) { return a + b; }
    static long psubb(long a, long b) { return swarSub(a, b, H8); }
    static long psubw(long a, long b) { return swarSub(a, b, H16); }
    static long psubd(long a, long b) { return swarSub(a, b, H32); }
    static long psubq(long a, long b) { return a - b; }

    // ---- saturating add/subtract

    static long paddsb(long a, long b) { return lanes(a, b, 8, (x, y) -> ssat(sx(x, 8) + sx(y, 8), 8)); }
    static long paddsw(long a, long b) { return lanes(a, b, 16, (x, y) -> ssat(sx(x, 16) + sx(y, 16), 16)); }
    static long paddusb(long a, long b) { return lanes(a, b, 8, (x, y) -> usat(x + y, 8)); }
    static long paddusw(long a, long b) { return lanes(a, b, 16, (x, y) -> usat(x + y, 16)); }
    static long psubsb(long a, long b) { return lanes(a, b, 8, (x, y) -> ssat(sx(x, 8) - sx(y, 8), 8)); }
    static long psubsw(long a, long b) { return lanes(a, b, 16, (x, y) -> ssat(sx(x, 16) - sx(y, 16), 16)); }
    static long psubusb(long a, long b) { return lanes(a, b, 8, (x, y) -> usat(x - y, 8)); }
    static long psubusw(long a, long b) { return lanes(a, b, 16, (x, y) -> usat(x - y, 16)); }

    // ---- multiplies

    static long pmullw(long a, long b) { return lanes(a, b, 16, (x, y) -> x * y); }
    static long pmulhw(long a, long b) { return lanes(a, b, 16, (x, y) -> (sx(x, 16) * sx(y, 16)) >> 16); }
    static long pmulhuw(long a, long b) { return lanes(a, b, 16, (x, y) -> (x * y) >>> 16); }

    /** PMULUDQ: the unsigned product of the low doublewords of each quadword. */
    static long pmuludq(long a, long b) { return (a & 0xFFFF_FFFFL) * (b & 0xFFFF_FFFFL); }

    /**
     * PMADDWD: per doubleword, the sum of the two signed word products. Only
     * 0x8000*0x8000 twice overflows, and wraps to 0x80000000 as the SDM says.
     */
    static long pmaddwd(long a, long b) {
        return lanes(a, b, 32, (x, y) -> sx(x, 16) * sx(y, 16) + sx(x >>> 16, 16) * sx(y >>> 16, 16));
    }

    // ---- average, min/max, sum of absolute differences

    /** PAVGB/PAVGW: (x + y + 1) >> 1 without overflow (the sum is one bit wider). */
    static long pavgb(long a, long b) { return lanes(a, b, 8, (x, y) -> (x + y + 1) >>> 1); }
    static long pavgw(long a, long b) { return lanes(a, b, 16, (x, y) -> (x + y + 1) >>> 1); }
    static long pminub(long a, long b) { return lanes(a, b, 8, Math::min); }
    static long pmaxub(long a, long b) { return lanes(a, b, 8, Math::max); }
    static long pminsw(long a, long b) { return lanes(a, b, 16, (x, y) -> Math.min(sx(x, 16), sx(y, 16))); }
    static long pmaxsw(long a, long b) { return lanes(a, b, 16, (x, y) -> Math.max(sx(x, 16), sx(y, 16))); }

    /** PSADBW: the sum of the eight unsigned byte differences in bits 15:0, bits 63:16 zero. */
    static long psadbw(long a, long b) {
        long sum = 0;
        for (int s = 0; s < 64; s += 8) sum += Math.abs(((a >>> s) & 0xFF) - ((b >>> s) & 0xFF));
        return sum;
    }

    // ---- compares: all-ones lane when true

    static long pcmpeqb(long a, long b) { return swarEq(a, b, L8, H8); }
    static long pcmpeqw(long a, long b) { return swarEq(a, b, L16, H16); }
    static long pcmpeqd(long a, long b) { return swarEq(a, b, L32, H32); }
    static long pcmpgtb(long a, long b) { return lanes(a, b, 8, (x, y) -> sx(x, 8) > sx(y, 8) ? -1 : 0); }
    static long pcmpgtw(long a, long b) { return lanes(a, b, 16, (x, y) -> sx(x, 16) > sx(y, 16) ? -1 : 0); }
    static long pcmpgtd(long a, long b) { return lanes(a, b, 32, (x, y) -> sx(x, 32) > sx(y, 32) ? -1 : 0); }

    // ---- bitwise logic (the packed-single/double forms are the same bit operations)

    static long and(long a, long b) { return a & b; }
    /** PANDN/ANDNPS/ANDNPD: NOT destination AND source. */
    static long andn(long a, long b) { return ~a & b; }
    static long or(long a, long b) { return a | b; }
    static long xor(long a, long b) { return a ^ b; }
}
