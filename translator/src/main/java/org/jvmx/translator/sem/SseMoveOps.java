package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.OperandKind;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.exec.Semantics;

/**
 * SSE/SSE2 data movement (SDM Vol. 2, each instruction's "Operation"): whole-register moves,
 * scalar and half-register moves, moves between XMM and general registers, sign-mask
 * extraction, word insert/extract, non-temporal and masked stores. Non-temporal hints have no
 * architectural effect here (SDM Vol. 1, 10.4.6.2), so MOVNTxx are plain stores with the
 * alignment rules of their forms. The MMX-register forms of shared mnemonics are not
 * implemented yet (#UD, counted).
 */
final class SseMoveOps {
    private SseMoveOps() {
    }

    /** MOVDQA/MOVAPS/MOVAPD/MOVNTxx ({@code aligned}) and MOVDQU/MOVUPS/MOVUPD: a 128-bit copy, either direction. */
    static Semantics move128(boolean aligned) {
        return (c, i) -> {
            c.checkSse();
            long[] v = Xmm.read128(c, i, 1, aligned);
            Xmm.write128(c, i, 0, v[0], v[1], aligned);
        };
    }

    /**
     * MOVD ({@code bytes} 4) / MOVQ (8), every XMM form: to an XMM register the value is
     * zero-extended to 128 bits; from an XMM register its low bits go to a GPR (a 32-bit GPR
     * write zero-extends) or memory. MOVQ xmm, xmm/m64 (F3 0F 7E) and MOVQ xmm/m64, xmm
     * (66 0F D6) are the same rule.
     */
    static Semantics movdq(int bytes) {
        return (c, i) -> {
            c.checkSse();
            if (Xmm.hasMmx(i)) throw Xmm.unimplemented(c, i);
            long v;
            if (Xmm.isXmm(i, 1)) v = Xmm.readLow(c, i, 1, bytes);
            else if (Xmm.isMem(i, 1)) v = Operands.readMem(c, i, Operands.address(c, i), bytes);
            else v = Operands.readReg(c.gpr, i.register(1));
            if (Xmm.isXmm(i, 0)) {
                Xmm.set(c, Xmm.reg(i, 0), v, 0);
            } else if (Xmm.isMem(i, 0)) {
                Operands.writeMem(c, i, Operands.address(c, i), bytes, v);
            } else {
                Operands.writeReg(c.gpr, i.register(0), v);
            }
        };
    }

    /**
     * MOVSS ({@code bytes} 4) / SSE2 MOVSD (8): a load from memory zero-extends to 128 bits; a
     * register-to-register move replaces only the low element; a store writes only the element.
     */
    static void moveScalar(Cpu c, Instruction i, int bytes) {
        c.checkSse();
        if (Xmm.isMem(i, 0)) {
            Xmm.writeLowMem(c, i, Xmm.lo(c, Xmm.reg(i, 1)), bytes);
            return;
        }
        int d = Xmm.reg(i, 0);
        if (Xmm.isMem(i, 1)) {
            Xmm.set(c, d, Xmm.readLow(c, i, 1, bytes), 0);
            return;
        }
        long v = Xmm.lo(c, Xmm.reg(i, 1));
        long m = bytes == 8 ? -1L : 0xFFFF_FFFFL;
        Xmm.setLo(c, d, (Xmm.lo(c, d) & ~m) | (v & m));
    }

    /** MOVLPS/MOVLPD ({@code high} false) and MOVHPS/MOVHPD: a 64-bit half loaded from or stored to m64. */
    static Semantics moveHalf(boolean high) {
        return (c, i) -> {
            c.checkSse();
            if (Xmm.isMem(i, 0)) {
                int s = Xmm.reg(i, 1);
                Xmm.writeLowMem(c, i, high ? Xmm.hi(c, s) : Xmm.lo(c, s), 8);
                return;
            }
            long v = Operands.readMem(c, i, Operands.address(c, i), 8);
            int d = Xmm.reg(i, 0);
            if (high) Xmm.setHi(c, d, v); else Xmm.setLo(c, d, v);
        };
    }

    /** MOVLHPS: destination bits 127:64 = source bits 63:0. */
    static void movlhps(Cpu c, Instruction i) {
        c.checkSse();
        Xmm.setHi(c, Xmm.reg(i, 0), Xmm.lo(c, Xmm.reg(i, 1)));
    }

    /** MOVHLPS: destination bits 63:0 = source bits 127:64. */
    static void movhlps(Cpu c, Instruction i) {
        c.checkSse();
        Xmm.setLo(c, Xmm.reg(i, 0), Xmm.hi(c, Xmm.reg(i, 1)));
    }

    /**
     * MOVMSKPS ({@code bits} 32), MOVMSKPD (64), PMOVMSKB (8): the sign bit of each lane,
     * lane k in bit k of the GPR, the rest of the GPR zero.
     */
    static Semantics signMask(int bits) {
        return (c, i) -> {
            c.checkSse();
            if (!Xmm.isXmm(i, 1)) throw Xmm.unimplemented(c, i);
            int s = Xmm.reg(i, 1);
            long lo = Xmm.lo(c, s), hi = Xmm.hi(c, s);
            int n = 64 / bits;
            long r = 0;
            for (int k = 0; k < n; k++) {
                r |= ((lo >>> (k * bits + bits - 1)) & 1) << k;
                r |= ((hi >>> (k * bits + bits - 1)) & 1) << (k + n);
            }
            Operands.writeReg(c.gpr, i.register(0), r);
        };
    }

    /** MOVNTI: a GPR stored to memory; a general-purpose instruction, so no SSE gate applies (SDM Vol. 2, MOVNTI "Exceptions"). */
    static void movnti(Cpu c, Instruction i) {
        Operands.write(c, i, 0, Operands.read(c, i, 1));
    }

    /**
     * PEXTRW: word imm8[2:0] of the XMM source, zero-extended into a GPR, or stored to m16 (the
     * SSE4.1 form 66 0F 3A 15).
     */
    static void pextrw(Cpu c, Instruction i) {
        c.checkSse();
        if (!Xmm.isXmm(i, 1)) throw Xmm.unimplemented(c, i);
        int s = Xmm.reg(i, 1);
        int k = (int) (i.immediate(2) & 7);
        long w = ((k < 4 ? Xmm.lo(c, s) : Xmm.hi(c, s)) >>> (16 * (k & 3))) & 0xFFFF;
        if (Xmm.isMem(i, 0)) Operands.writeMem(c, i, Operands.address(c, i), 2, w);
        else Operands.writeReg(c.gpr, i.register(0), w);
    }

    /** PINSRW: the low word of a GPR or m16 into word imm8[2:0] of the XMM destination. */
    static void pinsrw(Cpu c, Instruction i) {
        c.checkSse();
        if (!Xmm.isXmm(i, 0)) throw Xmm.unimplemented(c, i);
        long w = (i.operandKind(1) == OperandKind.MEMORY
                ? Operands.readMem(c, i, Operands.address(c, i), 2)
                : Operands.readReg(c.gpr, i.register(1))) & 0xFFFF;
        int d = Xmm.reg(i, 0);
        int k = (int) (i.immediate(2) & 7);
        int sh = 16 * (k & 3);
        if (k < 4) Xmm.setLo(c, d, (Xmm.lo(c, d) & ~(0xFFFFL << sh)) | w << sh);
        else Xmm.setHi(c, d, (Xmm.hi(c, d) & ~(0xFFFFL << sh)) | w << sh);
    }

    /**
     * MASKMOVDQU: the bytes of the first XMM operand whose mask byte (second operand) has bit 7
     * set are stored at DS:rDI (no alignment requirement). The span from the first to the last
     * selected byte is checked writable first, so a fault stores nothing.
     */
    static void maskmovdqu(Cpu c, Instruction i) {
        c.checkSse();
        int s = Xmm.reg(i, 1), m = Xmm.reg(i, 2);
        long dlo = Xmm.lo(c, s), dhi = Xmm.hi(c, s), mlo = Xmm.lo(c, m), mhi = Xmm.hi(c, m);
        int sel = 0;
        for (int k = 0; k < 8; k++) {
            sel |= (int) ((mlo >>> (8 * k + 7)) & 1) << k;
            sel |= (int) ((mhi >>> (8 * k + 7)) & 1) << (k + 8);
        }
        if (sel == 0) return;
        long a = Operands.address(c, i);
        int first = Integer.numberOfTrailingZeros(sel), last = 31 - Integer.numberOfLeadingZeros(sel);
        boolean stack = Operands.isStackAccess(i);
        long end = a + last;
        if ((end << 16 >> 16) != end) throw stack
                ? org.jvmx.translator.mem.GuestFault.stackFault(0)
                : org.jvmx.translator.mem.GuestFault.generalProtection(0);
        Operands.probeWriteMem(c, i, a + first, last - first + 1);
        for (int k = first; k <= last; k++) {
            if ((sel >>> k & 1) == 0) continue;
            long b = (k < 8 ? dlo : dhi) >>> (8 * (k & 7));
            Operands.writeMem(c, i, a + k, 1, b);
        }
    }
}
