package org.jvmx.guest.sem;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostState;

/**
 * Inputs for the SSE integer and move tests: XMM values and scratch memory built from lanes of
 * a random width (8/16/32/64 bits), each lane an edge pattern (0, all-ones, 1, the signed
 * minimum 0x80.., the signed maximum 0x7f.., 0xfe.., 0x01..00 ...) or random; RBX points at
 * a 16-byte aligned block of such data ({@link #MEM}), RDI at another one.
 */
final class SseIntInputs {
    private SseIntInputs() {
    }

    /** Where RBX points: 16-byte aligned, with 256 bytes of lane patterns from here. */
    static final long MEM = HostCpu.SCRATCH_BASE + 0x100;
    /** Where RDI points (MASKMOVDQU, stores). */
    static final long DST = HostCpu.SCRATCH_BASE + 0x400;

    /** A 64-bit value whose lanes of a random width are edge patterns or random. */
    static long lanes(SplittableRandom r) {
        int bits = 8 << r.nextInt(4);
        if (r.nextInt(6) == 0) return r.nextLong();
        long v = 0;
        for (int s = 0; s < 64; s += bits) v |= lane(r, bits) << s;
        return v;
    }

    private static long lane(SplittableRandom r, int bits) {
        long m = bits == 64 ? -1L : (1L << bits) - 1;
        long min = 1L << (bits - 1);
        long x = switch (r.nextInt(10)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> 1;
            case 3 -> min;
            case 4 -> min - 1;
            case 5 -> min + 1;
            case 6 -> -2;
            case 7 -> r.nextInt(5);
            default -> r.nextLong();
        };
        return x & m;
    }

    /** A state with random GPRs and flags, all 16 XMM registers and the scratch of lane patterns, RBX = {@link #MEM}, RDI = {@link #DST}. */
    static HostState state(SplittableRandom r) {
        HostState s = HostState.initial();
        for (int g = 0; g < 16; g++) if (g != HostState.RSP) s = s.withGpr(g, r.nextInt(3) == 0 ? lanes(r) : r.nextLong());
        s = s.withGpr(HostState.RBX, MEM).withGpr(HostState.RDI, DST);
        for (int x = 0; x < 16; x++) s = s.withXmm(x, lanes(r), lanes(r));
        byte[] mem = new byte[HostCpu.SCRATCH_SIZE];
        for (int off = 0; off < 0x800; off += 8) {
            long v = lanes(r);
            for (int b = 0; b < 8; b++) mem[off + b] = (byte) (v >>> (8 * b));
        }
        return s.withScratch(mem).withRflags(r.nextLong() & HostState.LOADED_FLAGS);
    }

    /** Assembles {@code snippets} in one run and pairs each with a fresh random state. */
    static List<HostCase> cases(List<String> snippets, SplittableRandom r) {
        List<byte[]> code = Gas.assemble(snippets);
        List<HostCase> out = new ArrayList<>(code.size());
        for (byte[] c : code) out.add(new HostCase(state(r), c));
        return out;
    }

    /**
     * Like {@link #cases(List, SplittableRandom)}, with {@code tweaks.get(k)} applied to case
     * k's random state (null: none), to set a count or a memory value the case needs.
     */
    static List<HostCase> cases(List<String> snippets, List<UnaryOperator<HostState>> tweaks, SplittableRandom r) {
        List<byte[]> code = Gas.assemble(snippets);
        List<HostCase> out = new ArrayList<>(code.size());
        for (int k = 0; k < code.size(); k++) {
            HostState s = state(r);
            if (tweaks.get(k) != null) s = tweaks.get(k).apply(s);
            out.add(new HostCase(s, code.get(k)));
        }
        return out;
    }

    /** {@code s} with the quadword at scratch address {@code addr} set to {@code v}. */
    static HostState withQword(HostState s, long addr, long v) {
        byte[] m = s.scratch().clone();
        int off = (int) (addr - HostCpu.SCRATCH_BASE);
        for (int b = 0; b < 8; b++) m[off + b] = (byte) (v >>> (8 * b));
        return s.withScratch(m);
    }

    /** {@code [rbx+16k]} for a random k in 0..7 (16-byte aligned). */
    static String aligned(SplittableRandom r) {
        return "[rbx+" + 16 * r.nextInt(8) + "]";
    }

    /** {@code [rbx+16k+d]}, d in 1..15: not 16-byte aligned. */
    static String misaligned(SplittableRandom r) {
        return "[rbx+" + (16 * r.nextInt(8) + 1 + r.nextInt(15)) + "]";
    }

    static String xmm(SplittableRandom r) {
        return "xmm" + r.nextInt(16);
    }
}
