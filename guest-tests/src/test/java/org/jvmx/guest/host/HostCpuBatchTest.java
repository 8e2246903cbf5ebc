package org.jvmx.guest.host;

import static org.jvmx.guest.host.HostState.*;
import static org.junit.jupiter.api.Assertions.*;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * 10,000 random states over a pool of snippets in one harness process: every case must come
 * back, faults must be exactly the ones the SDM predicts, and a few results are checked against
 * plain Java arithmetic. Run twice, the batch must give identical results.
 */
class HostCpuBatchTest {
    private static final int N = 10_000;
    private static final long[] EDGES = { 0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x8000_0000L, 0xffff_ffffL };

    private static final List<String> POOL = List.of(
            "add rax, rcx",                      // 0
            "adc rax, rcx",                      // 1
            "imul rax, rcx",                     // 2
            "mov [rbx], rax",                    // 3
            "push rax\npop rcx",                 // 4
            "div rcx",                           // 5: #DE when rdx >= rcx (unsigned)
            "mov rax, [rdx]",                    // 6: random address, nearly always #PF
            "paddd xmm1, xmm2\npshufd xmm0, xmm1, 0x1b",
            "movdqu xmm0, [rbx]\npxor xmm0, xmm5\nmovdqu [rbx+8], xmm0",
            "sqrtsd xmm3, xmm4\ncvttsd2si r8, xmm3",
            "lea rax, [rcx+rdx*4+0x10]\nshld rax, rcx, cl",
            "lock cmpxchg [rbx], rcx\nsetz dl",
            "bsr r9, r10\ncmovz r9, r11",
            "mul rcx\nrcl rdx, 1\nsbb rsi, rdi",
            "std\nlea rdi, [rbx+64]\nmov ecx, 9\nrep stosb\ncld",
            "call 1f\n1: pop rax\nsub rax, 5");

    private static BigInteger u128(long hi, long lo) {
        return new BigInteger(Long.toUnsignedString(hi)).shiftLeft(64).or(new BigInteger(Long.toUnsignedString(lo)));
    }

    private static long value(SplittableRandom r) {
        return r.nextInt(4) == 0 ? EDGES[r.nextInt(EDGES.length)] : r.nextLong();
    }

    private static List<HostCase> cases(List<byte[]> code, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<HostCase> cs = new ArrayList<>(N);
        for (int i = 0; i < N; i++) {
            long[] g = new long[16], x = new long[32];
            for (int j = 0; j < 16; j++) g[j] = value(r);
            g[RSP] = HostCpu.DEFAULT_RSP;
            g[RBX] = HostCpu.SCRATCH_BASE + r.nextInt(4096 - 64);
            for (int j = 0; j < 32; j++) x[j] = value(r);
            byte[] scratch = new byte[HostCpu.SCRATCH_SIZE];
            r.nextBytes(scratch);
            int mxcsr = MXCSR_DEFAULT | (r.nextInt(4) << 13) | r.nextInt(64); // rounding + sticky flags
            HostState s = new HostState(g, r.nextLong() & LOADED_FLAGS, mxcsr, x, scratch);
            cs.add(new HostCase(s, code.get(i % code.size())));
        }
        return cs;
    }

    @Test
    void tenThousandRandomCasesComeBackRightAndTheSame() {
        List<byte[]> code = Gas.assemble(POOL);
        List<HostCase> cs = cases(code, 20261124L);
        HostCpu cpu = HostCpu.get();
        long t0 = System.nanoTime();
        List<HostResult> rs = cpu.run(cs);
        long t1 = System.nanoTime();
        System.out.printf("hostcpu: %d cases in %.2f s%n", N, (t1 - t0) / 1e9);
        assertEquals(N, rs.size());

        int faults = 0;
        for (int i = 0; i < N; i++) {
            HostState in = cs.get(i).state();
            HostResult r = rs.get(i);
            HostState out = r.state();
            int k = i % POOL.size(), n = i;
            Supplier<String> why = () -> "case " + n + " (" + POOL.get(k).replace('\n', ';') + ")\nin:\n" + in + "\nout: " + r;
            long a = in.gpr(RAX), c = in.gpr(RCX), d = in.gpr(RDX);
            boolean de = k == 5 && Long.compareUnsigned(d, c) >= 0;
            boolean pf = k == 6 && !(d >= HostCpu.SCRATCH_BASE && d <= HostCpu.STACK_TOP - 8);
            if (de || pf) {
                faults++;
                assertEquals(de ? HostResult.SIGFPE : HostResult.SIGSEGV, r.signal(), why);
                assertEquals(0, r.ripOffset(), why);
                assertArrayEquals(in.gpr(), out.gpr(), why);
                continue;
            }
            assertFalse(r.faulted(), why);
            assertEquals(HostCpu.CODE_BASE + cs.get(i).code().length, r.rip(), why);
            assertEquals(HostCpu.DEFAULT_RSP, out.gpr(RSP), why);
            assertEquals(k != 14 && in.flag(DF), out.flag(DF), why); // snippet 14 ends with cld
            switch (k) {
                case 0 -> {
                    assertEquals(a + c, out.gpr(RAX), why);
                    assertEquals(Long.compareUnsigned(a + c, a) < 0, out.flag(CF), why);
                    assertEquals(((a ^ (a + c)) & (c ^ (a + c))) < 0, out.flag(OF), why);
                    assertEquals(a + c == 0, out.flag(ZF), why);
                    assertEquals(a + c < 0, out.flag(SF), why);
                }
                case 1 -> assertEquals(a + c + (in.flag(CF) ? 1 : 0), out.gpr(RAX), why);
                case 2 -> {
                    assertEquals(a * c, out.gpr(RAX), why);
                    boolean fits = Math.multiplyHigh(a, c) == (a * c >> 63);
                    assertEquals(!fits, out.flag(CF), why);
                    assertEquals(!fits, out.flag(OF), why);
                }
                case 3 -> assertEquals(a, out.scratchLong(in.gpr(RBX)), why);
                case 4 -> assertEquals(a, out.gpr(RCX), why);
                case 5 -> { // rdx:rax / rcx, 128 by 64 bits (SDM Vol. 2A, DIV)
                    BigInteger[] qr = u128(d, a).divideAndRemainder(u128(0, c));
                    assertEquals(qr[0].longValue(), out.gpr(RAX), why);
                    assertEquals(qr[1].longValue(), out.gpr(RDX), why);
                }
                case 15 -> assertEquals(HostCpu.CODE_BASE, out.gpr(RAX), why);
                default -> { }
            }
        }
        assertTrue(faults > N / POOL.size(), "faults: " + faults);

        List<HostResult> again = cpu.run(cs);
        for (int i = 0; i < N; i++) assertEquals(rs.get(i), again.get(i), "case " + i + " differs between two runs");
    }
}
