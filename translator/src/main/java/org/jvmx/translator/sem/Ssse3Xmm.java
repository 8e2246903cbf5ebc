package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.OperandKind;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.exec.Semantics;
import org.jvmx.translator.mem.GuestFault;

/**
 * XMM operand access and lane (un)packing for the SSSE3, SSE4.1 and SSE4.2 semantics. A 128-bit
 * value is a {@code long[2]}: [0] bits 63:0, [1] bits 127:64. Lanes are unpacked to a
 * {@code long[]} (sign- or zero-extended) so each instruction is a plain loop over its lanes.
 */
final class Ssse3Xmm {
    private Ssse3Xmm() {
    }

    /** XMM number of operand {@code op} (a register operand). */
    static int reg(Instruction i, int op) {
        return Operands.xmmIndex(i.register(op));
    }

    /**
     * The MMX-register forms of SSSE3 (NP 0F 38 xx with P/Q operands) are not modelled yet: #UD,
     * counted as unimplemented.
     */
    static void rejectMmx(Cpu c, Instruction i) {
        if (i.operandKind(0) == OperandKind.REGISTER && reg(i, 0) < 0) {
            c.stats.unimplemented(i.mnemonicId());
            throw GuestFault.invalidOpcode(i.mnemonic() + " (MMX form) is not implemented");
        }
    }

    static long[] xmm(Cpu c, int x) {
        return new long[] {c.state.xmm[2 * x], c.state.xmm[2 * x + 1]};
    }

    static void write(Cpu c, int x, long lo, long hi) {
        c.state.xmm[2 * x] = lo;
        c.state.xmm[2 * x + 1] = hi;
    }

    static void write(Cpu c, int x, long[] v) {
        write(c, x, v[0], v[1]);
    }

    /**
     * A 128-bit XMM-or-memory operand. Legacy-SSE 16-byte memory operands must be 16-byte
     * aligned or #GP(0) (SDM Vol. 2, 2.4, exception type 4); {@code aligned} false for the
     * instructions exempt from that (PCMPxSTRx).
     */
    static long[] read128(Cpu c, Instruction i, int op, boolean aligned) {
        if (i.operandKind(op) == OperandKind.REGISTER) return xmm(c, reg(i, op));
        long a = Operands.address(c, i);
        if (aligned && (a & 15) != 0) throw GuestFault.generalProtection(0);
        long lo = Operands.readMem(c, i, a, 8);
        long hi = Operands.readMem(c, i, a + 8, 8);
        return new long[] {lo, hi};
    }

    /** The low {@code bytes} bytes (2, 4 or 8) of an XMM register, or that many bytes of memory (no alignment rule). */
    static long readLow(Cpu c, Instruction i, int op, int bytes) {
        if (i.operandKind(op) == OperandKind.REGISTER) return c.state.xmm[2 * reg(i, op)] & Operands.mask(bytes * 8);
        return Operands.readMem(c, i, Operands.address(c, i), bytes);
    }

    // ---- lanes

    /** The {@code 128/bits} lanes of {@code v}, sign-extended when {@code signed}, else zero-extended. */
    static long[] lanes(long[] v, int bits, boolean signed) {
        int n = 128 / bits;
        int per = 64 / bits;
        long[] r = new long[n];
        for (int k = 0; k < n; k++) {
            long q = v[k / per] >>> (k % per * bits);
            r[k] = signed ? Operands.signExtend(q, bits) : q & Operands.mask(bits);
        }
        return r;
    }

    /** Packs lanes of {@code bits} bits (each truncated) into a 128-bit value. */
    static long[] pack(long[] lanes, int bits) {
        int per = 64 / bits;
        long[] v = new long[2];
        long m = Operands.mask(bits);
        for (int k = 0; k < lanes.length; k++) v[k / per] |= (lanes[k] & m) << (k % per * bits);
        return v;
    }

    static long saturate(long v, long lo, long hi) {
        return v < lo ? lo : v > hi ? hi : v;
    }

    // ---- the common shape: XMM destination op= XMM-or-m128 source (with an optional imm8)

    /** A lane-wise body: new destination from the old destination {@code d}, the source {@code s} and imm8. */
    interface Body {
        long[] apply(Cpu c, long[] d, long[] s, int imm);
    }

    /**
     * Semantics of {@code OP xmm1, xmm2/m128[, imm8]}: #UD for MMX forms, the SSE gate, the
     * aligned source read (every fault before any write), then {@code body}.
     */
    static Semantics binary(Body body) {
        return (c, i) -> {
            rejectMmx(c, i);
            c.checkSse();
            long[] s = read128(c, i, 1, true);
            int d = reg(i, 0);
            int imm = i.operandCount() > 2 && i.operandKind(2) == OperandKind.IMMEDIATE ? (int) i.immediate(2) & 0xFF : 0;
            write(c, d, body.apply(c, xmm(c, d), s, imm));
        };
    }
}
