package org.jvmx.guest.host;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A user-mode x86-64 register and scratch-memory state, as the host-CPU harness loads and dumps
 * it: the 16 GPRs in encoding order (RAX RCX RDX RBX RSP RBP RSI RDI R8..R15), RFLAGS, MXCSR,
 * XMM0-15 as two longs each ({@code xmm[2*i]} the low quadword, {@code xmm[2*i+1]} the high one)
 * and the bytes of the scratch area at {@link HostCpu#SCRATCH_BASE}.
 *
 * <p>On input only CF PF AF ZF SF OF and DF of {@code rflags} are loaded ({@link #LOADED_FLAGS});
 * on output {@code rflags} is what the CPU had, including IF and reserved bit 1 (and RF after
 * some faults), so compare through a mask.
 */
public record HostState(long[] gpr, long rflags, int mxcsr, long[] xmm, byte[] scratch) {
    public static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7,
            R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;
    public static final long CF = 1L, PF = 1L << 2, AF = 1L << 4, ZF = 1L << 6, SF = 1L << 7,
            DF = 1L << 10, OF = 1L << 11;
    /** The status flags and DF: what the harness loads, and what a differential test compares. */
    public static final long LOADED_FLAGS = CF | PF | AF | ZF | SF | DF | OF;
    public static final int MXCSR_DEFAULT = 0x1f80;
    static final String[] NAMES = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
            "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };

    public HostState {
        if (gpr.length != 16 || xmm.length != 32 || scratch.length != HostCpu.SCRATCH_SIZE)
            throw new IllegalArgumentException("HostState needs 16 GPRs, 32 XMM longs and "
                    + HostCpu.SCRATCH_SIZE + " scratch bytes");
    }

    /** Everything zero, except RSP in the middle of the scratch stack and MXCSR at its reset value. */
    public static HostState initial() {
        long[] g = new long[16];
        g[RSP] = HostCpu.DEFAULT_RSP;
        return new HostState(g, 0, MXCSR_DEFAULT, new long[32], new byte[HostCpu.SCRATCH_SIZE]);
    }

    public long gpr(int i) { return gpr[i]; }
    public long xmmLo(int i) { return xmm[2 * i]; }
    public long xmmHi(int i) { return xmm[2 * i + 1]; }
    public boolean flag(long mask) { return (rflags & mask) != 0; }

    public HostState withGpr(int i, long v) {
        long[] g = gpr.clone();
        g[i] = v;
        return new HostState(g, rflags, mxcsr, xmm, scratch);
    }

    public HostState withRflags(long v) { return new HostState(gpr, v, mxcsr, xmm, scratch); }

    public HostState withMxcsr(int v) { return new HostState(gpr, rflags, v, xmm, scratch); }

    public HostState withXmm(int i, long lo, long hi) {
        long[] x = xmm.clone();
        x[2 * i] = lo;
        x[2 * i + 1] = hi;
        return new HostState(gpr, rflags, mxcsr, x, scratch);
    }

    public HostState withScratch(byte[] s) { return new HostState(gpr, rflags, mxcsr, xmm, s.clone()); }

    /** The little-endian quadword at guest address {@code addr} inside the scratch area. */
    public long scratchLong(long addr) {
        int off = Math.toIntExact(addr - HostCpu.SCRATCH_BASE);
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (scratch[off + i] & 0xffL);
        return v;
    }

    /** Registers, flags and MXCSR on a few lines; scratch as a hash (the caller diffs bytes). */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 16; i++)
            b.append(String.format("%-3s=%016x%s", NAMES[i], gpr[i], i % 4 == 3 ? "\n" : "  "));
        b.append(String.format("rflags=%016x mxcsr=%08x%n", rflags, mxcsr));
        HexFormat h = HexFormat.of();
        for (int i = 0; i < 16; i++)
            b.append(String.format("xmm%-2d=%016x%016x%s", i, xmm[2 * i + 1], xmm[2 * i], i % 2 == 1 ? "\n" : "  "));
        b.append("scratch#").append(h.toHexDigits(Arrays.hashCode(scratch)));
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostState s && rflags == s.rflags && mxcsr == s.mxcsr && Arrays.equals(gpr, s.gpr)
                && Arrays.equals(xmm, s.xmm) && Arrays.equals(scratch, s.scratch);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(gpr) * 31 + Arrays.hashCode(xmm) + Long.hashCode(rflags) + mxcsr + Arrays.hashCode(scratch);
    }
}
