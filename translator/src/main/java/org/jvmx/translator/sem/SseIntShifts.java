package org.jvmx.translator.sem;

import org.jvmx.decoder.OperandKind;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Semantics;

/**
 * SSE2 packed shifts (SDM Vol. 2, PSLLW/PSLLD/PSLLQ, PSRLW/PSRLD/PSRLQ, PSRAW/PSRAD,
 * PSLLDQ/PSRLDQ). The count is either an imm8 or the whole low quadword of an XMM register
 * or m128 (the m128 must be 16-byte aligned; bits 127:64 are read but ignored). A count above
 * the lane width minus one clears logical shifts and fills arithmetic shifts with the sign bit.
 */
final class SseIntShifts {
    private SseIntShifts() {
    }

    enum Kind { LEFT, RIGHT, ARITH }

    /** Shifts every {@code bits}-wide lane of {@code q} by the unsigned 64-bit {@code count}. */
    static long shift(long q, int bits, Kind kind, long count) {
        boolean big = Long.compareUnsigned(count, bits - 1) > 0;
        if (big && kind != Kind.ARITH) return 0;
        int n = big ? bits - 1 : (int) count;
        if (bits == 64) {
            return switch (kind) {
                case LEFT -> q << n;
                case RIGHT -> q >>> n;
                case ARITH -> q >> n;
            };
        }
        long m = (1L << bits) - 1;
        long r = 0;
        for (int s = 0; s < 64; s += bits) {
            long x = (q >>> s) & m;
            long y = switch (kind) {
                case LEFT -> x << n;
                case RIGHT -> x >>> n;
                case ARITH -> SseIntLanes.sx(x, bits) >> n;
            };
            r |= (y & m) << s;
        }
        return r;
    }

    /**
     * The semantics of a bit shift: {@code V,W} (count from XMM/m128) or {@code U,Ib} (count
     * from the immediate). MMX forms are not implemented.
     */
    static Semantics of(int bits, Kind kind) {
        return (c, i) -> {
            c.checkSse();
            if (!Xmm.isXmm(i, 0)) throw Xmm.unimplemented(c, i);
            long count;
            if (i.operandKind(1) == OperandKind.IMMEDIATE) {
                count = i.immediate(1) & 0xFF;
            } else {
                if (!Xmm.isXmm(i, 1) && !Xmm.isMem(i, 1)) throw Xmm.unimplemented(c, i);
                count = Xmm.read128(c, i, 1, true)[0];
            }
            int d = Xmm.reg(i, 0);
            Xmm.set(c, d, shift(Xmm.lo(c, d), bits, kind, count), shift(Xmm.hi(c, d), bits, kind, count));
        };
    }

    /** PSLLDQ (left) / PSRLDQ (right): the 128-bit register shifted by imm8 bytes; above 15 gives zero. */
    static Semantics byteShift(boolean left) {
        return (c, i) -> {
            c.checkSse();
            if (!Xmm.isXmm(i, 0)) throw Xmm.unimplemented(c, i);
            int d = Xmm.reg(i, 0);
            int bytes = (int) (i.immediate(1) & 0xFF);
            long lo = Xmm.lo(c, d), hi = Xmm.hi(c, d);
            if (bytes > 15) {
                lo = 0;
                hi = 0;
            } else if (bytes > 0) {
                int n = bytes * 8;
                if (left) {
                    hi = n >= 64 ? lo << (n - 64) : hi << n | lo >>> (64 - n);
                    lo = n >= 64 ? 0 : lo << n;
                } else {
                    lo = n >= 64 ? hi >>> (n - 64) : lo >>> n | hi << (64 - n);
                    hi = n >= 64 ? 0 : hi >>> n;
                }
            }
            Xmm.set(c, d, lo, hi);
        };
    }
}
