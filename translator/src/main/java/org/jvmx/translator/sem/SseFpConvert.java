package org.jvmx.translator.sem;

import static org.jvmx.translator.sem.SseFpOperands.*;

import org.jvmx.decoder.Instruction;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Operands;

/**
 * SSE/SSE2 conversions between integers, single and double precision (SDM Vol. 2A, CVTxx2yy).
 * Rounding follows MXCSR.RC, or truncation for the CVTT forms; a NaN or out-of-range value
 * converted to an integer gives the integer indefinite (IE).
 */
final class SseFpConvert {
    private SseFpConvert() {
    }

    private static final SoftFloatFormat F32 = SoftFloatFormat.F32, F64 = SoftFloatFormat.F64;

    /** CVTSI2SS/CVTSI2SD: a 32- or 64-bit signed integer into the low element. */
    static void intToScalar(Cpu c, Instruction i, int w) {
        c.checkSse();
        int bits = i.operandBits(1);
        long v = Operands.signExtend(Operands.read(c, i, 1), bits);
        Mxcsr m = Mxcsr.of(c);
        long[] r = reg(c, i, 0);
        setLane(r, w, 0, SoftFloat.fromInt(format(w), v, m));
        m.commit(c);
        write(c, i, 0, r);
    }

    /** CVTSS2SI/CVTSD2SI and the truncating CVTT forms: the low element into a 32/64-bit GPR. */
    static void scalarToInt(Cpu c, Instruction i, int w, boolean truncate) {
        c.checkSse();
        long a = lane(readLow(c, i, 1, w / 8), w, 0);
        Mxcsr m = Mxcsr.of(c);
        int bits = i.operandBits(0);
        long v = SoftFloat.toInt(format(w), a, bits, truncate ? Mxcsr.RZ : m.rc, m);
        m.commit(c);
        Operands.writeReg(c.gpr, i.register(0), v);
    }

    /** CVTSS2SD/CVTSD2SS: the low element changes format; the rest of the destination stays. */
    static void scalarToScalar(Cpu c, Instruction i, int fromW, int toW) {
        c.checkSse();
        long a = lane(readLow(c, i, 1, fromW / 8), fromW, 0);
        Mxcsr m = Mxcsr.of(c);
        long[] r = reg(c, i, 0);
        setLane(r, toW, 0, SoftFloat.convert(format(fromW), format(toW), a, m));
        m.commit(c);
        write(c, i, 0, r);
    }

    /** CVTPS2PD: two singles (the low quadword) to two doubles. */
    static void ps2pd(Cpu c, Instruction i) {
        c.checkSse();
        long[] s = readLow(c, i, 1, 8);
        Mxcsr m = Mxcsr.of(c);
        long[] r = new long[2];
        for (int k = 0; k < 2; k++) r[k] = SoftFloat.convert(F32, F64, lane(s, 32, k), m);
        m.commit(c);
        write(c, i, 0, r);
    }

    /** CVTPD2PS: two doubles to two singles in the low quadword; the high quadword is zeroed. */
    static void pd2ps(Cpu c, Instruction i) {
        c.checkSse();
        long[] s = read128(c, i, 1, true);
        Mxcsr m = Mxcsr.of(c);
        long[] r = new long[2];
        for (int k = 0; k < 2; k++) setLane(r, 32, k, SoftFloat.convert(F64, F32, s[k], m));
        m.commit(c);
        write(c, i, 0, r);
    }

    /** CVTDQ2PS: four signed doublewords to singles. */
    static void dq2ps(Cpu c, Instruction i) {
        c.checkSse();
        long[] s = read128(c, i, 1, true);
        Mxcsr m = Mxcsr.of(c);
        long[] r = new long[2];
        for (int k = 0; k < 4; k++) setLane(r, 32, k, SoftFloat.fromInt(F32, (int) lane(s, 32, k), m));
        m.commit(c);
        write(c, i, 0, r);
    }

    /** CVTDQ2PD: two signed doublewords (the low quadword) to doubles; always exact. */
    static void dq2pd(Cpu c, Instruction i) {
        c.checkSse();
        long[] s = readLow(c, i, 1, 8);
        Mxcsr m = Mxcsr.of(c);
        long[] r = new long[2];
        for (int k = 0; k < 2; k++) r[k] = SoftFloat.fromInt(F64, (int) lane(s, 32, k), m);
        m.commit(c);
        write(c, i, 0, r);
    }

    /** CVTPS2DQ/CVTTPS2DQ: four singles to signed doublewords. */
    static void ps2dq(Cpu c, Instruction i, boolean truncate) {
        c.checkSse();
        long[] s = read128(c, i, 1, true);
        Mxcsr m = Mxcsr.of(c);
        int rc = truncate ? Mxcsr.RZ : m.rc;
        long[] r = new long[2];
        for (int k = 0; k < 4; k++) setLane(r, 32, k, SoftFloat.toInt(F32, lane(s, 32, k), 32, rc, m));
        m.commit(c);
        write(c, i, 0, r);
    }

    /** CVTPD2DQ/CVTTPD2DQ: two doubles to signed doublewords in the low quadword; the high one is zeroed. */
    static void pd2dq(Cpu c, Instruction i, boolean truncate) {
        c.checkSse();
        long[] s = read128(c, i, 1, true);
        Mxcsr m = Mxcsr.of(c);
        int rc = truncate ? Mxcsr.RZ : m.rc;
        long[] r = new long[2];
        for (int k = 0; k < 2; k++) setLane(r, 32, k, SoftFloat.toInt(F64, s[k], 32, rc, m));
        m.commit(c);
        write(c, i, 0, r);
    }
}
