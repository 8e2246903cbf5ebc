package org.jvmx.guest.sem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostState;

/**
 * Case building shared by the SSSE3 / SSE4.1 / SSE4.2 directed tests: random vector states rich
 * in lane edge values (0, 1, -1, signed min/max of bytes, words, dwords, quadwords), RBX pointing
 * at a 16-byte aligned scratch address, and one GNU as run for all snippets.
 */
final class Ssse3Cases {
    /** RBX in every state: memory operands are {@code [rbx+disp]}. */
    static final long BASE = HostCpu.SCRATCH_BASE + 0x100;

    private final List<String> code = new ArrayList<>();
    private final List<HostState> states = new ArrayList<>();

    void add(String snippet, HostState s) {
        code.add(snippet);
        states.add(s);
    }

    int size() {
        return code.size();
    }

    /** Assembles every distinct snippet once and pairs the code with the states. */
    List<HostCase> build() {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (String s : code) index.putIfAbsent(s, index.size());
        List<byte[]> bytes = Gas.assemble(new ArrayList<>(index.keySet()));
        List<HostCase> out = new ArrayList<>(code.size());
        for (int k = 0; k < code.size(); k++) out.add(new HostCase(states.get(k), bytes.get(index.get(code.get(k)))));
        return out;
    }

    private static final long[] BYTE_EDGES = {0, 1, 0x7f, 0x80, 0x81, 0xfe, 0xff};
    private static final long[] WORD_EDGES = {0, 1, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff};
    private static final long[] DWORD_EDGES = {0, 1, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL, 0xffff_fffeL};
    private static final long[] QWORD_EDGES = {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE};

    /** A quadword: random, or made of edge-valued lanes of one random width. */
    static long lane64(SplittableRandom r) {
        switch (r.nextInt(6)) {
            case 0: return r.nextLong();
            case 1: return fill(r, BYTE_EDGES, 8);
            case 2: return fill(r, WORD_EDGES, 16);
            case 3: return fill(r, DWORD_EDGES, 32);
            case 4: return QWORD_EDGES[r.nextInt(QWORD_EDGES.length)];
            default: return r.nextLong() & r.nextLong() & 0x8f8f_8f8f_8f8f_8f8fL; // small / sign-heavy bytes
        }
    }

    private static long fill(SplittableRandom r, long[] edges, int bits) {
        long v = 0;
        for (int k = 0; k < 64; k += bits) {
            long e = r.nextInt(4) == 0 ? r.nextLong() : edges[r.nextInt(edges.length)];
            v |= (e & (bits == 64 ? -1 : (1L << bits) - 1)) << k;
        }
        return v;
    }

    /** Random GPRs (RSP at the default stack, RBX = {@link #BASE}), flags, XMM0-15 and scratch. */
    static HostState randomState(SplittableRandom r) {
        HostState s = HostState.initial();
        for (int g = 0; g < 16; g++)
            if (g != HostState.RSP) s = s.withGpr(g, r.nextInt(3) == 0 ? lane64(r) : r.nextLong());
        s = s.withGpr(HostState.RBX, BASE);
        for (int x = 0; x < 16; x++) s = s.withXmm(x, lane64(r), lane64(r));
        byte[] m = new byte[HostCpu.SCRATCH_SIZE];
        for (int k = 0; k < 1024; k += 8) {
            long v = lane64(r);
            for (int b = 0; b < 8; b++) m[k + b] = (byte) (v >>> (8 * b));
        }
        for (int k = 1024; k < m.length; k++) m[k] = (byte) r.nextInt();
        return s.withScratch(m).withRflags(r.nextLong() & HostState.LOADED_FLAGS & ~HostState.DF);
    }

    /** Writes the little-endian quadword {@code v} at scratch offset {@code off}. */
    static void put64(byte[] m, int off, long v) {
        for (int b = 0; b < 8; b++) m[off + b] = (byte) (v >>> (8 * b));
    }

    /**
     * The usual forms of {@code op xmm, xmm/m128[, imm]}: register/register (low and high
     * registers, the same register twice), aligned memory, and a misaligned memory operand that
     * must raise #GP(0) (when {@code alignmentFaults}).
     */
    void vectorForms(SplittableRandom r, String op, String imm, int randomCount, boolean alignmentFaults) {
        String tail = imm.isEmpty() ? "" : ", " + imm;
        for (int k = 0; k < randomCount; k++) add(op + " xmm1, xmm2" + tail, randomState(r));
        for (int k = 0; k < 3; k++) add(op + " xmm5, xmm5" + tail, randomState(r));
        for (int k = 0; k < 3; k++) add(op + " xmm9, xmm14" + tail, randomState(r));
        for (int k = 0; k < 3; k++) add(op + " xmm15, xmm0" + tail, randomState(r));
        for (int k = 0; k < randomCount / 2 + 1; k++) add(op + " xmm3, [rbx+0x20]" + tail, randomState(r));
        add(op + " xmm11, [rbx-0x40]" + tail, randomState(r));
        if (alignmentFaults) {
            add(op + " xmm3, [rbx+0x28]" + tail, randomState(r));
            add(op + " xmm3, [rbx+1]" + tail, randomState(r));
        }
    }
}
