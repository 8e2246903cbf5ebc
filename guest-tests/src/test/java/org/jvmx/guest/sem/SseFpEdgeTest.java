package org.jvmx.guest.sem;

import static org.jvmx.guest.sem.SseFpCases.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostState;

/**
 * Every pair of edge values (zeros, denormals, min normal, max, infinities, QNaN/SNaN with
 * payloads, mode-sensitive values) through the scalar forms, each pair under all four rounding
 * modes with FTZ/DAZ and the exception masks varying, against the host CPU.
 */
class SseFpEdgeTest implements DirectedCases {
    static final String[] OPS = {"add", "sub", "mul", "div", "min", "max", "sqrt", "cmp%s xmm1, xmm2, 2#", "comi", "ucomi"};

    @Override
    public List<HostCase> cases() {
        List<String> snippets = new ArrayList<>();
        for (String w : new String[] {"ss", "sd"})
            for (String op : OPS)
                snippets.add("ldmxcsr [rbx]\n" + (op.contains("%s") ? String.format(op, w).replace("#", "") : op + w + " xmm1, xmm2"));
        List<byte[]> code = Gas.assemble(snippets);
        SseFpCases g = new SseFpCases(0xED6E);
        List<HostCase> out = new ArrayList<>();
        for (int s = 0; s < snippets.size(); s++) {
            boolean single = s < OPS.length;
            long[] edge = single ? EDGE32 : EDGE64;
            for (int x = 0; x < edge.length; x++) {
                for (int y = 0; y < edge.length; y++) {
                    int rc = (x + y + s) & 3;
                    int mxcsr = (g.mxcsr(6) & ~(3 << 13)) | rc << 13;
                    HostCase c = g.make(code.get(s), single ? F32 : F64, mxcsr);
                    HostState st = c.state();
                    long a = edge[x], b = edge[y];
                    st = st.withXmm(1, single ? (st.xmmLo(1) & ~0xFFFFFFFFL) | a : a, st.xmmHi(1))
                            .withXmm(2, single ? (st.xmmLo(2) & ~0xFFFFFFFFL) | b : b, st.xmmHi(2));
                    out.add(new HostCase(st, c.code()));
                }
            }
        }
        return out;
    }

    @Test
    void matchesHost() {
        SseFpCheck.assertMatchesHost(cases());
    }
}
