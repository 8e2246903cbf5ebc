package org.jvmx.translator.sem;

import static org.jvmx.decoder.Mnemonic.*;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Semantics;
import org.jvmx.translator.sem.SseIntLanes.QwordOp;
import org.jvmx.translator.sem.SseIntShifts.Kind;
import org.jvmx.translator.sem.SseIntShuffle.WideOp;

/**
 * SSE/SSE2 integer, logic, data-movement and shuffle instructions, XMM forms (SDM Vol. 1,
 * chapters 10-11; Vol. 2 per instruction). The operations themselves live in
 * {@link SseIntLanes} (per 64-bit half), {@link SseIntShuffle} (across the register),
 * {@link SseIntShifts} and {@link SseMoveOps}; this class holds the mnemonic tables and the
 * operand plumbing they share. Legacy-encoded m128 sources are 16-byte aligned (#GP(0)
 * otherwise) except for the explicitly unaligned moves.
 */
public final class SseIntegerOps {
    private SseIntegerOps() {
    }

    private record Lanewise(Mnemonic m, QwordOp f) {
    }

    private record Wide(Mnemonic m, WideOp f) {
    }

    private record Shift(Mnemonic m, int bits, Kind kind) {
    }

    /** The lane-wise two-operand instructions: {@code xmm1 = f(xmm1, xmm2/m128)} on each 64-bit half. */
    private static final Lanewise[] LANEWISE = {
        new Lanewise(PADDB, SseIntLanes::paddb), new Lanewise(PADDW, SseIntLanes::paddw),
        new Lanewise(PADDD, SseIntLanes::paddd), new Lanewise(PADDQ, SseIntLanes::paddq),
        new Lanewise(PSUBB, SseIntLanes::psubb), new Lanewise(PSUBW, SseIntLanes::psubw),
        new Lanewise(PSUBD, SseIntLanes::psubd), new Lanewise(PSUBQ, SseIntLanes::psubq),
        new Lanewise(PADDSB, SseIntLanes::paddsb), new Lanewise(PADDSW, SseIntLanes::paddsw),
        new Lanewise(PADDUSB, SseIntLanes::paddusb), new Lanewise(PADDUSW, SseIntLanes::paddusw),
        new Lanewise(PSUBSB, SseIntLanes::psubsb), new Lanewise(PSUBSW, SseIntLanes::psubsw),
        new Lanewise(PSUBUSB, SseIntLanes::psubusb), new Lanewise(PSUBUSW, SseIntLanes::psubusw),
        new Lanewise(PMULLW, SseIntLanes::pmullw), new Lanewise(PMULHW, SseIntLanes::pmulhw),
        new Lanewise(PMULHUW, SseIntLanes::pmulhuw), new Lanewise(PMULUDQ, SseIntLanes::pmuludq),
        new Lanewise(PMADDWD, SseIntLanes::pmaddwd),
        new Lanewise(PAVGB, SseIntLanes::pavgb), new Lanewise(PAVGW, SseIntLanes::pavgw),
        new Lanewise(PMINUB, SseIntLanes::pminub), new Lanewise(PMAXUB, SseIntLanes::pmaxub),
        new Lanewise(PMINSW, SseIntLanes::pminsw), new Lanewise(PMAXSW, SseIntLanes::pmaxsw),
        new Lanewise(PSADBW, SseIntLanes::psadbw),
        new Lanewise(PCMPEQB, SseIntLanes::pcmpeqb), new Lanewise(PCMPEQW, SseIntLanes::pcmpeqw),
        new Lanewise(PCMPEQD, SseIntLanes::pcmpeqd),
        new Lanewise(PCMPGTB, SseIntLanes::pcmpgtb), new Lanewise(PCMPGTW, SseIntLanes::pcmpgtw),
        new Lanewise(PCMPGTD, SseIntLanes::pcmpgtd),
        new Lanewise(PAND, SseIntLanes::and), new Lanewise(ANDPS, SseIntLanes::and), new Lanewise(ANDPD, SseIntLanes::and),
        new Lanewise(PANDN, SseIntLanes::andn), new Lanewise(ANDNPS, SseIntLanes::andn), new Lanewise(ANDNPD, SseIntLanes::andn),
        new Lanewise(POR, SseIntLanes::or), new Lanewise(ORPS, SseIntLanes::or), new Lanewise(ORPD, SseIntLanes::or),
        new Lanewise(PXOR, SseIntLanes::xor), new Lanewise(XORPS, SseIntLanes::xor), new Lanewise(XORPD, SseIntLanes::xor),
    };

    /** The whole-register instructions: {@code xmm1 = f(xmm1, xmm2/m128, imm8)}. */
    private static final Wide[] WIDE = {
        new Wide(PACKSSWB, SseIntShuffle::packsswb), new Wide(PACKSSDW, SseIntShuffle::packssdw),
        new Wide(PACKUSWB, SseIntShuffle::packuswb),
        new Wide(PUNPCKLBW, SseIntShuffle::punpcklbw), new Wide(PUNPCKLWD, SseIntShuffle::punpcklwd),
        new Wide(PUNPCKLDQ, SseIntShuffle::punpckldq), new Wide(PUNPCKLQDQ, SseIntShuffle::punpcklqdq),
        new Wide(PUNPCKHBW, SseIntShuffle::punpckhbw), new Wide(PUNPCKHWD, SseIntShuffle::punpckhwd),
        new Wide(PUNPCKHDQ, SseIntShuffle::punpckhdq), new Wide(PUNPCKHQDQ, SseIntShuffle::punpckhqdq),
        new Wide(UNPCKLPS, SseIntShuffle::punpckldq), new Wide(UNPCKHPS, SseIntShuffle::punpckhdq),
        new Wide(UNPCKLPD, SseIntShuffle::punpcklqdq), new Wide(UNPCKHPD, SseIntShuffle::punpckhqdq),
        new Wide(PSHUFD, SseIntShuffle::pshufd), new Wide(PSHUFHW, SseIntShuffle::pshufhw),
        new Wide(PSHUFLW, SseIntShuffle::pshuflw),
        new Wide(SHUFPS, SseIntShuffle::shufps), new Wide(SHUFPD, SseIntShuffle::shufpd),
    };

    /** Bit shifts: mnemonic, lane width, kind. */
    private static final Shift[] SHIFTS = {
        new Shift(PSLLW, 16, Kind.LEFT), new Shift(PSLLD, 32, Kind.LEFT), new Shift(PSLLQ, 64, Kind.LEFT),
        new Shift(PSRLW, 16, Kind.RIGHT), new Shift(PSRLD, 32, Kind.RIGHT), new Shift(PSRLQ, 64, Kind.RIGHT),
        new Shift(PSRAW, 16, Kind.ARITH), new Shift(PSRAD, 32, Kind.ARITH),
    };

    public static void install(Isa.Installer in) {
        for (Lanewise e : LANEWISE) in.put(e.m, lanewise(e.f));
        for (Wide e : WIDE) in.put(e.m, wide(e.f));
        for (Shift e : SHIFTS) in.put(e.m, SseIntShifts.of(e.bits, e.kind));
        in.put(PSLLDQ, SseIntShifts.byteShift(true));
        in.put(PSRLDQ, SseIntShifts.byteShift(false));

        Semantics aligned = SseMoveOps.move128(true), unaligned = SseMoveOps.move128(false);
        for (Mnemonic m : new Mnemonic[] {MOVDQA, MOVAPS, MOVAPD, MOVNTDQ, MOVNTPS, MOVNTPD}) in.put(m, aligned);
        for (Mnemonic m : new Mnemonic[] {MOVDQU, MOVUPS, MOVUPD}) in.put(m, unaligned);
        in.put(MOVD, SseMoveOps.movdq(4));
        in.put(MOVQ, SseMoveOps.movdq(8));
        in.put(MOVSS, (c, i) -> SseMoveOps.moveScalar(c, i, 4));
        // MOVSD is shared with the string move: the string group dispatches to movsdXmm.
        in.put(MOVLPS, SseMoveOps.moveHalf(false));
        in.put(MOVLPD, SseMoveOps.moveHalf(false));
        in.put(MOVHPS, SseMoveOps.moveHalf(true));
        in.put(MOVHPD, SseMoveOps.moveHalf(true));
        in.put(MOVLHPS, SseMoveOps::movlhps);
        in.put(MOVHLPS, SseMoveOps::movhlps);
        in.put(MOVMSKPS, SseMoveOps.signMask(32));
        in.put(MOVMSKPD, SseMoveOps.signMask(64));
        in.put(PMOVMSKB, SseMoveOps.signMask(8));
        in.put(MOVNTI, SseMoveOps::movnti);
        in.put(MASKMOVDQU, SseMoveOps::maskmovdqu);
        in.put(PEXTRW, SseMoveOps::pextrw);
        in.put(PINSRW, SseMoveOps::pinsrw);
    }

    /**
     * The SSE2 scalar double move (F2 0F 10/11, MOVSD xmm1, xmm2/m64 and MOVSD xmm1/m64, xmm2).
     * Its mnemonic is shared with the string instruction MOVSD (A5), whose group dispatches the
     * XMM forms here.
     */
    public static void movsdXmm(Cpu c, Instruction i) {
        SseMoveOps.moveScalar(c, i, 8);
    }

    /** {@code xmm1 = f(xmm1, xmm2/m128)} per 64-bit half; the m128 must be 16-byte aligned. */
    static Semantics lanewise(QwordOp f) {
        return (c, i) -> {
            c.checkSse();
            if (!Xmm.isXmm(i, 0)) throw Xmm.unimplemented(c, i);
            long[] s = Xmm.read128(c, i, 1, true);
            int d = Xmm.reg(i, 0);
            Xmm.set(c, d, f.apply(Xmm.lo(c, d), s[0]), f.apply(Xmm.hi(c, d), s[1]));
        };
    }

    /** {@code xmm1 = f(xmm1, xmm2/m128, imm8)} over the whole register; the m128 must be 16-byte aligned. */
    static Semantics wide(WideOp f) {
        return (c, i) -> {
            c.checkSse();
            if (!Xmm.isXmm(i, 0)) throw Xmm.unimplemented(c, i);
            long[] s = Xmm.read128(c, i, 1, true);
            int d = Xmm.reg(i, 0);
            int imm = i.operandCount() > 2 ? (int) (i.immediate(2) & 0xFF) : 0;
            long[] r = f.apply(Xmm.lo(c, d), Xmm.hi(c, d), s[0], s[1], imm);
            Xmm.set(c, d, r[0], r[1]);
        };
    }
}
