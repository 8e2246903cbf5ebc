package org.jvmx.translator.sem;

import static org.jvmx.translator.sem.Ssse3Xmm.binary;
import static org.jvmx.translator.sem.Ssse3Xmm.lanes;
import static org.jvmx.translator.sem.Ssse3Xmm.pack;
import static org.jvmx.translator.sem.Ssse3Xmm.saturate;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.cpu.LazyFlags;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.exec.Semantics;

/**
 * SSE4.1 integer arithmetic, blends, packs and moves (SDM Vol. 2, instruction pages of PBLENDW,
 * PBLENDVB, MPSADBW, PACKUSDW, PCMPEQQ, PHMINPOSUW, PMAXxx/PMINxx, PMOVSX/PMOVZX, PMULDQ,
 * PMULLD, PTEST, MOVNTDQA), and SSE4.2's PCMPGTQ, which has the same shape.
 */
final class Sse41Ops {
    private Sse41Ops() {
    }

    static void install(Isa.Installer in) {
        in.put(Mnemonic.PBLENDW, binary((c, d, s, imm) -> blend(d, s, 16, imm)));
        in.put(Mnemonic.PBLENDVB, binary((c, d, s, imm) -> pblendvb(d, s, Ssse3Xmm.xmm(c, 0))));
        in.put(Mnemonic.MPSADBW, binary((c, d, s, imm) -> mpsadbw(d, s, imm)));
        in.put(Mnemonic.PACKUSDW, binary((c, d, s, imm) -> packusdw(d, s)));
        in.put(Mnemonic.PCMPEQQ, binary((c, d, s, imm) -> new long[] {d[0] == s[0] ? -1 : 0, d[1] == s[1] ? -1 : 0}));
        in.put(Mnemonic.PCMPGTQ, binary((c, d, s, imm) -> new long[] {d[0] > s[0] ? -1 : 0, d[1] > s[1] ? -1 : 0}));
        in.put(Mnemonic.PHMINPOSUW, binary((c, d, s, imm) -> phminposuw(s)));
        in.put(Mnemonic.PMAXSB, binary((c, d, s, imm) -> minMax(d, s, 8, true, true)));
        in.put(Mnemonic.PMAXSD, binary((c, d, s, imm) -> minMax(d, s, 32, true, true)));
        in.put(Mnemonic.PMAXUW, binary((c, d, s, imm) -> minMax(d, s, 16, false, true)));
        in.put(Mnemonic.PMAXUD, binary((c, d, s, imm) -> minMax(d, s, 32, false, true)));
        in.put(Mnemonic.PMINSB, binary((c, d, s, imm) -> minMax(d, s, 8, true, false)));
        in.put(Mnemonic.PMINSD, binary((c, d, s, imm) -> minMax(d, s, 32, true, false)));
        in.put(Mnemonic.PMINUW, binary((c, d, s, imm) -> minMax(d, s, 16, false, false)));
        in.put(Mnemonic.PMINUD, binary((c, d, s, imm) -> minMax(d, s, 32, false, false)));
        in.put(Mnemonic.PMULDQ, binary((c, d, s, imm) -> new long[] {(long) (int) d[0] * (int) s[0], (long) (int) d[1] * (int) s[1]}));
        in.put(Mnemonic.PMULLD, binary((c, d, s, imm) -> pmulld(d, s)));
        in.put(Mnemonic.MOVNTDQA, binary((c, d, s, imm) -> s));
        in.put(Mnemonic.PTEST, Sse41Ops::ptest);
        in.put(Mnemonic.PMOVSXBW, extend(8, 16, true));
        in.put(Mnemonic.PMOVSXBD, extend(8, 32, true));
        in.put(Mnemonic.PMOVSXBQ, extend(8, 64, true));
        in.put(Mnemonic.PMOVSXWD, extend(16, 32, true));
        in.put(Mnemonic.PMOVSXWQ, extend(16, 64, true));
        in.put(Mnemonic.PMOVSXDQ, extend(32, 64, true));
        in.put(Mnemonic.PMOVZXBW, extend(8, 16, false));
        in.put(Mnemonic.PMOVZXBD, extend(8, 32, false));
        in.put(Mnemonic.PMOVZXBQ, extend(8, 64, false));
        in.put(Mnemonic.PMOVZXWD, extend(16, 32, false));
        in.put(Mnemonic.PMOVZXWQ, extend(16, 64, false));
        in.put(Mnemonic.PMOVZXDQ, extend(32, 64, false));
    }

    /** PBLENDW: lane k from the source when imm8 bit k is set. */
    static long[] blend(long[] d, long[] s, int bits, int imm) {
        long[] a = lanes(d, bits, false), b = lanes(s, bits, false);
        for (int k = 0; k < a.length; k++) if ((imm >> k & 1) != 0) a[k] = b[k];
        return pack(a, bits);
    }

    /** PBLENDVB: byte k from the source when bit 7 of byte k of the implicit XMM0 is set. */
    static long[] pblendvb(long[] d, long[] s, long[] mask) {
        long[] a = lanes(d, 8, false), b = lanes(s, 8, false), m = lanes(mask, 8, false);
        for (int k = 0; k < 16; k++) if ((m[k] & 0x80) != 0) a[k] = b[k];
        return pack(a, 8);
    }

    /**
     * MPSADBW: eight sums of absolute differences of 4-byte groups: the source group starts at
     * byte 4 * imm8[1:0], the destination groups at bytes 4 * imm8[2] + k for k = 0..7.
     */
    static long[] mpsadbw(long[] d, long[] s, int imm) {
        long[] a = lanes(d, 8, false), b = lanes(s, 8, false);
        int srcOff = (imm & 3) * 4, dstOff = (imm >> 2 & 1) * 4;
        long[] r = new long[8];
        for (int k = 0; k < 8; k++)
            for (int j = 0; j < 4; j++) r[k] += Math.abs(a[dstOff + k + j] - b[srcOff + j]);
        return pack(r, 16);
    }

    /** PACKUSDW: signed dwords of the destination then the source, to words with unsigned saturation. */
    static long[] packusdw(long[] d, long[] s) {
        long[] a = lanes(d, 32, true), b = lanes(s, 32, true);
        long[] r = new long[8];
        for (int k = 0; k < 4; k++) {
            r[k] = saturate(a[k], 0, 0xFFFF);
            r[k + 4] = saturate(b[k], 0, 0xFFFF);
        }
        return pack(r, 16);
    }

    /** PHMINPOSUW: the smallest unsigned source word in word 0, its (lowest) index in bits 18:16, the rest zero. */
    static long[] phminposuw(long[] s) {
        long[] w = lanes(s, 16, false);
        int at = 0;
        for (int k = 1; k < 8; k++) if (w[k] < w[at]) at = k;
        return new long[] {w[at] | (long) at << 16, 0};
    }

    static long[] minMax(long[] d, long[] s, int bits, boolean signed, boolean max) {
        long[] a = lanes(d, bits, signed), b = lanes(s, bits, signed);
        for (int k = 0; k < a.length; k++) a[k] = max ? Math.max(a[k], b[k]) : Math.min(a[k], b[k]);
        return pack(a, bits);
    }

    /** PMULLD: low 32 bits of each dword product. */
    static long[] pmulld(long[] d, long[] s) {
        long[] a = lanes(d, 32, false), b = lanes(s, 32, false);
        for (int k = 0; k < 4; k++) a[k] *= b[k];
        return pack(a, 32);
    }

    /** PTEST: ZF = (dest AND src) == 0, CF = (NOT dest AND src) == 0; OF SF AF PF cleared (SDM Vol. 2, PTEST). */
    static void ptest(Cpu c, Instruction i) {
        c.checkSse();
        long[] s = Ssse3Xmm.read128(c, i, 1, true);
        long[] d = Ssse3Xmm.xmm(c, Ssse3Xmm.reg(i, 0));
        long f = 0;
        if ((d[0] & s[0]) == 0 && (d[1] & s[1]) == 0) f |= LazyFlags.ZF;
        if ((~d[0] & s[0]) == 0 && (~d[1] & s[1]) == 0) f |= LazyFlags.CF;
        c.flags.setDirect(f);
    }

    /**
     * PMOVSX/PMOVZX: the low 128 * from / to bits of the source (an XMM register or memory of
     * exactly that size, no alignment rule) widened lane by lane.
     */
    static Semantics extend(int from, int to, boolean signed) {
        int n = 128 / to;
        return (c, i) -> {
            c.checkSse();
            long v = Ssse3Xmm.readLow(c, i, 1, n * from / 8);
            long[] r = new long[n];
            for (int k = 0; k < n; k++) {
                long lane = v >>> (k * from);
                r[k] = signed ? Operands.signExtend(lane, from)
                        : lane & Operands.mask(from);
            }
            Ssse3Xmm.write(c, Ssse3Xmm.reg(i, 0), pack(r, to));
        };
    }
}
