package org.jvmx.translator.sem;

import static org.jvmx.translator.sem.SseFpOperands.*;

import org.jvmx.decoder.Instruction;
import org.jvmx.translator.exec.Cpu;

/**
 * SSE/SSE2/SSE3 floating-point arithmetic: ADD SUB MUL DIV MIN MAX SQRT (PS PD SS SD), RCP and
 * RSQRT (PS SS), ADDSUB HADD HSUB (PS PD). Scalar forms change only the low element and read
 * only the low element of memory; packed forms read 16 aligned bytes (SDM Vol. 2, each
 * instruction's Operation section). All elements are computed before MXCSR is updated and the
 * destination written, so an unmasked exception leaves the destination unchanged.
 */
final class SseFpArith {
    private SseFpArith() {
    }

    /** An element operation. */
    interface Op {
        long apply(SoftFloatFormat f, long a, long b, Mxcsr m);
    }

    static final Op ADD = SoftFloat::add, SUB = SoftFloat::sub, MUL = SoftFloat::mul, DIV = SoftFloat::div;
    static final Op MIN = (f, a, b, m) -> SoftFloat.minMax(f, a, b, false, m);
    static final Op MAX = (f, a, b, m) -> SoftFloat.minMax(f, a, b, true, m);
    static final Op SQRT = (f, a, b, m) -> SoftFloat.sqrt(f, b, m);
    static final Op RCP = (f, a, b, m) -> Approx.rcp(b);
    static final Op RSQRT = (f, a, b, m) -> Approx.rsqrt(b);

    /** dest = dest op src, element-wise over {@code w}-bit lanes; scalar: the low lane only. */
    static void binary(Cpu c, Instruction i, int w, boolean packed, Op op) {
        c.checkSse();
        long[] d = reg(c, i, 0);
        long[] s = packed ? read128(c, i, 1, true) : readLow(c, i, 1, w / 8);
        SoftFloatFormat f = format(w);
        Mxcsr m = Mxcsr.of(c);
        long[] r = d.clone();
        int n = packed ? 128 / w : 1;
        for (int k = 0; k < n; k++) setLane(r, w, k, op.apply(f, lane(d, w, k), lane(s, w, k), m));
        m.commit(c);
        write(c, i, 0, r);
    }

    /** ADDSUBPS/PD: even lanes subtract, odd lanes add. */
    static void addSub(Cpu c, Instruction i, int w) {
        c.checkSse();
        long[] d = reg(c, i, 0);
        long[] s = read128(c, i, 1, true);
        SoftFloatFormat f = format(w);
        Mxcsr m = Mxcsr.of(c);
        long[] r = d.clone();
        for (int k = 0; k < 128 / w; k++) {
            long a = lane(d, w, k), b = lane(s, w, k);
            setLane(r, w, k, (k & 1) == 0 ? SoftFloat.sub(f, a, b, m) : SoftFloat.add(f, a, b, m));
        }
        m.commit(c);
        write(c, i, 0, r);
    }

    /** HADD/HSUB: pairs of adjacent lanes of dest, then of src, combined (SDM Vol. 2A, HADDPS). */
    static void horizontal(Cpu c, Instruction i, int w, Op op) {
        c.checkSse();
        long[] d = reg(c, i, 0);
        long[] s = read128(c, i, 1, true);
        SoftFloatFormat f = format(w);
        Mxcsr m = Mxcsr.of(c);
        long[] r = new long[2];
        int n = 128 / w, half = n / 2;
        for (int k = 0; k < n; k++) {
            long[] src = k < half ? d : s;
            int j = 2 * (k % half);
            setLane(r, w, k, op.apply(f, lane(src, w, j), lane(src, w, j + 1), m));
        }
        m.commit(c);
        write(c, i, 0, r);
    }

    /**
     * RCPPS/RSQRTPS approximations (SDM Vol. 2B: relative error at most 1.5 * 2^-12). jvmx gives
     * the correctly rounded single-precision value, within that bound; the hardware's table is
     * implementation-specific. Denormal inputs read as zero and tiny results become zero (as the
     * hardware does); no MXCSR flag is raised, SNaN quiets silently.
     */
    static final class Approx {
        private Approx() {
        }

        static long rcp(long x) {
            SoftFloatFormat f = SoftFloatFormat.F32;
            if (f.isNaN(x)) return f.quiet(x);
            boolean neg = f.negative(x);
            if (f.isZero(x) || f.isDenormal(x)) return f.inf(neg);
            if (f.isInf(x)) return f.zero(neg);
            float r = (float) (1.0 / Float.intBitsToFloat((int) x));
            return flushTiny(r);
        }

        static long rsqrt(long x) {
            SoftFloatFormat f = SoftFloatFormat.F32;
            if (f.isNaN(x)) return f.quiet(x);
            boolean neg = f.negative(x);
            if (f.isZero(x) || f.isDenormal(x)) return f.inf(neg);
            if (neg) return f.indefinite;
            if (f.isInf(x)) return 0;
            float r = (float) (1.0 / Math.sqrt(Float.intBitsToFloat((int) x)));
            return flushTiny(r);
        }

        private static long flushTiny(float r) {
            int b = Float.floatToRawIntBits(r);
            if ((b & 0x7F80_0000) == 0) b &= 0x8000_0000;
            return b & 0xFFFF_FFFFL;
        }
    }
}
