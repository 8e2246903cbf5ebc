package org.jvmx.translator.sem;

import static org.jvmx.translator.sem.SseFpOperands.*;

import org.jvmx.decoder.Instruction;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.mem.GuestFault;

/**
 * MXCSR load/store, the SSE3 moves (MOVSHDUP MOVSLDUP MOVDDUP LDDQU) and the SSE4.1
 * floating-point group (ROUNDxx, DPPS/DPPD, BLENDPS/PD, BLENDVPS/PD), SDM Vol. 2.
 */
final class SseFpMisc {
    private SseFpMisc() {
    }

    /** LDMXCSR: reserved bits (31:16) set is #GP(0) (SDM Vol. 1, 10.2.3.1). Loading flags never raises #XM. */
    static void ldmxcsr(Cpu c, Instruction i) {
        c.checkSse();
        long v = Operands.readMem(c, i, Operands.address(c, i), 4);
        if ((v & ~(long) Mxcsr.WRITABLE) != 0) throw GuestFault.generalProtection(0);
        c.state.mxcsr = (int) v;
    }

    static void stmxcsr(Cpu c, Instruction i) {
        c.checkSse();
        Operands.writeMem(c, i, Operands.address(c, i), 4, c.state.mxcsr & 0xFFFF_FFFFL);
    }

    /** MOVSHDUP (odd lanes duplicated) / MOVSLDUP (even lanes duplicated). */
    static void dupSingles(Cpu c, Instruction i, int odd) {
        c.checkSse();
        long[] s = read128(c, i, 1, true);
        long[] r = new long[2];
        for (int k = 0; k < 4; k++) setLane(r, 32, k, lane(s, 32, (k & ~1) | odd));
        write(c, i, 0, r);
    }

    /** MOVDDUP: the low quadword (8 bytes of memory, unaligned) into both halves. */
    static void movddup(Cpu c, Instruction i) {
        c.checkSse();
        long lo = readLow(c, i, 1, 8)[0];
        write(c, i, 0, new long[] {lo, lo});
    }

    /** LDDQU: 16 bytes from memory with no alignment requirement. */
    static void lddqu(Cpu c, Instruction i) {
        c.checkSse();
        write(c, i, 0, read128(c, i, 1, false));
    }

    /** ROUNDPS/PD/SS/SD: imm8[2] selects MXCSR.RC over imm8[1:0]; imm8[3] suppresses PE. */
    static void round(Cpu c, Instruction i, int w, boolean packed) {
        c.checkSse();
        long[] s = packed ? read128(c, i, 1, true) : readLow(c, i, 1, w / 8);
        int imm = (int) i.immediate(2);
        Mxcsr m = Mxcsr.of(c);
        int rc = (imm & 4) != 0 ? m.rc : imm & 3;
        boolean suppress = (imm & 8) != 0;
        long[] r = packed ? new long[2] : reg(c, i, 0);
        SoftFloatFormat f = format(w);
        for (int k = 0; k < (packed ? 128 / w : 1); k++)
            setLane(r, w, k, SoftFloat.roundToIntegral(f, lane(s, w, k), rc, suppress, m));
        m.commit(c);
        write(c, i, 0, r);
    }

    /**
     * DPPS/DPPD: products of the lanes selected by imm8[7:4] (others +0.0), summed pairwise,
     * each step rounded as its own operation, broadcast to the lanes selected by imm8[3:0].
     */
    static void dotProduct(Cpu c, Instruction i, int w) {
        c.checkSse();
        long[] d = reg(c, i, 0);
        long[] s = read128(c, i, 1, true);
        int imm = (int) i.immediate(2);
        SoftFloatFormat f = format(w);
        Mxcsr m = Mxcsr.of(c);
        int n = 128 / w;
        long[] t = new long[n];
        for (int k = 0; k < n; k++)
            t[k] = (imm >>> (4 + k) & 1) != 0 ? SoftFloat.mul(f, lane(d, w, k), lane(s, w, k), m) : 0;
        // Each stage (products, pair sums, final sum) completes before the next: an unmasked
        // exception in one stage faults before the next runs (checked against the host CPU).
        stage(c, m);
        long sum;
        if (n == 4) {
            long s01 = SoftFloat.add(f, t[0], t[1], m), s23 = SoftFloat.add(f, t[2], t[3], m);
            stage(c, m);
            sum = SoftFloat.add(f, s01, s23, m);
        } else {
            sum = SoftFloat.add(f, t[0], t[1], m);
        }
        long[] r = new long[2];
        for (int k = 0; k < n; k++) setLane(r, w, k, (imm >>> k & 1) != 0 ? sum : 0);
        m.commit(c);
        write(c, i, 0, r);
    }

    /** Faults now if the stage so far raised an unmasked exception. */
    private static void stage(Cpu c, Mxcsr m) {
        m.endStage();
        if (m.mustFault()) m.commit(c);
    }

    /** BLENDPS/PD: lane k from the source when imm8[k] is set. */
    static void blend(Cpu c, Instruction i, int w) {
        c.checkSse();
        long[] d = reg(c, i, 0);
        long[] s = read128(c, i, 1, true);
        int imm = (int) i.immediate(2);
        for (int k = 0; k < 128 / w; k++) if ((imm >>> k & 1) != 0) setLane(d, w, k, lane(s, w, k));
        write(c, i, 0, d);
    }

    /** BLENDVPS/PD: lane k from the source when the sign bit of XMM0's lane k is set. */
    static void blendv(Cpu c, Instruction i, int w) {
        c.checkSse();
        long[] d = reg(c, i, 0);
        long[] s = read128(c, i, 1, true);
        long[] mask = {c.state.xmm[0], c.state.xmm[1]};
        for (int k = 0; k < 128 / w; k++) if ((lane(mask, w, k) >>> (w - 1) & 1) != 0) setLane(d, w, k, lane(s, w, k));
        write(c, i, 0, d);
    }
}
