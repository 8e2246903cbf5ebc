package org.jvmx.guest.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostState;

/**
 * Random instruction sequences over a {@link Catalog}: 5 to 40 pieces (a piece is one instruction
 * or a {@link Units} unit), branches only forward to labels placed between pieces of the same
 * sequence (rel8-only branches such as LOOP and JRCXZ at most three pieces ahead), and a random
 * input state. Case {@code n} of seed {@code s} depends on nothing but (s, n) and the catalog, so
 * one case can be replayed alone.
 */
final class SequenceGenerator {
    /** One generated case: its assembly text and input state. */
    record Sequence(int index, String text, HostState state) {
    }

    private final Catalog catalog;
    private final List<Mnemonic> normal, faulting;

    SequenceGenerator(Catalog catalog) {
        this.catalog = catalog;
        this.normal = List.copyOf(catalog.normal.keySet());
        this.faulting = List.copyOf(catalog.faulting.keySet());
    }

    static long caseSeed(long seed, int n) {
        return new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L * (n + 1L)).nextLong() ^ n;
    }

    Sequence generate(long seed, int n) {
        SplittableRandom r = new SplittableRandom(caseSeed(seed, n));
        int count = 5 + r.nextInt(36);
        List<FormEmitter.Piece> pieces = new ArrayList<>(count);
        int[] target = new int[count];
        // flags possibly undefined on some path into each position (branches merge their state there)
        int[] undefinedAt = new int[count + 1];
        int undefined = 0;
        while (pieces.size() < count) {
            int i = pieces.size();
            int u = undefined | undefinedAt[i];
            Object t = pick(r);
            FlagUse use = FlagUse.of(t);
            // a flag the SDM leaves undefined must not steer the sequence (a branch, CMOV, ADC, PUSHF...)
            if ((use.reads() & u) != 0) continue;
            FormEmitter.Piece p = write(t, r);
            if (p == null) continue;
            pieces.add(p);
            undefined = use.after(u);
            if (p.branch()) {
                int span = count - i;
                target[i] = i + 1 + (p.shortBranch() ? r.nextInt(Math.min(3, span)) : r.nextInt(span));
                undefinedAt[target[i]] |= undefined;
            }
        }
        // forward labels: label numbers from 10 up, placed before piece t (t == count: at the end)
        List<List<Integer>> labelsAt = new ArrayList<>();
        for (int i = 0; i <= count; i++) labelsAt.add(new ArrayList<>());
        StringBuilder b = new StringBuilder();
        String[] rendered = new String[count];
        int next = 10;
        for (int i = 0; i < count; i++) {
            FormEmitter.Piece p = pieces.get(i);
            String text = String.join("\n", p.lines());
            if (p.branch()) {
                int label = next++;
                labelsAt.get(target[i]).add(label);
                text = text.replace(FormEmitter.LABEL, label + "f");
            }
            rendered[i] = text;
        }
        for (int i = 0; i <= count; i++) {
            for (int l : labelsAt.get(i)) b.append(l).append(":\n");
            if (i < count) b.append(rendered[i]).append('\n');
        }
        return new Sequence(n, b.toString(), state(r));
    }

    /** A template or unit: a mnemonic uniformly, then one of its forms. */
    private Object pick(SplittableRandom r) {
        boolean fault = !faulting.isEmpty() && (normal.isEmpty() || r.nextInt(200) == 0);
        List<Mnemonic> pool = fault ? faulting : normal;
        Mnemonic m = pool.get(r.nextInt(pool.size()));
        List<Object> ts = (fault ? catalog.faulting : catalog.normal).get(m);
        return ts.get(r.nextInt(ts.size()));
    }

    private FormEmitter.Piece write(Object t, SplittableRandom r) {
        if (t instanceof Units.Unit u) return u.writer().write(r);
        Catalog.Template tp = (Catalog.Template) t;
        return FormEmitter.emit(tp.form(), tp.style(), r, catalog.helpers);
    }

    private static final long[] EDGES = { 0, 1, -1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffffL,
            0x80000000L, 0xffffffffL, Long.MAX_VALUE, Long.MIN_VALUE, 0x100000000L, 63, 64, 31, 32 };

    static long value(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> EDGES[r.nextInt(EDGES.length)];
            case 1 -> r.nextInt(256) - 128;
            case 2 -> r.nextInt() & 0xffffffffL;
            default -> r.nextLong();
        };
    }

    private static final long[] DOUBLES = { 0, Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(1.0),
            Double.doubleToRawLongBits(-1.5), 0x7ff0000000000000L, 0xfff0000000000000L, 0x7ff8000000000000L,
            0x7ff4000000000000L, 1L, 0x000fffffffffffffL, Double.doubleToRawLongBits(Double.MAX_VALUE),
            Double.doubleToRawLongBits(0.5), Double.doubleToRawLongBits(1e300), Double.doubleToRawLongBits(-2.5e-300) };
    private static final int[] FLOATS = { 0, 0x80000000, 0x3f800000, 0xbfc00000, 0x7f800000, 0xff800000, 0x7fc00000,
            0x7fa00000, 1, 0x007fffff, 0x7f7fffff, 0x3f000000, 0x4f000000, 0xcf000000 };

    static long vectorHalf(SplittableRandom r) {
        return switch (r.nextInt(5)) {
            case 0 -> DOUBLES[r.nextInt(DOUBLES.length)];
            case 1 -> (FLOATS[r.nextInt(FLOATS.length)] & 0xffffffffL) | (long) FLOATS[r.nextInt(FLOATS.length)] << 32;
            case 2 -> value(r);
            default -> r.nextLong();
        };
    }

    static HostState state(SplittableRandom r) {
        long[] gpr = new long[16];
        for (int i = 0; i < 16; i++) gpr[i] = value(r);
        gpr[HostState.RSP] = HostCpu.DEFAULT_RSP;
        gpr[HostState.R15] = Sandbox.R15_BASE;
        long[] xmm = new long[32];
        for (int i = 0; i < 32; i++) xmm[i] = vectorHalf(r);
        long flags = r.nextLong() & HostState.LOADED_FLAGS;
        if (r.nextInt(4) != 0) flags &= ~HostState.DF;
        int mxcsr = HostState.MXCSR_DEFAULT;
        if (r.nextInt(10) == 0) {
            mxcsr = (mxcsr & ~0x6000) | r.nextInt(4) << 13; // rounding control
            if (r.nextBoolean()) mxcsr |= 0x8000; // FTZ
            if (r.nextBoolean()) mxcsr |= 0x40; // DAZ
            if (r.nextInt(4) == 0) mxcsr &= ~(r.nextInt(64) << 7); // unmask some exceptions
            mxcsr |= r.nextInt(64) & (r.nextInt(4) == 0 ? 0x3f : 0); // sticky flags
        }
        byte[] scratch = new byte[HostCpu.SCRATCH_SIZE];
        r.nextBytes(scratch);
        for (int k = 0; k < 64; k++) {
            int off = r.nextInt(HostCpu.SCRATCH_SIZE / 8) * 8;
            long v = r.nextBoolean() ? vectorHalf(r) : value(r);
            for (int i = 0; i < 8; i++) scratch[off + i] = (byte) (v >>> 8 * i);
        }
        return new HostState(gpr, flags, mxcsr, xmm, scratch);
    }
}
