package org.jvmx.guest.sem;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostState;

/**
 * RDRAND and RDSEED against the host: the random value itself is erased by the case (so the
 * comparison covers the operand size, the zero-extension of 32-bit results, the merge of
 * 16-bit ones and the cleared OF/SF/ZF/AF/PF), and CF too because a hardware generator may
 * report "not ready" at any time (SDM Vol. 2B, RDRAND/RDSEED).
 */
class RandomNumberTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        List<String> code = new ArrayList<>();
        for (String m : new String[] {"rdrand", "rdseed"}) {
            code.add(m + " cx\nmov cx, 0\nclc\n");
            code.add(m + " ecx\npushfq\nshr rcx, 32\npopfq\nclc\n");
            code.add(m + " rcx\nmov rcx, 0\nclc\n");
            code.add(m + " r9\nmov r9, 0\nclc\n");
            code.add(m + " r10w\nmov r10w, 0\nclc\n");
        }
        List<HostCase> cases = new ArrayList<>();
        for (long flags : new long[] {0x202, 0x202 | 0x8D5}) {
            HostState s = HostState.initial().withGpr(HostState.RCX, -1).withGpr(9, -1).withGpr(10, -1)
                    .withRflags(flags);
            for (byte[] b : Gas.assemble(code)) cases.add(new HostCase(s, b));
        }
        return cases;
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
