package org.jvmx.guest.sem;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostState;

/**
 * Building blocks of the x87/MMX host-differential tests. Each snippet ends with FXSAVE64 of the
 * whole x87 state (registers, FCW, FSW, abridged tags) into scratch at {@link #IMAGE}, so the
 * scratch comparison of {@code Differential} checks the FPU too. The last-instruction and
 * data pointers, the last opcode and MXCSR_MASK are cleared in the image: this host (AMD)
 * saves the pointers only while an exception is pending, and MXCSR_MASK reports its own
 * MXCSR features. Operands sit at fixed offsets from RBX = {@link #DATA}.
 */
final class X87Cases {
    private X87Cases() {
    }

    static final long DATA = HostCpu.SCRATCH_BASE + 0x100;
    static final long IMAGE = HostCpu.SCRATCH_BASE + 0xC00;
    /** Offsets from RBX: FCW word, operand A (m80), B (m80), m64, m32, int16, int32, int64, BCD (m80), output. */
    static final int FCW = 0, A = 16, B = 32, M64 = 48, M32 = 56, I16 = 64, I32 = 72, I64 = 80, BCD = 96, OUT = 128;

    /**
     * FXSAVE64, then the empty registers' slots, the pointers, FOP and MXCSR_MASK cleared (the
     * host's microcode leaves scratch values in empty registers, which no program can see but
     * through FXSAVE). RAX, RCX, RDX and RFLAGS are kept on the stack meanwhile.
     */
    static final String EPILOGUE = String.format("pushfq\npush rax\npush rcx\npush rdx\nfxsave64 [0x%x]\n"
            + "movzx eax, word ptr [0x%x]\nshr eax, 11\nand eax, 7\nmovzx edx, byte ptr [0x%x]\nxor ecx, ecx\n"
            + "7: bt edx, eax\njc 8f\nmov qword ptr [0x%x + rcx*8], 0\nmov qword ptr [0x%x + rcx*8], 0\n"
            + "8: inc eax\nand eax, 7\nadd ecx, 2\ncmp ecx, 16\njne 7b\npop rdx\npop rcx\npop rax\npopfq\n"
            + "mov word ptr [0x%x], 0\nmov qword ptr [0x%x], 0\nmov qword ptr [0x%x], 0\nmov dword ptr [0x%x], 0\n",
            IMAGE, IMAGE + 2, IMAGE + 4, IMAGE + 32, IMAGE + 40, IMAGE + 6, IMAGE + 8, IMAGE + 16, IMAGE + 28);

    /** One case: a snippet and its data. */
    record Spec(String code, byte[] data) {
    }

    /**
     * {@link DirectedCases#assertMatchesHost}; with {@code -Dx87.debug} a compact listing of the
     * mismatches (operation, FCW, operands, both register images) is printed first.
     */
    static void assertMatchesHost(List<HostCase> cases) {
        if (System.getProperty("x87.debug") != null) X87Debug.dump(cases, 40);
        DirectedCases.assertMatchesHost(cases);
    }

    static List<HostCase> build(List<Spec> specs) {
        List<String> code = new ArrayList<>(specs.size());
        for (Spec s : specs) code.add(s.code() + "\n" + EPILOGUE);
        List<byte[]> bytes = Gas.assemble(code);
        List<HostCase> out = new ArrayList<>(specs.size());
        for (int k = 0; k < specs.size(); k++) {
            byte[] scratch = new byte[HostCpu.SCRATCH_SIZE];
            System.arraycopy(specs.get(k).data(), 0, scratch, 0x100, specs.get(k).data().length);
            HostState s = HostState.initial().withGpr(HostState.RBX, DATA).withScratch(scratch);
            out.add(new HostCase(s, bytes.get(k)));
        }
        return out;
    }

    /** A data block with the FCW and everything else zero. */
    static byte[] data(int fcw) {
        byte[] d = new byte[256];
        put(d, FCW, fcw, 2);
        return d;
    }

    static void put(byte[] d, int off, long v, int bytes) {
        for (int k = 0; k < bytes; k++) d[off + k] = (byte) (v >>> 8 * k);
    }

    static void put80(byte[] d, int off, long[] v) {
        put(d, off, v[0], 8);
        put(d, off + 8, v[1], 2);
    }

    /** FCW values: every RC x PC with all exceptions masked, and a few with some unmasked. */
    static final int[] FCWS;

    static {
        List<Integer> l = new ArrayList<>();
        for (int rc = 0; rc < 4; rc++) for (int pc : new int[] {0, 2, 3}) l.add(0x3F | pc << 8 | rc << 10);
        l.add(0x037F & ~0x01); // IE unmasked
        l.add(0x037F & ~0x02); // DE unmasked
        l.add(0x037F & ~0x04); // ZE unmasked
        l.add(0x037F & ~0x08); // OE unmasked
        l.add(0x037F & ~0x10); // UE unmasked
        l.add(0x037F & ~0x20); // PE unmasked
        FCWS = l.stream().mapToInt(Integer::intValue).toArray();
    }

    /** An interesting double-extended value {significand, sign+exponent}: edge classes or random. */
    static long[] value80(Random r) {
        int s = r.nextBoolean() ? 0x8000 : 0;
        long m = r.nextLong() | 1L << 63;
        switch (r.nextInt(24)) {
            case 0: return new long[] {0, s};                                    // zero
            case 1: return new long[] {1L << 63, s | 0x7FFF};                    // infinity
            case 2: return new long[] {0xC000_0000_0000_0000L | r.nextLong() >>> 3, s | 0x7FFF}; // QNaN
            case 3: return new long[] {(1L << 63) | (r.nextLong() >>> 3) | 1, s | 0x7FFF};       // SNaN
            case 4: return new long[] {r.nextLong() >>> 1 >>> r.nextInt(63), s};  // denormal
            case 5: return new long[] {m, s | 1};                                 // smallest normal exponent
            case 6: return new long[] {m, s | 0x7FFE};                            // largest exponent
            case 7: return new long[] {r.nextLong() >>> 1, s | (1 + r.nextInt(0x7FFD))}; // unnormal (unsupported)
            case 8: return new long[] {m, s};                                     // pseudo-denormal
            case 9: return new long[] {m & ~0x7FFL, s | (0x3FFF + r.nextInt(64))}; // few significant bits
            case 10: return new long[] {-1L, s | (0x3FFF + r.nextInt(8))};        // all ones
            case 11: return new long[] {m, s | (r.nextInt(100) + 1)};             // near the bottom
            case 12: return new long[] {m, s | (0x7FFE - r.nextInt(100))};        // near the top
            default: return new long[] {m, s | (0x3FFF - 40 + r.nextInt(80))};    // ordinary
        }
    }

    /** A pair of values whose exponents are close (cancellation, rounding at every position). */
    static long[][] closePair(Random r) {
        long[] a = value80(r), b = value80(r);
        if (r.nextBoolean() && (a[1] & 0x7FFF) != 0 && (a[1] & 0x7FFF) != 0x7FFF && a[0] < 0) {
            int e = (int) (a[1] & 0x7FFF) + r.nextInt(5) - 2;
            if (e > 0 && e < 0x7FFF) b = new long[] {r.nextBoolean() ? a[0] ^ (1L << r.nextInt(63)) : b[0] | 1L << 63, (b[1] & 0x8000) | e};
        }
        return new long[][] {a, b};
    }
}
