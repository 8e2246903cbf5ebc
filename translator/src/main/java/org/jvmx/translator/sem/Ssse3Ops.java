package org.jvmx.translator.sem;

import static org.jvmx.translator.sem.Ssse3Xmm.binary;
import static org.jvmx.translator.sem.Ssse3Xmm.lanes;
import static org.jvmx.translator.sem.Ssse3Xmm.pack;
import static org.jvmx.translator.sem.Ssse3Xmm.saturate;

import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.exec.Isa;

/**
 * SSSE3 on XMM registers (SDM Vol. 2, instruction pages of PABSx, PALIGNR, PHADDx, PHSUBx,
 * PMADDUBSW, PMULHRSW, PSHUFB, PSIGNx). The MMX-register forms raise #UD (not modelled yet).
 */
final class Ssse3Ops {
    private Ssse3Ops() {
    }

    static void install(Isa.Installer in) {
        in.put(Mnemonic.PABSB, binary((c, d, s, imm) -> abs(s, 8)));
        in.put(Mnemonic.PABSW, binary((c, d, s, imm) -> abs(s, 16)));
        in.put(Mnemonic.PABSD, binary((c, d, s, imm) -> abs(s, 32)));
        in.put(Mnemonic.PALIGNR, binary((c, d, s, imm) -> palignr(d, s, imm)));
        in.put(Mnemonic.PHADDW, binary((c, d, s, imm) -> horizontal(d, s, 16, false, false)));
        in.put(Mnemonic.PHADDD, binary((c, d, s, imm) -> horizontal(d, s, 32, false, false)));
        in.put(Mnemonic.PHADDSW, binary((c, d, s, imm) -> horizontal(d, s, 16, false, true)));
        in.put(Mnemonic.PHSUBW, binary((c, d, s, imm) -> horizontal(d, s, 16, true, false)));
        in.put(Mnemonic.PHSUBD, binary((c, d, s, imm) -> horizontal(d, s, 32, true, false)));
        in.put(Mnemonic.PHSUBSW, binary((c, d, s, imm) -> horizontal(d, s, 16, true, true)));
        in.put(Mnemonic.PMADDUBSW, binary((c, d, s, imm) -> pmaddubsw(d, s)));
        in.put(Mnemonic.PMULHRSW, binary((c, d, s, imm) -> pmulhrsw(d, s)));
        in.put(Mnemonic.PSHUFB, binary((c, d, s, imm) -> pshufb(d, s)));
        in.put(Mnemonic.PSIGNB, binary((c, d, s, imm) -> psign(d, s, 8)));
        in.put(Mnemonic.PSIGNW, binary((c, d, s, imm) -> psign(d, s, 16)));
        in.put(Mnemonic.PSIGND, binary((c, d, s, imm) -> psign(d, s, 32)));
    }

    /** PABSx: |lane|; the most negative value stays as is (its unsigned reading is the absolute value). */
    static long[] abs(long[] s, int bits) {
        long[] a = lanes(s, bits, true);
        for (int k = 0; k < a.length; k++) a[k] = Math.abs(a[k]);
        return pack(a, bits);
    }

    /** PALIGNR: the 32-byte dest:src concatenation shifted right by imm8 bytes, low 16 bytes kept (zero past 32). */
    static long[] palignr(long[] d, long[] s, int imm) {
        long[] b = new long[32];
        long[] lo = lanes(s, 8, false), hi = lanes(d, 8, false);
        System.arraycopy(lo, 0, b, 0, 16);
        System.arraycopy(hi, 0, b, 16, 16);
        long[] r = new long[16];
        for (int k = 0; k < 16; k++) r[k] = k + imm < 32 ? b[k + imm] : 0;
        return pack(r, 8);
    }

    /**
     * PHADDx / PHSUBx (and the saturating word forms): adjacent pairs of the destination fill the
     * low half of the result, pairs of the source the high half; a subtraction is even - odd.
     */
    static long[] horizontal(long[] d, long[] s, int bits, boolean sub, boolean sat) {
        long[] a = lanes(d, bits, true), b = lanes(s, bits, true);
        int n = a.length;
        long[] r = new long[n];
        for (int k = 0; k < n / 2; k++) {
            r[k] = sub ? a[2 * k] - a[2 * k + 1] : a[2 * k] + a[2 * k + 1];
            r[k + n / 2] = sub ? b[2 * k] - b[2 * k + 1] : b[2 * k] + b[2 * k + 1];
        }
        if (sat) for (int k = 0; k < n; k++) r[k] = saturate(r[k], Short.MIN_VALUE, Short.MAX_VALUE);
        return pack(r, bits);
    }

    /** PMADDUBSW: unsigned destination bytes times signed source bytes, adjacent products summed with signed saturation. */
    static long[] pmaddubsw(long[] d, long[] s) {
        long[] a = lanes(d, 8, false), b = lanes(s, 8, true);
        long[] r = new long[8];
        for (int k = 0; k < 8; k++)
            r[k] = saturate(a[2 * k] * b[2 * k] + a[2 * k + 1] * b[2 * k + 1], Short.MIN_VALUE, Short.MAX_VALUE);
        return pack(r, 16);
    }

    /** PMULHRSW: bits 16:1 of (a * b >> 14) + 1, i.e. the rounded high half of a Q15 product. */
    static long[] pmulhrsw(long[] d, long[] s) {
        long[] a = lanes(d, 16, true), b = lanes(s, 16, true);
        for (int k = 0; k < 8; k++) a[k] = ((a[k] * b[k] >> 14) + 1) >> 1;
        return pack(a, 16);
    }

    /** PSHUFB: byte k is destination byte (src[k] & 15), or zero when src[k] bit 7 is set. */
    static long[] pshufb(long[] d, long[] s) {
        long[] a = lanes(d, 8, false), b = lanes(s, 8, false);
        long[] r = new long[16];
        for (int k = 0; k < 16; k++) r[k] = (b[k] & 0x80) != 0 ? 0 : a[(int) (b[k] & 15)];
        return pack(r, 8);
    }

    /** PSIGNx: the destination lane negated, zeroed or kept as the source lane is negative, zero or positive. */
    static long[] psign(long[] d, long[] s, int bits) {
        long[] a = lanes(d, bits, true), b = lanes(s, bits, true);
        for (int k = 0; k < a.length; k++) a[k] = b[k] < 0 ? -a[k] : b[k] == 0 ? 0 : a[k];
        return pack(a, bits);
    }
}
