package org.jvmx.translator.sem;

import static org.jvmx.decoder.Mnemonic.*;

import org.jvmx.decoder.Instruction;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;

/**
 * SSE, SSE2, SSE3 and SSE4.1 floating-point instructions (legacy encodings), with exact MXCSR
 * behaviour: {@link SoftFloat} computes every element under the instruction's {@link Mxcsr}
 * environment. Forms with MMX operands (CVTPI2PS...) are separate mnemonics and stay
 * unimplemented (#UD, counted). CMPSD shares its mnemonic with the string instruction:
 * StringOps dispatches its XMM form to {@link #cmpsdXmm}.
 */
public final class SseFloatOps {
    private SseFloatOps() {
    }

    public static void install(Isa.Installer in) {
        arith(in);
        in.put(CMPPS, (c, i) -> SseFpCompare.cmp(c, i, 32, true));
        in.put(CMPPD, (c, i) -> SseFpCompare.cmp(c, i, 64, true));
        in.put(CMPSS, (c, i) -> SseFpCompare.cmp(c, i, 32, false));
        in.put(COMISS, (c, i) -> SseFpCompare.comi(c, i, 32, true));
        in.put(COMISD, (c, i) -> SseFpCompare.comi(c, i, 64, true));
        in.put(UCOMISS, (c, i) -> SseFpCompare.comi(c, i, 32, false));
        in.put(UCOMISD, (c, i) -> SseFpCompare.comi(c, i, 64, false));

        in.put(CVTSI2SS, (c, i) -> SseFpConvert.intToScalar(c, i, 32));
        in.put(CVTSI2SD, (c, i) -> SseFpConvert.intToScalar(c, i, 64));
        in.put(CVTSS2SI, (c, i) -> SseFpConvert.scalarToInt(c, i, 32, false));
        in.put(CVTSD2SI, (c, i) -> SseFpConvert.scalarToInt(c, i, 64, false));
        in.put(CVTTSS2SI, (c, i) -> SseFpConvert.scalarToInt(c, i, 32, true));
        in.put(CVTTSD2SI, (c, i) -> SseFpConvert.scalarToInt(c, i, 64, true));
        in.put(CVTSS2SD, (c, i) -> SseFpConvert.scalarToScalar(c, i, 32, 64));
        in.put(CVTSD2SS, (c, i) -> SseFpConvert.scalarToScalar(c, i, 64, 32));
        in.put(CVTPS2PD, SseFpConvert::ps2pd);
        in.put(CVTPD2PS, SseFpConvert::pd2ps);
        in.put(CVTDQ2PS, SseFpConvert::dq2ps);
        in.put(CVTDQ2PD, SseFpConvert::dq2pd);
        in.put(CVTPS2DQ, (c, i) -> SseFpConvert.ps2dq(c, i, false));
        in.put(CVTTPS2DQ, (c, i) -> SseFpConvert.ps2dq(c, i, true));
        in.put(CVTPD2DQ, (c, i) -> SseFpConvert.pd2dq(c, i, false));
        in.put(CVTTPD2DQ, (c, i) -> SseFpConvert.pd2dq(c, i, true));

        in.put(LDMXCSR, SseFpMisc::ldmxcsr);
        in.put(STMXCSR, SseFpMisc::stmxcsr);
        in.put(MOVSHDUP, (c, i) -> SseFpMisc.dupSingles(c, i, 1));
        in.put(MOVSLDUP, (c, i) -> SseFpMisc.dupSingles(c, i, 0));
        in.put(MOVDDUP, SseFpMisc::movddup);
        in.put(LDDQU, SseFpMisc::lddqu);
        in.put(ROUNDPS, (c, i) -> SseFpMisc.round(c, i, 32, true));
        in.put(ROUNDPD, (c, i) -> SseFpMisc.round(c, i, 64, true));
        in.put(ROUNDSS, (c, i) -> SseFpMisc.round(c, i, 32, false));
        in.put(ROUNDSD, (c, i) -> SseFpMisc.round(c, i, 64, false));
        in.put(DPPS, (c, i) -> SseFpMisc.dotProduct(c, i, 32));
        in.put(DPPD, (c, i) -> SseFpMisc.dotProduct(c, i, 64));
        in.put(BLENDPS, (c, i) -> SseFpMisc.blend(c, i, 32));
        in.put(BLENDPD, (c, i) -> SseFpMisc.blend(c, i, 64));
        in.put(BLENDVPS, (c, i) -> SseFpMisc.blendv(c, i, 32));
        in.put(BLENDVPD, (c, i) -> SseFpMisc.blendv(c, i, 64));
    }

    private static void arith(Isa.Installer in) {
        // {mnemonic PS, PD, SS, SD} per operation
        Object[][] table = {
            {ADDPS, ADDPD, ADDSS, ADDSD, SseFpArith.ADD},
            {SUBPS, SUBPD, SUBSS, SUBSD, SseFpArith.SUB},
            {MULPS, MULPD, MULSS, MULSD, SseFpArith.MUL},
            {DIVPS, DIVPD, DIVSS, DIVSD, SseFpArith.DIV},
            {MINPS, MINPD, MINSS, MINSD, SseFpArith.MIN},
            {MAXPS, MAXPD, MAXSS, MAXSD, SseFpArith.MAX},
            {SQRTPS, SQRTPD, SQRTSS, SQRTSD, SseFpArith.SQRT},
            {RCPPS, null, RCPSS, null, SseFpArith.RCP},
            {RSQRTPS, null, RSQRTSS, null, SseFpArith.RSQRT},
        };
        for (Object[] row : table) {
            SseFpArith.Op op = (SseFpArith.Op) row[4];
            for (int k = 0; k < 4; k++) {
                if (row[k] == null) continue;
                int w = (k & 1) == 0 ? 32 : 64;
                boolean packed = k < 2;
                in.put((org.jvmx.decoder.Mnemonic) row[k], (c, i) -> SseFpArith.binary(c, i, w, packed, op));
            }
        }
        in.put(ADDSUBPS, (c, i) -> SseFpArith.addSub(c, i, 32));
        in.put(ADDSUBPD, (c, i) -> SseFpArith.addSub(c, i, 64));
        in.put(HADDPS, (c, i) -> SseFpArith.horizontal(c, i, 32, SseFpArith.ADD));
        in.put(HADDPD, (c, i) -> SseFpArith.horizontal(c, i, 64, SseFpArith.ADD));
        in.put(HSUBPS, (c, i) -> SseFpArith.horizontal(c, i, 32, SseFpArith.SUB));
        in.put(HSUBPD, (c, i) -> SseFpArith.horizontal(c, i, 64, SseFpArith.SUB));
    }

    /** CMPSD xmm, xmm/m64, imm8 (the string group's CMPSD dispatches here for the F2 0F C2 form). */
    public static void cmpsdXmm(Cpu c, Instruction i) {
        SseFpCompare.cmp(c, i, 64, false);
    }
}
