package org.jvmx.guest.sem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostState;

/**
 * Case generator shared by the SSE floating-point directed tests: each snippet loads MXCSR
 * from scratch (LDMXCSR [rbx]) and runs one instruction on XMM1 (destination) and XMM2 or
 * scratch memory at [rbx+0x100] (source); the inputs are edge values of the operand kind
 * (zeros, denormals, min normal, max, infinities, QNaN/SNaN with payloads, values that round
 * differently per mode, integer limits) mixed with random ones, under every rounding mode,
 * FTZ/DAZ on and off, and exception masks all set or random (unmasked ones fault natively).
 */
final class SseFpCases {
    /** Source value kinds. */
    static final int F32 = 0, F64 = 1, I32 = 2, GPR = 3;

    static final long[] EDGE32 = {
        0, 0x80000000L, 0x3F800000, 0xBF800000L, 0x3FC00000, 0x40200000, 0xC0200000L, 0x3F000000, 0x3EAAAAAB, 0x3F800001,
        0x00000001, 0x007FFFFF, 0x80000001L, 0x807FFFFFL, 0x00400000, 0x00800000, 0x80800000L, 0x00800001,
        0x7F7FFFFF, 0xFF7FFFFFL, 0x7F000000, 0x7F800000, 0xFF800000L, 0x7FC00000, 0x7FC12345, 0xFFC00001L,
        0x7F800001, 0x7FA00000, 0xFF812345L, 0x4F000000, 0xCF000000L, 0x4EFFFFFF, 0xCF000001L, 0x5F000000,
        0xDF000000L, 0x4B000001, 0x4B7FFFFF, 0x3F7FFFFF, 0x1F800000, 0x20000000, 0x0C000000, 0x40490FDB,
    };
    static final long[] EDGE64 = {
        0, 0x8000000000000000L, 0x3FF0000000000000L, 0xBFF0000000000000L, 0x3FF8000000000000L, 0x4004000000000000L,
        0xC004000000000000L, 0x3FE0000000000000L, 0x3FD5555555555555L, 0x3FF0000000000001L, 0x0000000000000001L,
        0x000FFFFFFFFFFFFFL, 0x8000000000000001L, 0x800FFFFFFFFFFFFFL, 0x0010000000000000L, 0x8010000000000000L,
        0x0010000000000001L, 0x7FEFFFFFFFFFFFFFL, 0xFFEFFFFFFFFFFFFFL, 0x7FE0000000000000L, 0x7FF0000000000000L,
        0xFFF0000000000000L, 0x7FF8000000000000L, 0x7FF8000012345678L, 0xFFF8000000000001L, 0x7FF0000000000001L,
        0x7FF4000000000000L, 0xFFF0000012345678L, 0x41E0000000000000L, 0xC1E0000000000000L, 0x41DFFFFFFFC00000L,
        0xC1E0000000200000L, 0x43E0000000000000L, 0xC3E0000000000000L, 0x43DFFFFFFFFFFFFFL, 0x4330000000000001L,
        0x36A0000000000000L, 0x3690000000000000L, 0x47EFFFFFE0000000L, 0x47F0000000000000L, 0x3810000000000000L,
        0x380FFFFFF0000000L, 0x3800000000000000L, 0x36A0000010000000L, 0x400921FB54442D18L, 0x41DFFFFFFFFFFFFFL,
    };
    static final long[] EDGE_INT = {0, 1, -1, 2, 3, 0x7FFFFFFF, 0x80000000L, 0xFFFFFF, 0x1000001, 0x7FFFFF81, 0x12345678, -5};
    static final long[] EDGE_LONG = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 0x20000000000001L, 0x7FFFFFFFFFFFFDFFL,
        (1L << 53) + 1, (1L << 24) + 1, -(1L << 24) - 3, 0x7FFFFFFF, 0x80000000L, 0xFFFFFFFFL};

    final Random rnd;

    SseFpCases(long seed) {
        rnd = new Random(seed);
    }

    long f32() {
        int r = rnd.nextInt(10);
        if (r < 4) return EDGE32[rnd.nextInt(EDGE32.length)];
        if (r < 6) return rnd.nextLong() & 0xFFFFFFFFL;
        // a random value near a small set of exponents (results near edges, cancellations)
        int[] exps = {0, 1, 2, 126, 127, 128, 150, 200, 253, 254, 100, 160};
        long e = exps[rnd.nextInt(exps.length)];
        return (rnd.nextBoolean() ? 0x80000000L : 0) | e << 23 | (rnd.nextInt() & 0x7FFFFF);
    }

    long f64() {
        int r = rnd.nextInt(10);
        if (r < 4) return EDGE64[rnd.nextInt(EDGE64.length)];
        if (r < 6) return rnd.nextLong();
        long[] exps = {0, 1, 2, 1022, 1023, 1024, 1075, 2045, 2046, 896, 897, 874, 1150, 1054, 1086};
        long e = exps[rnd.nextInt(exps.length)];
        return (rnd.nextBoolean() ? Long.MIN_VALUE : 0) | e << 52 | (rnd.nextLong() & 0xFFFFFFFFFFFFFL);
    }

    long i32() {
        return rnd.nextInt(3) == 0 ? EDGE_INT[rnd.nextInt(EDGE_INT.length)] & 0xFFFFFFFFL : rnd.nextLong() >>> rnd.nextInt(64) & 0xFFFFFFFFL;
    }

    long i64() {
        return rnd.nextInt(3) == 0 ? EDGE_LONG[rnd.nextInt(EDGE_LONG.length)] : rnd.nextLong() >> rnd.nextInt(64);
    }

    /** A 128-bit register value of the kind, as {lo, hi}. */
    long[] vec(int kind) {
        return switch (kind) {
            case F32 -> new long[] {f32() | f32() << 32, f32() | f32() << 32};
            case F64 -> new long[] {f64(), f64()};
            default -> new long[] {i32() | i32() << 32, i32() | i32() << 32};
        };
    }

    /** An MXCSR: random RC, FTZ, DAZ, sticky flags; masks all set, or (1 in {@code unmaskedOneIn}) random. */
    int mxcsr(int unmaskedOneIn) {
        int m = rnd.nextInt(4) << 13;
        if (rnd.nextInt(3) == 0) m |= 1 << 15;
        if (rnd.nextInt(3) == 0) m |= 1 << 6;
        if (rnd.nextInt(4) == 0) m |= rnd.nextInt(64);
        m |= unmaskedOneIn > 0 && rnd.nextInt(unmaskedOneIn) == 0 ? rnd.nextInt(64) << 7 : 0x3F << 7;
        return m;
    }

    /** A case for {@code code}: XMM1..XMM2 (and XMM0) and scratch [0x100, 0x120) filled with values of {@code kind}. */
    HostCase make(byte[] code, int kind, int mxcsr) {
        byte[] s = new byte[HostCpu.SCRATCH_SIZE];
        putInt(s, 0, mxcsr);
        long[] a = vec(kind), b = vec(kind), x0 = vec(rnd.nextBoolean() ? F32 : F64);
        if (kind == GPR) {
            a = vec(F32);
            b = vec(F64);
        }
        putLong(s, 0x100, b[0]);
        putLong(s, 0x108, b[1]);
        putLong(s, 0x110, b[0]);
        putLong(s, 0x118, b[1]);
        HostState st = HostState.initial().withScratch(s).withGpr(HostState.RBX, HostCpu.SCRATCH_BASE)
                .withGpr(HostState.RAX, i64()).withGpr(HostState.RCX, 0x5555_6666_7777_8888L)
                .withXmm(0, x0[0], x0[1]).withXmm(1, a[0], a[1]).withXmm(2, b[0], b[1])
                .withRflags(rnd.nextInt(4) == 0 ? HostState.LOADED_FLAGS & ~HostState.DF : 0);
        if (kind == GPR) {
            long v = i64();
            st = st.withGpr(HostState.RAX, v);
            putLong(st.scratch(), 0x100, v);
        }
        return new HostCase(st, code);
    }

    static void putInt(byte[] s, int off, int v) {
        for (int k = 0; k < 4; k++) s[off + k] = (byte) (v >>> (8 * k));
    }

    static void putLong(byte[] s, int off, long v) {
        for (int k = 0; k < 8; k++) s[off + k] = (byte) (v >>> (8 * k));
    }

    /** One instruction form: its assembly (operands written out) and the kind of its inputs. */
    record Form(String asm, int kind) {
    }

    /**
     * Cases for every form: {@code perForm} random ones each, the snippet prefixed with LDMXCSR;
     * a quarter of them with random exception masks.
     */
    List<HostCase> cases(List<Form> forms, int perForm) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (Form f : forms) index.putIfAbsent("ldmxcsr [rbx]\n" + f.asm(), index.size());
        List<byte[]> code = Gas.assemble(new ArrayList<>(index.keySet()));
        List<HostCase> out = new ArrayList<>();
        for (Form f : forms) {
            byte[] c = code.get(index.get("ldmxcsr [rbx]\n" + f.asm()));
            for (int n = 0; n < perForm; n++) out.add(make(c, f.kind(), mxcsr(4)));
        }
        return out;
    }
}
