package org.jvmx.translator.sem;

import static org.jvmx.decoder.Mnemonic.*;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.decoder.Register;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.FpuState;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.exec.Semantics;
import org.jvmx.translator.mem.GuestFault;

/**
 * MMX (SDM Vol. 1, ch. 9) and the MMX-register forms of SSE integer instructions (SDM Vol. 1,
 * 10.4.4). MMi is the significand of physical x87 register Ri (SDM Vol. 1, 9.5): a write stores
 * the 64 bits and sets bits 79:64 to all ones; every MMX instruction sets TOP to 0 and tags all
 * registers valid but EMMS, which tags them all empty (SDM Vol. 1, Table 9-2). The lane arithmetic
 * is that of the XMM forms ({@link SseIntLanes}, {@link SseIntShuffle}) on one 64-bit half. Most
 * mnemonics are shared with their XMM forms: {@link #isMmxForm} tells them apart (Isa installs
 * these as the MMX half of a shared mnemonic).
 */
public final class MmxOps {
    private MmxOps() {
    }

    interface QwordOp {
        long apply(long a, long b);
    }

    public static void install(Isa.Installer in) {
        lanewise(in, PADDB, SseIntLanes::paddb);
        lanewise(in, PADDW, SseIntLanes::paddw);
        lanewise(in, PADDD, SseIntLanes::paddd);
        lanewise(in, PADDQ, SseIntLanes::paddq);
        lanewise(in, PSUBB, SseIntLanes::psubb);
        lanewise(in, PSUBW, SseIntLanes::psubw);
        lanewise(in, PSUBD, SseIntLanes::psubd);
        lanewise(in, PSUBQ, SseIntLanes::psubq);
        lanewise(in, PADDSB, SseIntLanes::paddsb);
        lanewise(in, PADDSW, SseIntLanes::paddsw);
        lanewise(in, PADDUSB, SseIntLanes::paddusb);
        lanewise(in, PADDUSW, SseIntLanes::paddusw);
        lanewise(in, PSUBSB, SseIntLanes::psubsb);
        lanewise(in, PSUBSW, SseIntLanes::psubsw);
        lanewise(in, PSUBUSB, SseIntLanes::psubusb);
        lanewise(in, PSUBUSW, SseIntLanes::psubusw);
        lanewise(in, PMULLW, SseIntLanes::pmullw);
        lanewise(in, PMULHW, SseIntLanes::pmulhw);
        lanewise(in, PMULHUW, SseIntLanes::pmulhuw);
        lanewise(in, PMULUDQ, SseIntLanes::pmuludq);
        lanewise(in, PMADDWD, SseIntLanes::pmaddwd);
        lanewise(in, PAVGB, SseIntLanes::pavgb);
        lanewise(in, PAVGW, SseIntLanes::pavgw);
        lanewise(in, PMINUB, SseIntLanes::pminub);
        lanewise(in, PMAXUB, SseIntLanes::pmaxub);
        lanewise(in, PMINSW, SseIntLanes::pminsw);
        lanewise(in, PMAXSW, SseIntLanes::pmaxsw);
        lanewise(in, PSADBW, SseIntLanes::psadbw);
        lanewise(in, PCMPEQB, SseIntLanes::pcmpeqb);
        lanewise(in, PCMPEQW, SseIntLanes::pcmpeqw);
        lanewise(in, PCMPEQD, SseIntLanes::pcmpeqd);
        lanewise(in, PCMPGTB, SseIntLanes::pcmpgtb);
        lanewise(in, PCMPGTW, SseIntLanes::pcmpgtw);
        lanewise(in, PCMPGTD, SseIntLanes::pcmpgtd);
        lanewise(in, PAND, SseIntLanes::and);
        lanewise(in, PANDN, SseIntLanes::andn);
        lanewise(in, POR, SseIntLanes::or);
        lanewise(in, PXOR, SseIntLanes::xor);
        // unpack/pack: the XMM operation on (dst, src) as the low halves; the low-half interleave
        // gives PUNPCKL*, its high half PUNPCKH*; packing (dst, src) as one 128-bit source gives PACK*
        lanewise(in, PUNPCKLBW, (a, b) -> SseIntShuffle.punpcklbw(a, 0, b, 0, 0)[0]);
        lanewise(in, PUNPCKLWD, (a, b) -> SseIntShuffle.punpcklwd(a, 0, b, 0, 0)[0]);
        lanewise(in, PUNPCKLDQ, (a, b) -> SseIntShuffle.punpckldq(a, 0, b, 0, 0)[0]);
        lanewise(in, PUNPCKHBW, (a, b) -> SseIntShuffle.punpcklbw(a, 0, b, 0, 0)[1]);
        lanewise(in, PUNPCKHWD, (a, b) -> SseIntShuffle.punpcklwd(a, 0, b, 0, 0)[1]);
        lanewise(in, PUNPCKHDQ, (a, b) -> SseIntShuffle.punpckldq(a, 0, b, 0, 0)[1]);
        lanewise(in, PACKSSWB, (a, b) -> SseIntShuffle.packsswb(a, b, 0, 0, 0)[0]);
        lanewise(in, PACKSSDW, (a, b) -> SseIntShuffle.packssdw(a, b, 0, 0, 0)[0]);
        lanewise(in, PACKUSWB, (a, b) -> SseIntShuffle.packuswb(a, b, 0, 0, 0)[0]);
        shift(in, PSLLW, 16, 0);
        shift(in, PSLLD, 32, 0);
        shift(in, PSLLQ, 64, 0);
        shift(in, PSRLW, 16, 1);
        shift(in, PSRLD, 32, 1);
        shift(in, PSRLQ, 64, 1);
        shift(in, PSRAW, 16, 2);
        shift(in, PSRAD, 32, 2);
        in.put(MOVD, (c, i) -> move(c, i, 4));
        in.put(MOVQ, (c, i) -> move(c, i, 8));
        in.put(MOVNTQ, (c, i) -> move(c, i, 8));
        in.put(EMMS, (c, i) -> {
            gate(c, false);
            c.state.fpu.ftw = 0xFFFF;
            c.state.fpu.fsw &= ~(7 << 11); // TOP = 0 as well (SDM Vol. 1, Table 9-2)
        });
        in.put(PSHUFW, (c, i) -> {
            long s = source(c, i, 1);
            int imm = (int) i.immediate(2);
            long r = 0;
            for (int k = 0; k < 4; k++) r |= (s >>> 16 * (imm >>> 2 * k & 3) & 0xFFFF) << 16 * k;
            write(c, mm(i, 0), r);
        });
        in.put(PMOVMSKB, (c, i) -> {
            long s = source(c, i, 1);
            long r = 0;
            for (int k = 0; k < 8; k++) r |= (s >>> (8 * k + 7) & 1) << k;
            Operands.writeGpr(c.gpr, Operands.gprIndex(i.register(0)), i.operandBits(0), r);
        });
        in.put(PEXTRW, (c, i) -> {
            long s = source(c, i, 1);
            long r = s >>> 16 * (i.immediate(2) & 3) & 0xFFFF;
            Operands.writeGpr(c.gpr, Operands.gprIndex(i.register(0)), i.operandBits(0), r);
        });
        in.put(PINSRW, (c, i) -> {
            check(c);
            long w = Operands.read(c, i, 1) & 0xFFFF;
            transition(c);
            int m = mm(i, 0), sh = 16 * (int) (i.immediate(2) & 3);
            write(c, m, c.state.fpu.mantissa[m] & ~(0xFFFFL << sh) | w << sh);
        });
        in.put(MOVQ2DQ, (c, i) -> {
            c.checkSse();
            long v = source(c, i, 1);
            int x = Operands.xmmIndex(i.register(0));
            c.state.xmm[2 * x] = v;
            c.state.xmm[2 * x + 1] = 0;
        });
        in.put(MOVDQ2Q, (c, i) -> {
            c.checkSse();
            gate(c, true);
            write(c, mm(i, 0), c.state.xmm[2 * Operands.xmmIndex(i.register(1))]);
        });
        MmxSse.install(in);
    }

    /** Whether {@code i} is the MMX form of a mnemonic shared with XMM forms: some operand is an MMX register. */
    public static boolean isMmxForm(Instruction i) {
        return Xmm.hasMmx(i);
    }

    /**
     * The gate of an MMX instruction (SDM Vol. 1, 9.6.3 and Table 12-1): #UD with CR0.EM, #NM
     * with CR0.TS, #MF with a pending unmasked x87 exception; then (but for EMMS) the x87 to MMX
     * transition: TOP = 0, all tags valid.
     */
    static void gate(Cpu c, boolean transition) {
        check(c);
        if (transition) transition(c);
    }

    /** The faults of the gate, before any operand is read. */
    static void check(Cpu c) {
        long cr0 = c.state.cr0;
        if ((cr0 & CpuState.CR0_EM) != 0) throw GuestFault.invalidOpcode("MMX with CR0.EM");
        if ((cr0 & CpuState.CR0_TS) != 0) throw GuestFault.deviceNotAvailable();
        X87Stack.checkPending(c);
    }

    /** The x87 to MMX transition, once nothing can fault any more. */
    static void transition(Cpu c) {
        FpuState f = c.state.fpu;
        f.fsw &= ~(7 << 11);
        f.ftw = 0;
    }

    static int mm(Instruction i, int op) {
        return i.register(op).ordinal() - Register.MM0.ordinal();
    }

    static boolean isMm(Instruction i, int op) {
        if (i.operandKind(op) != OperandKind.REGISTER) return false;
        int o = mm(i, op);
        return o >= 0 && o < 8;
    }

    /** Reads an mm/m64 (or m32 for the low-half unpacks, zero-extended) source, after the gate and the transition. */
    static long source(Cpu c, Instruction i, int op) {
        check(c);
        long v;
        if (i.operandKind(op) == OperandKind.MEMORY) v = Operands.readMem(c, i, Operands.address(c, i), Math.max(1, i.memBits() / 8));
        else if (isMm(i, op)) v = c.state.fpu.mantissa[mm(i, op)];
        else v = c.state.xmm[2 * Operands.xmmIndex(i.register(op))];
        transition(c);
        return v;
    }

    /** Writes MMm: the 64 bits, exponent and sign all ones (SDM Vol. 1, 9.5.1). */
    static void write(Cpu c, int m, long v) {
        c.state.fpu.mantissa[m] = v;
        c.state.fpu.signExponent[m] = (short) 0xFFFF;
    }

    private static void lanewise(Isa.Installer in, Mnemonic m, QwordOp f) {
        in.put(m, (c, i) -> {
            long s = source(c, i, 1);
            int d = mm(i, 0);
            write(c, d, f.apply(c.state.fpu.mantissa[d], s));
        });
    }

    /** PSLL/PSRL/PSRA by mm/m64 or imm8: counts past the lane width give zero (or the sign) (SDM Vol. 2B, PSLLW...). */
    private static void shift(Isa.Installer in, Mnemonic m, int bits, int kind) {
        in.put(m, (c, i) -> {
            long count = i.operandKind(1) == OperandKind.IMMEDIATE ? i.immediate(1) & 0xFF : source(c, i, 1);
            if (i.operandKind(1) == OperandKind.IMMEDIATE) gate(c, true);
            int d = mm(i, 0);
            long a = c.state.fpu.mantissa[d];
            long mask = bits == 64 ? -1L : (1L << bits) - 1;
            long r = 0;
            for (int k = 0; k < 64; k += bits) {
                long lane = a >>> k & mask;
                long v;
                if (Long.compareUnsigned(count, bits - 1) > 0) v = kind == 2 ? (lane >>> (bits - 1) & 1) * mask : 0;
                else if (kind == 0) v = lane << count & mask;
                else if (kind == 1) v = lane >>> count;
                else v = (lane << (64 - bits) >> (64 - bits) >> count) & mask;
                r |= v << k;
            }
            write(c, d, r);
        });
    }

    /** MOVD/MOVQ/MOVNTQ with an MMX operand: to MM (zero-extended from 32 bits for MOVD), or from MM to r/m. */
    private static void move(Cpu c, Instruction i, int bytes) {
        if (isMm(i, 0)) {
            long v;
            if (i.operandKind(1) == OperandKind.REGISTER && !isMm(i, 1)) {
                check(c);
                v = Operands.read(c, i, 1);
                transition(c);
            } else {
                v = source(c, i, 1);
            }
            write(c, mm(i, 0), bytes == 4 ? v & 0xFFFF_FFFFL : v);
        } else {
            check(c);
            long v = c.state.fpu.mantissa[mm(i, 1)];
            if (bytes == 4) v &= 0xFFFF_FFFFL;
            if (i.operandKind(0) == OperandKind.MEMORY) Operands.writeMem(c, i, Operands.address(c, i), bytes, v);
            else Operands.writeGpr(c.gpr, Operands.gprIndex(i.register(0)), bytes * 8, v);
            transition(c);
        }
    }

    /** For the Isa: a semantics that runs {@code mmx} for MMX forms and {@code other} otherwise. */
    public static Semantics dispatch(Semantics other, Semantics mmx) {
        return other == null ? mmx : (c, i) -> (isMmxForm(i) ? mmx : other).execute(c, i);
    }
}
