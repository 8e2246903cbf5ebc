package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.OperandKind;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Operands;
import org.jvmx.translator.mem.GuestFault;

/**
 * XMM and memory operands of the legacy-encoded SSE floating-point instructions, as two
 * quadwords ({@code v[0]} bits 63:0, {@code v[1]} bits 127:64), and their 32/64-bit lanes.
 * A 128-bit memory operand of a legacy SSE instruction must be 16-byte aligned, else #GP(0)
 * (SDM Vol. 1, 11.6.8), except where an instruction says otherwise (LDDQU).
 */
final class SseFpOperands {
    private SseFpOperands() {
    }

    static int xmm(Instruction i, int op) {
        return Operands.xmmIndex(i.register(op));
    }

    static boolean isMemory(Instruction i, int op) {
        return i.operandKind(op) == OperandKind.MEMORY;
    }

    /** The full XMM register of operand {@code op}. */
    static long[] reg(Cpu c, Instruction i, int op) {
        int n = xmm(i, op);
        return new long[] {c.state.xmm[2 * n], c.state.xmm[2 * n + 1]};
    }

    /** A 128-bit XMM-or-memory operand; memory must be 16-byte aligned when {@code aligned}. */
    static long[] read128(Cpu c, Instruction i, int op, boolean aligned) {
        if (!isMemory(i, op)) return reg(c, i, op);
        long a = Operands.address(c, i);
        if (aligned && (a & 15) != 0) throw GuestFault.generalProtection(0);
        long lo = Operands.readMem(c, i, a, 8);
        long hi = Operands.readMem(c, i, a + 8, 8);
        return new long[] {lo, hi};
    }

    /**
     * An XMM-or-memory operand of which only the low {@code bytes} bytes are used (scalar forms,
     * CVTPS2PD's quadword): memory reads just those bytes, unaligned; the result's other bits are
     * those of the register, or zero for memory.
     */
    static long[] readLow(Cpu c, Instruction i, int op, int bytes) {
        if (!isMemory(i, op)) return reg(c, i, op);
        return new long[] {Operands.readMem(c, i, Operands.address(c, i), bytes), 0};
    }

    static void write(Cpu c, Instruction i, int op, long[] v) {
        int n = xmm(i, op);
        c.state.xmm[2 * n] = v[0];
        c.state.xmm[2 * n + 1] = v[1];
    }

    /** Lane {@code k} of width {@code w} (32 or 64), zero-extended. */
    static long lane(long[] v, int w, int k) {
        if (w == 64) return v[k];
        long q = v[k >> 1];
        return (k & 1) == 0 ? q & 0xFFFF_FFFFL : q >>> 32;
    }

    static void setLane(long[] v, int w, int k, long x) {
        if (w == 64) {
            v[k] = x;
            return;
        }
        int q = k >> 1;
        if ((k & 1) == 0) v[q] = (v[q] & 0xFFFF_FFFF_0000_0000L) | (x & 0xFFFF_FFFFL);
        else v[q] = (v[q] & 0xFFFF_FFFFL) | (x << 32);
    }

    static SoftFloatFormat format(int w) {
        return w == 32 ? SoftFloatFormat.F32 : SoftFloatFormat.F64;
    }
}
