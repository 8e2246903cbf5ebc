package org.jvmx.translator.sem;

import static org.jvmx.translator.sem.SseFpOperands.*;

import org.jvmx.decoder.Instruction;
import org.jvmx.translator.cpu.Rflags;
import org.jvmx.translator.exec.Cpu;

/**
 * CMPPS/CMPPD/CMPSS/CMPSD (xmm) and COMISS/COMISD/UCOMISS/UCOMISD (SDM Vol. 2A).
 */
final class SseFpCompare {
    private SseFpCompare() {
    }

    /**
     * The eight legacy predicates of imm8[2:0] (SDM Vol. 2A, Table 3-1): which results make
     * the predicate true (bit per {@code LESS+1, EQUAL+1, GREATER+1, UNORDERED+1}) and whether a
     * QNaN operand signals IE.
     */
    private static final int[] TRUE_ON = {
        0b0010, // EQ_OQ
        0b0001, // LT_OS
        0b0011, // LE_OS
        0b1000, // UNORD_Q
        0b1101, // NEQ_UQ
        0b1110, // NLT_US
        0b1100, // NLE_US
        0b0111, // ORD_Q
    };
    private static final boolean[] SIGNALING = {false, true, true, false, false, true, true, false};

    static void cmp(Cpu c, Instruction i, int w, boolean packed) {
        c.checkSse();
        long[] d = reg(c, i, 0);
        long[] s = packed ? read128(c, i, 1, true) : readLow(c, i, 1, w / 8);
        int pred = (int) i.immediate(2) & 7;
        SoftFloatFormat f = format(w);
        Mxcsr m = Mxcsr.of(c);
        long[] r = d.clone();
        long ones = w == 64 ? -1L : 0xFFFF_FFFFL;
        for (int k = 0; k < (packed ? 128 / w : 1); k++) {
            int o = SoftFloat.compare(f, lane(d, w, k), lane(s, w, k), SIGNALING[pred], m);
            setLane(r, w, k, (TRUE_ON[pred] >>> (o + 1) & 1) != 0 ? ones : 0);
        }
        m.commit(c);
        write(c, i, 0, r);
    }

    /** COMIS*: any NaN signals IE; UCOMIS*: only an SNaN. ZF PF CF from the result, OF SF AF cleared. */
    static void comi(Cpu c, Instruction i, int w, boolean signaling) {
        c.checkSse();
        long a = lane(reg(c, i, 0), w, 0);
        long b = lane(readLow(c, i, 1, w / 8), w, 0);
        Mxcsr m = Mxcsr.of(c);
        int o = SoftFloat.compare(format(w), a, b, signaling, m);
        m.commit(c);
        long fl = switch (o) {
            case SoftFloat.UNORDERED -> Rflags.ZF | Rflags.PF | Rflags.CF;
            case SoftFloat.LESS -> Rflags.CF;
            case SoftFloat.EQUAL -> Rflags.ZF;
            default -> 0;
        };
        c.flags.setDirect(fl);
    }
}
