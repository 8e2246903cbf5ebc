package org.jvmx.translator.sem;

import static org.jvmx.decoder.Mnemonic.*;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.decoder.OperandKind;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;

/**
 * SSE, SSE2 and SSSE3 instructions with MMX-register operands that are not plain MMX lane
 * operations (SDM Vol. 2: CVTPI2PS, CVTPI2PD, CVTPS2PI, CVTTPS2PI, CVTPD2PI, CVTTPD2PI, MASKMOVQ,
 * and the 64-bit forms of PABSx, PALIGNR, PHADDx, PHSUBx, PMADDUBSW, PMULHRSW, PSHUFB, PSIGNx).
 * The SSSE3 forms run the XMM lane code of {@link Ssse3Ops} on operands arranged so that its low
 * quadword is the 64-bit result. A conversion with an MMX register operand makes the x87 to MMX
 * transition; with a memory source it does not (SDM Vol. 2A, CVTPI2PS "Operation" notes).
 */
final class MmxSse {
    private MmxSse() {
    }

    interface Quad {
        long apply(long d, long s, int imm);
    }

    static void install(Isa.Installer in) {
        in.put(CVTPI2PS, (c, i) -> fromInts(c, i, SoftFloatFormat.F32));
        in.put(CVTPI2PD, (c, i) -> fromInts(c, i, SoftFloatFormat.F64));
        in.put(CVTPS2PI, (c, i) -> toInts(c, i, SoftFloatFormat.F32, false));
        in.put(CVTTPS2PI, (c, i) -> toInts(c, i, SoftFloatFormat.F32, true));
        in.put(CVTPD2PI, (c, i) -> toInts(c, i, SoftFloatFormat.F64, false));
        in.put(CVTTPD2PI, (c, i) -> toInts(c, i, SoftFloatFormat.F64, true));
        in.put(MASKMOVQ, MmxSse::maskmovq);
        ssse3(in, PABSB, (d, s, imm) -> Ssse3Ops.abs(new long[] {s, 0}, 8)[0]);
        ssse3(in, PABSW, (d, s, imm) -> Ssse3Ops.abs(new long[] {s, 0}, 16)[0]);
        ssse3(in, PABSD, (d, s, imm) -> Ssse3Ops.abs(new long[] {s, 0}, 32)[0]);
        // the 16-byte concatenation src:dest as the XMM source, zero beyond: bytes past 16 read as zero
        ssse3(in, PALIGNR, (d, s, imm) -> Ssse3Ops.palignr(new long[] {0, 0}, new long[] {s, d}, imm)[0]);
        // horizontal: dest then source as one XMM destination gives dest pairs then source pairs
        ssse3(in, PHADDW, (d, s, imm) -> Ssse3Ops.horizontal(new long[] {d, s}, new long[2], 16, false, false)[0]);
        ssse3(in, PHADDD, (d, s, imm) -> Ssse3Ops.horizontal(new long[] {d, s}, new long[2], 32, false, false)[0]);
        ssse3(in, PHADDSW, (d, s, imm) -> Ssse3Ops.horizontal(new long[] {d, s}, new long[2], 16, false, true)[0]);
        ssse3(in, PHSUBW, (d, s, imm) -> Ssse3Ops.horizontal(new long[] {d, s}, new long[2], 16, true, false)[0]);
        ssse3(in, PHSUBD, (d, s, imm) -> Ssse3Ops.horizontal(new long[] {d, s}, new long[2], 32, true, false)[0]);
        ssse3(in, PHSUBSW, (d, s, imm) -> Ssse3Ops.horizontal(new long[] {d, s}, new long[2], 16, true, true)[0]);
        ssse3(in, PMADDUBSW, (d, s, imm) -> Ssse3Ops.pmaddubsw(new long[] {d, 0}, new long[] {s, 0})[0]);
        ssse3(in, PMULHRSW, (d, s, imm) -> Ssse3Ops.pmulhrsw(new long[] {d, 0}, new long[] {s, 0})[0]);
        // PSHUFB mm: index bits 2:0; the destination doubled makes the XMM form's 4-bit index agree
        ssse3(in, PSHUFB, (d, s, imm) -> Ssse3Ops.pshufb(new long[] {d, d}, new long[] {s, 0})[0]);
        ssse3(in, PSIGNB, (d, s, imm) -> Ssse3Ops.psign(new long[] {d, 0}, new long[] {s, 0}, 8)[0]);
        ssse3(in, PSIGNW, (d, s, imm) -> Ssse3Ops.psign(new long[] {d, 0}, new long[] {s, 0}, 16)[0]);
        ssse3(in, PSIGND, (d, s, imm) -> Ssse3Ops.psign(new long[] {d, 0}, new long[] {s, 0}, 32)[0]);
    }

    private static void ssse3(Isa.Installer in, Mnemonic m, Quad f) {
        in.put(m, (c, i) -> {
            long s = MmxOps.source(c, i, 1);
            int d = MmxOps.mm(i, 0);
            int imm = i.operandCount() > 2 && i.operandKind(2) == OperandKind.IMMEDIATE ? (int) i.immediate(2) & 0xFF : 0;
            MmxOps.write(c, d, f.apply(c.state.fpu.mantissa[d], s, imm));
        });
    }

    /** CVTPI2PS/CVTPI2PD: two signed doublewords of mm/m64 to the low two elements; CVTPI2PS keeps the high quadword. */
    private static void fromInts(Cpu c, Instruction i, SoftFloatFormat f) {
        c.checkSse();
        boolean mm = MmxOps.isMm(i, 1);
        if (mm) MmxOps.check(c);
        long s = i.operandKind(1) == OperandKind.MEMORY ? Operands.readMem(c, i, Operands.address(c, i), 8)
                : c.state.fpu.mantissa[MmxOps.mm(i, 1)];
        Mxcsr m = Mxcsr.of(c);
        long a = SoftFloat.fromInt(f, (int) s, m), b = SoftFloat.fromInt(f, (int) (s >> 32), m);
        m.commit(c);
        if (mm) MmxOps.transition(c);
        int x = Operands.xmmIndex(i.register(0));
        if (f == SoftFloatFormat.F32) {
            c.state.xmm[2 * x] = (a & 0xFFFF_FFFFL) | b << 32;
        } else {
            c.state.xmm[2 * x] = a;
            c.state.xmm[2 * x + 1] = b;
        }
    }

    /** CVT(T)PS2PI (xmm/m64) and CVT(T)PD2PI (xmm/m128, aligned): two elements to signed doublewords in mm. */
    private static void toInts(Cpu c, Instruction i, SoftFloatFormat f, boolean truncate) {
        c.checkSse();
        MmxOps.check(c);
        long[] s = f == SoftFloatFormat.F32 ? SseFpOperands.readLow(c, i, 1, 8) : SseFpOperands.read128(c, i, 1, true);
        Mxcsr m = Mxcsr.of(c);
        int rc = truncate ? Mxcsr.RZ : m.rc;
        int w = f == SoftFloatFormat.F32 ? 32 : 64;
        long a = SoftFloat.toInt(f, SseFpOperands.lane(s, w, 0), 32, rc, m);
        long b = SoftFloat.toInt(f, SseFpOperands.lane(s, w, 1), 32, rc, m);
        m.commit(c);
        MmxOps.transition(c);
        MmxOps.write(c, MmxOps.mm(i, 0), (a & 0xFFFF_FFFFL) | b << 32);
    }

    /** MASKMOVQ: the bytes of mm1 whose mask byte in mm2 has bit 7 set, stored at DS:rDI (SDM Vol. 2B, MASKMOVQ). */
    private static void maskmovq(Cpu c, Instruction i) {
        MmxOps.check(c);
        long v = c.state.fpu.mantissa[MmxOps.mm(i, 1)], mask = c.state.fpu.mantissa[MmxOps.mm(i, 2)];
        long a = Operands.address(c, i);
        if ((mask & 0x8080_8080_8080_8080L) != 0) {
            for (int k = 0; k < 8; k++) if ((mask >>> (8 * k + 7) & 1) != 0) c.probeWrite(a + k, 1, false);
            for (int k = 0; k < 8; k++)
                if ((mask >>> (8 * k + 7) & 1) != 0) Operands.writeMem(c, i, a + k, 1, v >>> 8 * k);
        }
        MmxOps.transition(c);
    }
}
