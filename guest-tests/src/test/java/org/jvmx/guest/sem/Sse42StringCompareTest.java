package org.jvmx.guest.sem;

import java.util.List;
import java.util.SplittableRandom;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostState;
import org.junit.jupiter.api.Test;

/**
 * PCMPISTRI / PCMPISTRM (implicit, zero-terminated lengths) against the host CPU: every one of
 * the 128 meaningful imm8 values (bit 7 once set too) over string pairs of every length class
 * with embedded zeros and garbage after the terminator, register and unaligned memory forms.
 */
class Sse42StringCompareTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        SplittableRandom r = new SplittableRandom(0x4242);
        Ssse3Cases b = new Ssse3Cases();
        for (int imm = 0; imm < 256; imm++) {
            int n = (imm & 1) != 0 ? 8 : 16;
            int pairs = imm < 128 ? 12 : 1;
            for (int p = 0; p < pairs; p++) {
                int la = Sse42StringCases.length(r, n), lb = Sse42StringCases.length(r, n);
                long[] a = Sse42StringCases.string(r, n, la, false);
                long[] e = Sse42StringCases.string(r, n, lb, false);
                if (r.nextBoolean()) Sse42StringCases.embed(a, e, r.nextInt(n), Math.min(la, lb));
                if (p == 0) e = a.clone();
                long[] av = Sse42StringCases.pack(a), bv = Sse42StringCases.pack(e);
                HostState s = Ssse3Cases.randomState(r).withXmm(1, av[0], av[1]).withXmm(2, bv[0], bv[1])
                        .withXmm(9, av[0], av[1]).withXmm(12, bv[0], bv[1]);
                byte[] m = s.scratch().clone();
                Ssse3Cases.put64(m, 0x113, bv[0]);
                Ssse3Cases.put64(m, 0x11b, bv[1]);
                s = s.withScratch(m);
                b.add("pcmpistri xmm1, xmm2, " + imm, s);
                b.add("pcmpistrm xmm1, xmm2, " + imm, s);
                if (p % 4 == 1) {
                    b.add("pcmpistri xmm9, xmmword ptr [rbx+0x13], " + imm, s);
                    b.add("pcmpistrm xmm9, xmmword ptr [rbx+0x13], " + imm, s);
                    b.add("pcmpistrm xmm0, xmm12, " + imm, s.withXmm(0, av[0], av[1]));
                }
            }
        }
        // Fully random operands (few zeros: mostly full-length strings).
        for (int k = 0; k < 300; k++) {
            int imm = r.nextInt(256);
            b.add("pcmpistri xmm1, xmm2, " + imm, Ssse3Cases.randomState(r));
            b.add("pcmpistrm xmm3, xmm4, " + imm, Ssse3Cases.randomState(r));
        }
        // The unaligned memory operand is read whole (16 bytes) even when the string ends early:
        // a read crossing the end of the mapped scratch area faults with the first unmapped address.
        HostState z = Ssse3Cases.randomState(r);
        b.add("pcmpistri xmm1, xmmword ptr [rbx+0x1ef8], 0", z);
        b.add("pcmpistrm xmm1, xmmword ptr [rbx+0x1ef3], 0x44", z);
        b.add("pcmpistri xmm1, xmmword ptr [rbx+0x1ef0], 0x0c", z);
        return b.build();
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
