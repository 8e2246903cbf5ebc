package org.jvmx.translator.sem;

/**
 * The SSE/SSE2 operations that move lanes across the whole 128 bits: packs with saturation,
 * unpacks (interleaves), and the immediate-controlled shuffles (SDM Vol. 2, PACKSSWB/PACKSSDW,
 * PACKUSWB, PUNPCKLxx/PUNPCKHxx, UNPCKxPS/PD, PSHUFD/PSHUFHW/PSHUFLW, SHUFPS/SHUFPD "Operation").
 * Each takes the destination {@code d}, the source {@code s} and the imm8, and returns the new
 * destination as {@code {lo, hi}}.
 */
final class SseIntShuffle {
    private SseIntShuffle() {
    }

    /** A whole-register operation: destination (dlo, dhi), source (slo, shi), imm8. */
    @FunctionalInterface
    interface WideOp {
        long[] apply(long dlo, long dhi, long slo, long shi, int imm);
    }

    /** Lane {@code k} ({@code bits} wide) of the 128-bit value (lo, hi). */
    static long lane(long lo, long hi, int k, int bits) {
        int bit = k * bits;
        long q = bit < 64 ? lo : hi;
        return bits == 64 ? q : (q >>> (bit & 63)) & ((1L << bits) - 1);
    }

    /** Sets lane {@code k} of {@code out} ({@code {lo, hi}}) to the low {@code bits} of {@code v}; the lane must be zero. */
    static void put(long[] out, int k, int bits, long v) {
        int bit = k * bits;
        long m = bits == 64 ? -1L : (1L << bits) - 1;
        out[bit >>> 6] |= (v & m) << (bit & 63);
    }

    // ---- packs: destination lanes narrowed into the low half, source lanes into the high half

    private static long[] pack(long dlo, long dhi, long slo, long shi, int from, boolean signed) {
        int to = from / 2, n = 128 / from;
        long[] r = new long[2];
        for (int k = 0; k < n; k++) {
            long v = SseIntLanes.sx(lane(dlo, dhi, k, from), from);
            long w = SseIntLanes.sx(lane(slo, shi, k, from), from);
            put(r, k, to, signed ? SseIntLanes.ssat(v, to) : SseIntLanes.usat(v, to));
            put(r, k + n, to, signed ? SseIntLanes.ssat(w, to) : SseIntLanes.usat(w, to));
        }
        return r;
    }

    static long[] packsswb(long dlo, long dhi, long slo, long shi, int imm) { return pack(dlo, dhi, slo, shi, 16, true); }
    static long[] packssdw(long dlo, long dhi, long slo, long shi, int imm) { return pack(dlo, dhi, slo, shi, 32, true); }
    /** PACKUSWB: signed words to unsigned bytes (negative to 0, above 255 to 255). */
    static long[] packuswb(long dlo, long dhi, long slo, long shi, int imm) { return pack(dlo, dhi, slo, shi, 16, false); }

    // ---- unpacks: interleave the low (or high) halves, destination lane first

    private static long[] unpack(long dlo, long dhi, long slo, long shi, int bits, boolean high) {
        int n = 64 / bits, base = high ? n : 0;
        long[] r = new long[2];
        for (int k = 0; k < n; k++) {
            put(r, 2 * k, bits, lane(dlo, dhi, base + k, bits));
            put(r, 2 * k + 1, bits, lane(slo, shi, base + k, bits));
        }
        return r;
    }

    static long[] punpcklbw(long dlo, long dhi, long slo, long shi, int imm) { return unpack(dlo, dhi, slo, shi, 8, false); }
    static long[] punpcklwd(long dlo, long dhi, long slo, long shi, int imm) { return unpack(dlo, dhi, slo, shi, 16, false); }
    static long[] punpckldq(long dlo, long dhi, long slo, long shi, int imm) { return unpack(dlo, dhi, slo, shi, 32, false); }
    static long[] punpcklqdq(long dlo, long dhi, long slo, long shi, int imm) { return new long[] {dlo, slo}; }
    static long[] punpckhbw(long dlo, long dhi, long slo, long shi, int imm) { return unpack(dlo, dhi, slo, shi, 8, true); }
    static long[] punpckhwd(long dlo, long dhi, long slo, long shi, int imm) { return unpack(dlo, dhi, slo, shi, 16, true); }
    static long[] punpckhdq(long dlo, long dhi, long slo, long shi, int imm) { return unpack(dlo, dhi, slo, shi, 32, true); }
    static long[] punpckhqdq(long dlo, long dhi, long slo, long shi, int imm) { return new long[] {dhi, shi}; }

    // ---- immediate shuffles

    /** PSHUFD: doubleword k of the result is source doubleword imm[2k+1:2k]. */
    static long[] pshufd(long dlo, long dhi, long slo, long shi, int imm) {
        long[] r = new long[2];
        for (int k = 0; k < 4; k++) put(r, k, 32, lane(slo, shi, (imm >>> (2 * k)) & 3, 32));
        return r;
    }

    /** Shuffles the four words of one quadword by imm8. */
    private static long shufWords(long q, int imm) {
        long r = 0;
        for (int k = 0; k < 4; k++) r |= ((q >>> (16 * ((imm >>> (2 * k)) & 3))) & 0xFFFF) << (16 * k);
        return r;
    }

    /** PSHUFHW: the high four words shuffled, the low quadword copied. */
    static long[] pshufhw(long dlo, long dhi, long slo, long shi, int imm) { return new long[] {slo, shufWords(shi, imm)}; }

    /** PSHUFLW: the low four words shuffled, the high quadword copied. */
    static long[] pshuflw(long dlo, long dhi, long slo, long shi, int imm) { return new long[] {shufWords(slo, imm), shi}; }

    /** SHUFPS: result dwords 0-1 picked from the destination, 2-3 from the source, two bits of imm8 each. */
    static long[] shufps(long dlo, long dhi, long slo, long shi, int imm) {
        long[] r = new long[2];
        put(r, 0, 32, lane(dlo, dhi, imm & 3, 32));
        put(r, 1, 32, lane(dlo, dhi, (imm >>> 2) & 3, 32));
        put(r, 2, 32, lane(slo, shi, (imm >>> 4) & 3, 32));
        put(r, 3, 32, lane(slo, shi, (imm >>> 6) & 3, 32));
        return r;
    }

    /** SHUFPD: imm8 bit 0 picks the destination quadword for the low half, bit 1 the source quadword for the high half. */
    static long[] shufpd(long dlo, long dhi, long slo, long shi, int imm) {
        return new long[] {(imm & 1) == 0 ? dlo : dhi, (imm & 2) == 0 ? slo : shi};
    }
}
