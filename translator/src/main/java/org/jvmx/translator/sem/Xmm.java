package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.OperandKind;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.mem.GuestFault;

/**
 * XMM operand access shared by the SSE semantics groups: XMM registers live in
 * {@code CpuState.xmm} ({@code xmm[2n]} bits 63:0 of XMMn, {@code xmm[2n+1]} bits 127:64);
 * 128-bit memory operands are read and written as two little-endian quadwords.
 *
 * <p>Alignment (SDM Vol. 2A, 2.5, exception classes Type 1/2/4: "legacy SSE: memory operand
 * is not aligned on a 16-byte boundary" is #GP(0)): a legacy-encoded (non-VEX) SSE instruction with a 128-bit memory
 * operand raises #GP(0) when the operand is not 16-byte aligned, except the explicitly
 * unaligned moves (MOVUPS, MOVUPD, MOVDQU, LDDQU) and MASKMOVDQU. Scalar and 64-bit memory
 * operands are never checked. Callers pass {@code aligned} accordingly; the checks raise the
 * fault before any state changes (SDM Vol. 3A, 6.5: faults are precise).
 */
public final class Xmm {
    private Xmm() {
    }

    /** The XMM register number (0-31) of operand {@code op}, which must be an XMM register. */
    public static int reg(Instruction i, int op) {
        return Operands.xmmIndex(i.register(op));
    }

    /** True when operand {@code op} is an XMM register (not memory, not an MMX register). */
    public static boolean isXmm(Instruction i, int op) {
        return i.operandKind(op) == OperandKind.REGISTER && Operands.xmmIndex(i.register(op)) >= 0;
    }

    /** True when operand {@code op} is in memory. */
    public static boolean isMem(Instruction i, int op) {
        return i.operandKind(op) == OperandKind.MEMORY;
    }

    /**
     * True when some operand of {@code i} is an MMX register: the MMX forms of shared SSE
     * mnemonics, which jvmx does not implement yet ({@link #unimplemented} them).
     */
    public static boolean hasMmx(Instruction i) {
        for (int k = 0, n = i.operandCount(); k < n; k++) {
            if (i.operandKind(k) == OperandKind.REGISTER) {
                int o = i.register(k).ordinal() - org.jvmx.decoder.Register.MM0.ordinal();
                if (o >= 0 && o < 8) return true;
            }
        }
        return false;
    }

    /** Counts {@code i} as unimplemented and returns the #UD to throw (a form jvmx does not model). */
    public static GuestFault unimplemented(Cpu c, Instruction i) {
        c.stats.unimplemented(i.mnemonicId());
        return GuestFault.invalidOpcode(i.mnemonic() + " form not implemented: " + i);
    }

    /** Bits 63:0 of XMM{@code x}. */
    public static long lo(Cpu c, int x) {
        return c.state.xmm[2 * x];
    }

    /** Bits 127:64 of XMM{@code x}. */
    public static long hi(Cpu c, int x) {
        return c.state.xmm[2 * x + 1];
    }

    /** Writes all 128 bits of XMM{@code x} (legacy SSE: bits above 127 are not touched). */
    public static void set(Cpu c, int x, long lo, long hi) {
        c.state.xmm[2 * x] = lo;
        c.state.xmm[2 * x + 1] = hi;
    }

    /** Writes bits 63:0 of XMM{@code x}, keeping bits 127:64. */
    public static void setLo(Cpu c, int x, long lo) {
        c.state.xmm[2 * x] = lo;
    }

    /** Writes bits 127:64 of XMM{@code x}, keeping bits 63:0. */
    public static void setHi(Cpu c, int x, long hi) {
        c.state.xmm[2 * x + 1] = hi;
    }

    /** The linear address of {@code i}'s memory operand. */
    public static long address(Cpu c, Instruction i) {
        return Operands.address(c, i);
    }

    /**
     * A 16-byte access whose last byte is non-canonical faults as a whole (#GP(0), or #SS(0)
     * through SS) before any page is touched (SDM Vol. 3A, 3.3.7.1).
     */
    public static void checkCanonicalEnd(Instruction i, long a) {
        long end = a + 15;
        if ((end << 16 >> 16) != end) {
            throw Operands.isStackAccess(i) ? GuestFault.stackFault(0) : GuestFault.generalProtection(0);
        }
    }

    /** #GP(0) unless {@code addr} is 16-byte aligned (legacy SSE m128 operands). */
    public static void checkAligned(long addr) {
        if ((addr & 15) != 0) throw GuestFault.generalProtection(0);
    }

    /**
     * Reads 128-bit operand {@code op} (an XMM register or m128) as a new {@code {lo, hi}} (a
     * short-lived array that escape analysis removes once inlined). With
     * {@code aligned} a misaligned memory operand raises #GP(0) before anything is read.
     */
    public static long[] read128(Cpu c, Instruction i, int op, boolean aligned) {
        if (i.operandKind(op) == OperandKind.REGISTER) {
            int x = reg(i, op);
            return new long[] {c.state.xmm[2 * x], c.state.xmm[2 * x + 1]};
        }
        long a = Operands.address(c, i);
        if (aligned) checkAligned(a);
        checkCanonicalEnd(i, a);
        long lo = Operands.readMem(c, i, a, 8);
        long hi = Operands.readMem(c, i, a + 8, 8);
        return new long[] {lo, hi};
    }

    /**
     * Reads the low {@code bytes} (1, 2, 4 or 8) of operand {@code op}: from an XMM register its
     * low bits (zero-extended), from memory exactly {@code bytes} bytes (never alignment-checked:
     * scalar and 64-bit operands).
     */
    public static long readLow(Cpu c, Instruction i, int op, int bytes) {
        if (i.operandKind(op) == OperandKind.REGISTER) {
            long v = c.state.xmm[2 * reg(i, op)];
            return bytes == 8 ? v : v & Operands.mask(bytes * 8);
        }
        return Operands.readMem(c, i, Operands.address(c, i), bytes);
    }

    /**
     * Writes {@code {lo, hi}} to 128-bit operand {@code op} (an XMM register or m128). Memory:
     * with {@code aligned} a misaligned address is #GP(0); both halves are checked writable
     * before either is written, so a fault leaves memory unchanged.
     */
    public static void write128(Cpu c, Instruction i, int op, long lo, long hi, boolean aligned) {
        if (i.operandKind(op) == OperandKind.REGISTER) {
            set(c, reg(i, op), lo, hi);
            return;
        }
        long a = Operands.address(c, i);
        if (aligned) checkAligned(a);
        writeMem128(c, i, a, lo, hi);
    }

    /** Writes 16 bytes at {@code a} for {@code i}'s memory operand, precisely (probe, then store). */
    public static void writeMem128(Cpu c, Instruction i, long a, long lo, long hi) {
        checkCanonicalEnd(i, a);
        Operands.probeWriteMem(c, i, a, 16);
        Operands.writeMem(c, i, a, 8, lo);
        Operands.writeMem(c, i, a + 8, 8, hi);
    }

    /**
     * Writes the low {@code bytes} (4 or 8) of {@code v} to memory operand {@code op}
     * (MOVSS/MOVSD/MOVQ/MOVLPS stores; unaligned).
     */
    public static void writeLowMem(Cpu c, Instruction i, long v, int bytes) {
        Operands.writeMem(c, i, Operands.address(c, i), bytes, v);
    }
}
