package org.jvmx.guest.sem;

import java.util.List;
import java.util.SplittableRandom;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostState;
import org.junit.jupiter.api.Test;

/**
 * SSE4.1 integer lane operations, blends, packs, PMOVSX/PMOVZX, PTEST, MOVNTDQA and SSE4.2's
 * PCMPGTQ against the host CPU: register and memory forms, edge lanes, imm8 sweeps, #GP for
 * misaligned 16-byte operands (none for the narrower PMOVxX loads).
 */
class Sse41OpsTest implements DirectedCases {
    private static final List<String> BINARY = List.of("pblendvb", "packusdw", "pcmpeqq", "pcmpgtq", "phminposuw",
            "pmaxsb", "pmaxsd", "pmaxuw", "pmaxud", "pminsb", "pminsd", "pminuw", "pminud", "pmuldq", "pmulld", "ptest");
    private static final List<String> MOVES = List.of("pmovsxbw", "pmovsxbd", "pmovsxbq", "pmovsxwd", "pmovsxwq",
            "pmovsxdq", "pmovzxbw", "pmovzxbd", "pmovzxbq", "pmovzxwd", "pmovzxwq", "pmovzxdq");

    @Override
    public List<HostCase> cases() {
        SplittableRandom r = new SplittableRandom(0x5E41);
        Ssse3Cases b = new Ssse3Cases();
        for (String op : BINARY) b.vectorForms(r, op, "", 120, true);
        for (int imm = 0; imm < 256; imm += 1) b.add("pblendw xmm1, xmm2, " + imm, Ssse3Cases.randomState(r));
        b.vectorForms(r, "pblendw", "0xa5", 10, true);
        for (int imm = 0; imm < 256; imm += 1) b.add("mpsadbw xmm1, xmm2, " + imm, Ssse3Cases.randomState(r));
        for (int imm = 0; imm < 8; imm++) b.vectorForms(r, "mpsadbw", Integer.toString(imm), 20, imm == 3);
        // PTEST: all-zero / all-one / disjoint / subset operands for every ZF/CF combination.
        long[] pt = {0, -1, 0x00ff_00ff_00ff_00ffL, 0xff00_ff00_ff00_ff00L, 1, Long.MIN_VALUE};
        for (long x : pt)
            for (long y : pt)
                for (int flags = 0; flags < 2; flags++)
                    b.add("ptest xmm1, xmm2", Ssse3Cases.randomState(r).withXmm(1, x, y).withXmm(2, y, x)
                            .withRflags(flags == 0 ? 0 : HostState.LOADED_FLAGS & ~HostState.DF));
        b.add("ptest xmm4, xmm4", HostState.initial());
        for (int k = 0; k < 20; k++) b.add("movntdqa xmm1, [rbx+0x30]", Ssse3Cases.randomState(r));
        b.add("movntdqa xmm12, [rbx-0x100]", Ssse3Cases.randomState(r));
        b.add("movntdqa xmm1, [rbx+0x38]", Ssse3Cases.randomState(r));
        b.add("movntdqa xmm1, [rbx+0x4]", Ssse3Cases.randomState(r));
        for (String op : MOVES) {
            for (int k = 0; k < 80; k++) b.add(op + " xmm1, xmm2", Ssse3Cases.randomState(r));
            b.add(op + " xmm8, xmm8", Ssse3Cases.randomState(r));
            b.add(op + " xmm0, xmm13", Ssse3Cases.randomState(r));
            for (int off : new int[] {0, 1, 3, 7, 0x11, 0x1f})
                for (int k = 0; k < 5; k++) b.add(op + " xmm3, [rbx+" + off + "]", Ssse3Cases.randomState(r));
        }
        // Loads crossing the end of the mapped scratch area fault on the first unmapped byte.
        b.add("pmovzxbw xmm1, [rbx+0x1efc]", Ssse3Cases.randomState(r));
        b.add("pmovsxwq xmm1, [rbx+0x1efe]", Ssse3Cases.randomState(r));
        b.add("pmovzxbw xmm1, [rbx+0x1ef8]", Ssse3Cases.randomState(r));
        b.add("pshufb xmm1, [rbx+0x1f00]", Ssse3Cases.randomState(r));
        return b.build();
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
