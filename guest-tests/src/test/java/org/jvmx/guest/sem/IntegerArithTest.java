package org.jvmx.guest.sem;

import static org.jvmx.guest.host.HostState.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostState;

/**
 * ADD ADC SUB SBB CMP AND OR XOR TEST NOT NEG INC DEC ADCX ADOX against the host CPU: every
 * operand size, register/memory/immediate forms (accumulator short forms, sign-extended imm8),
 * AH-style registers, LOCK'd memory forms, edge and random values with random incoming flags.
 * {@link Kit} is the case builder the other integer test classes share.
 */
class IntegerArithTest implements DirectedCases {
    static final String[] OPS = { "add", "adc", "sub", "sbb", "cmp", "and", "or", "xor", "test" };

    @Override
    public List<HostCase> cases() {
        Kit k = new Kit(0x1a7e_0001L);
        for (String op : OPS) {
            boolean lockable = !op.equals("cmp") && !op.equals("test");
            for (int bits : Kit.SIZES) {
                for (int n = 0; n < 10; n++) {
                    k.add(op + " " + k.a(bits) + ", " + k.c(bits));
                    k.add(op + " " + k.mem(bits) + ", " + k.c(bits));
                    if (!op.equals("test")) k.add(op + " " + k.a(bits) + ", " + k.mem(bits));
                    k.add(op + " " + k.d(bits) + ", " + k.imm(bits));
                    k.add(op + " " + k.a(bits) + ", " + k.imm(bits));
                    k.add(op + " " + k.d(bits) + ", " + k.imm(8));
                    k.add(op + " " + k.mem(bits) + ", " + k.imm(bits));
                    k.add(op + " " + k.r9(bits) + ", " + k.a(bits));
                    if (bits == 8) k.add(op + " ah, bh");
                    if (bits == 8) k.add(op + " ch, dl");
                    if (lockable) k.add("lock " + op + " " + k.mem(bits) + ", " + k.c(bits));
                    if (lockable) k.add("lock " + op + " " + k.mem(bits) + ", " + k.imm(bits));
                }
            }
        }
        for (String op : new String[] { "not", "neg", "inc", "dec" }) {
            for (int bits : Kit.SIZES) {
                for (int n = 0; n < 12; n++) {
                    k.add(op + " " + k.a(bits));
                    k.add(op + " " + k.r9(bits));
                    k.add(op + " " + k.mem(bits));
                    k.add("lock " + op + " " + k.mem(bits));
                    if (bits == 8) k.add(op + " bh");
                }
            }
        }
        // flag chains: ADC/SBB/INC/DEC consume what an earlier op left
        for (int n = 0; n < 60; n++) {
            k.add("add eax, ecx\nadc rdx, r9\nsbb r10d, ebx\ninc ecx\nadc al, 0x7f");
            k.add("sub rax, rcx\nsbb rdx, rdx\ndec r9w\nsbb word ptr [rdi+2], cx");
            k.add("lock adc qword ptr [rdi+8], rcx\nlock sbb dword ptr [rdi], edx\nlock inc byte ptr [rdi+3]");
        }
        for (String op : new String[] { "adcx", "adox" }) {
            for (int bits : new int[] { 32, 64 }) {
                for (int n = 0; n < 25; n++) {
                    k.add(op + " " + k.a(bits) + ", " + k.c(bits));
                    k.add(op + " " + k.r9(bits) + ", " + k.mem(bits));
                }
            }
            k.add("xor eax, eax\nstc\n" + op + " rax, rcx\n" + op + " rdx, r9");
        }
        // faults: a LOCK'd RMW to an unmapped page, an RMW through a non-canonical address
        k.add("lock add qword ptr [rdi+0x4000], rcx");
        k.add("add dword ptr [rdi+0x4000], 5");
        k.add("movabs rax, 0x8000000000000000\nadd qword ptr [rax], rcx");
        k.add("movabs rax, 0x8000000000000000\nlock inc qword ptr [rax]");
        return k.cases();
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }

    /**
     * Builds cases: random states whose registers and memory hold edge values at the operand size
     * (RDI points into the scratch area, its bytes random), random incoming status flags.
     */
    static final class Kit {
        static final int[] SIZES = { 8, 16, 32, 64 };
        /** Where RDI points: memory operands are [rdi+disp]. */
        static final long BASE = HostCpu.SCRATCH_BASE + 0x800;
        static final String[][] A = { { "al", "ax", "eax", "rax" }, { "cl", "cx", "ecx", "rcx" },
                { "dl", "dx", "edx", "rdx" }, { "r9b", "r9w", "r9d", "r9" }, { "bl", "bx", "ebx", "rbx" } };
        static final String[] PTR = { "byte", "word", "dword", "qword" };
        final SplittableRandom r;
        private final List<String> asm = new ArrayList<>();
        private final List<HostState> states = new ArrayList<>();

        Kit(long seed) {
            r = new SplittableRandom(seed);
        }

        static int idx(int bits) { return Integer.numberOfTrailingZeros(bits) - 3; }

        String a(int bits) { return A[0][idx(bits)]; }
        String c(int bits) { return A[1][idx(bits)]; }
        String d(int bits) { return A[2][idx(bits)]; }
        String r9(int bits) { return A[3][idx(bits)]; }
        String b(int bits) { return A[4][idx(bits)]; }

        /** A memory operand [rdi + small displacement] of the size. */
        String mem(int bits) { return PTR[idx(bits)] + " ptr [rdi+" + (r.nextInt(4) * 8) + "]"; }

        /** An immediate fitting a sign-extended imm of the size (imm32 for 64 bits). */
        String imm(int bits) {
            int b = Math.min(bits, 32);
            long v = switch (r.nextInt(6)) {
                case 0 -> 0;
                case 1 -> 1;
                case 2 -> -1;
                case 3 -> (1L << (b - 1)) - 1;
                case 4 -> -(1L << (b - 1));
                default -> r.nextLong() << (64 - b) >> (64 - b);
            };
            return Long.toString(v);
        }

        /** A value whose low {@code bits} are an edge case or random; the bits above random. */
        long value(int bits) {
            long m = bits == 64 ? -1L : (1L << bits) - 1, s = 1L << (bits - 1);
            long low = switch (r.nextInt(12)) {
                case 0 -> 0;
                case 1 -> 1;
                case 2 -> m;
                case 3 -> s;
                case 4 -> s - 1;
                case 5 -> m - 1;
                case 6 -> 0x80;
                case 7 -> 0x7f;
                case 8 -> 2;
                default -> r.nextLong();
            };
            return (r.nextLong() & ~m) | (low & m);
        }

        /** A value at a random size. */
        long value() { return value(SIZES[r.nextInt(4)]); }

        /** A random state: GPRs edge/random (RSP as the harness wants, RDI = {@link #BASE}), flags random. */
        HostState state() {
            HostState s = HostState.initial();
            for (int g = 0; g < 16; g++) {
                if (g != RSP && g != RDI) s = s.withGpr(g, value());
            }
            s = s.withGpr(RDI, BASE).withRflags(r.nextLong() & (LOADED_FLAGS & ~DF));
            byte[] scratch = new byte[HostCpu.SCRATCH_SIZE];
            r.nextBytes(scratch);
            for (int off = 0; off < 48; off += 8) putLong(scratch, BASE + off, value());
            return s.withScratch(scratch);
        }

        static void putLong(byte[] scratch, long addr, long v) {
            int o = (int) (addr - HostCpu.SCRATCH_BASE);
            for (int i = 0; i < 8; i++) scratch[o + i] = (byte) (v >>> (8 * i));
        }

        void add(String code) { add(code, state()); }

        void add(String code, HostState s) {
            asm.add(code);
            states.add(s);
        }

        List<HostCase> cases() {
            List<byte[]> code = Gas.assemble(asm);
            List<HostCase> out = new ArrayList<>(code.size());
            for (int i = 0; i < code.size(); i++) out.add(new HostCase(states.get(i), code.get(i)));
            return out;
        }
    }
}
