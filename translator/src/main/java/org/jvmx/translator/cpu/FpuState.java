package org.jvmx.translator.cpu;

/**
 * x87 FPU / MMX register storage (SDM Vol. 1, 8.1). Storage only: x87 execution comes later;
 * until then x87 opcodes raise #UD.
 *
 * <p>The eight physical registers R0–R7 are 80-bit: {@code mantissa[i]} holds bits 63:0
 * (significand with the explicit integer bit), {@code signExponent[i]} holds bits 79:64 (sign in
 * bit 15, 15-bit biased exponent). ST(i) is R[(TOP + i) mod 8], TOP = FSW bits 13:11. MMi aliases
 * the mantissa of Ri (SDM Vol. 1, 9.5). The tag word is kept in its full 16-bit form (2 bits per
 * physical register: 00 valid, 01 zero, 10 special, 11 empty), as FSTENV shows it.
 */
public final class FpuState {
    public final long[] mantissa = new long[8];
    public final short[] signExponent = new short[8];
    /** Control word (FCW), status word (FSW), tag word (FTW, full form), last opcode (11 bits). */
    public int fcw, fsw, ftw, fop;
    /** Last instruction and data pointers (64-bit form) and their selectors. */
    public long fip, fdp;
    public int fcs, fds;
    /** Per-CPU scratch of the x87 semantics (their rounding environment), so that no instruction allocates one; not architectural state. */
    public Object scratch;

    /** Power-up / reset state (SDM Vol. 3A, Table 10-1): FCW 0040H, FSW 0, FTW 5555H, ST0-7 +0.0, pointers 0. */
    public void reset() {
        java.util.Arrays.fill(mantissa, 0);
        java.util.Arrays.fill(signExponent, (short) 0);
        fcw = 0x0040;
        fsw = 0;
        ftw = 0x5555;
        fop = 0;
        fip = fdp = 0;
        fcs = fds = 0;
    }

    /** FINIT/FNINIT (SDM Vol. 2A, FINIT): FCW 037FH, FSW 0, all tags empty, pointers 0; registers unchanged. */
    public void finit() {
        fcw = 0x037F;
        fsw = 0;
        ftw = 0xFFFF;
        fop = 0;
        fip = fdp = 0;
        fcs = fds = 0;
    }

    /** TOP, FSW bits 13:11. */
    public int top() { return (fsw >>> 11) & 7; }

    /** The physical register number of ST(i). */
    public int physical(int st) { return (top() + st) & 7; }

    public void copyFrom(FpuState o) {
        System.arraycopy(o.mantissa, 0, mantissa, 0, 8);
        System.arraycopy(o.signExponent, 0, signExponent, 0, 8);
        fcw = o.fcw;
        fsw = o.fsw;
        ftw = o.ftw;
        fop = o.fop;
        fip = o.fip;
        fdp = o.fdp;
        fcs = o.fcs;
        fds = o.fds;
    }
}
