package org.jvmx.guest.sem;

import java.util.List;
import java.util.SplittableRandom;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostState;
import org.junit.jupiter.api.Test;

/**
 * PCMPESTRI / PCMPESTRM (explicit lengths in EAX/EDX, RAX/RDX with REX.W) against the host CPU:
 * the 128 meaningful imm8 values over string pairs with embedded zeros, lengths 0..16, negative
 * (absolute value), oversize (saturated), 32-bit forms with garbage in the upper halves, and the
 * extreme 32/64-bit values.
 */
class Sse42StringCompareExplicitTest implements DirectedCases {
    private static final long[] LENGTHS = {0, 1, 2, 7, 8, 9, 15, 16, 17, 100, -1, -2, -8, -15, -16, -17, -100,
            0x7fff_ffffL, 0x8000_0000L, 0x8000_0001L, 0xffff_ffffL, 0x1_0000_0003L, 0xffff_ffff_0000_0005L,
            Long.MIN_VALUE, Long.MAX_VALUE, -3L, 0x8000_0000_0000_0004L};

    private static long length(SplittableRandom r, int n) {
        return r.nextInt(3) == 0 ? LENGTHS[r.nextInt(LENGTHS.length)] : r.nextInt(n + 1) - (r.nextInt(4) == 0 ? n : 0);
    }

    @Override
    public List<HostCase> cases() {
        SplittableRandom r = new SplittableRandom(0xE42);
        Ssse3Cases b = new Ssse3Cases();
        for (int imm = 0; imm < 256; imm++) {
            int n = (imm & 1) != 0 ? 8 : 16;
            int pairs = imm < 128 ? 10 : 1;
            for (int p = 0; p < pairs; p++) {
                long la = length(r, n), lb = length(r, n);
                int ua = (int) Math.min(Math.abs((long) (int) la), n), ub = (int) Math.min(Math.abs((long) (int) lb), n);
                long[] a = Sse42StringCases.string(r, n, n, true);
                long[] e = Sse42StringCases.string(r, n, n, true);
                if (r.nextBoolean()) Sse42StringCases.embed(a, e, r.nextInt(n), Math.min(ua, ub));
                long[] av = Sse42StringCases.pack(a), bv = Sse42StringCases.pack(e);
                HostState s = Ssse3Cases.randomState(r).withXmm(1, av[0], av[1]).withXmm(2, bv[0], bv[1])
                        .withXmm(10, av[0], av[1]).withGpr(HostState.RAX, la).withGpr(HostState.RDX, lb);
                byte[] m = s.scratch().clone();
                Ssse3Cases.put64(m, 0x105, bv[0]);
                Ssse3Cases.put64(m, 0x10d, bv[1]);
                s = s.withScratch(m);
                b.add("pcmpestri xmm1, xmm2, " + imm, s);
                b.add("pcmpestrm xmm1, xmm2, " + imm, s);
                if (p % 3 == 0) {
                    b.add("pcmpestriq xmm1, xmm2, " + imm, s);
                    b.add("pcmpestrmq xmm1, xmm2, " + imm, s);
                }
                if (p % 5 == 1) {
                    b.add("pcmpestri xmm10, xmmword ptr [rbx+5], " + imm, s);
                    b.add("pcmpestrm xmm10, xmmword ptr [rbx+5], " + imm, s);
                }
            }
        }
        for (int k = 0; k < 300; k++) {
            int imm = r.nextInt(256);
            b.add("pcmpestri xmm1, xmm2, " + imm, Ssse3Cases.randomState(r));
            b.add("pcmpestrm xmm3, xmm4, " + imm, Ssse3Cases.randomState(r));
            b.add("pcmpestriq xmm5, xmm6, " + imm, Ssse3Cases.randomState(r));
        }
        return b.build();
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
