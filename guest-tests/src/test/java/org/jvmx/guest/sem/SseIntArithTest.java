package org.jvmx.guest.sem;

import static org.jvmx.guest.sem.SseIntInputs.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;

/**
 * SSE2 lane-wise integer arithmetic, compares and logic (xmm1 = op(xmm1, xmm2/m128)) against
 * the host CPU: register forms (including source = destination), aligned m128 forms, and
 * misaligned m128 (#GP(0), SIGSEGV, nothing changed). Inputs are lanes of edge patterns
 * (0, all-ones, 0x80.., 0x7f.., saturation boundaries) and random values.
 */
class SseIntArithTest implements DirectedCases {
    static final String[] MNEMONICS = {
        "paddb", "paddw", "paddd", "paddq", "psubb", "psubw", "psubd", "psubq",
        "paddsb", "paddsw", "paddusb", "paddusw", "psubsb", "psubsw", "psubusb", "psubusw",
        "pmullw", "pmulhw", "pmulhuw", "pmuludq", "pmaddwd", "pavgb", "pavgw",
        "pminub", "pmaxub", "pminsw", "pmaxsw", "psadbw",
        "pcmpeqb", "pcmpeqw", "pcmpeqd", "pcmpgtb", "pcmpgtw", "pcmpgtd",
        "pand", "pandn", "por", "pxor", "andps", "andpd", "andnps", "andnpd", "orps", "orpd", "xorps", "xorpd",
    };

    @Override
    public List<HostCase> cases() {
        SplittableRandom r = new SplittableRandom(0x55E1A);
        List<String> code = new ArrayList<>();
        for (String m : MNEMONICS) {
            for (int k = 0; k < 60; k++) code.add(m + " " + xmm(r) + ", " + xmm(r));
            for (int k = 0; k < 5; k++) {
                String x = xmm(r);
                code.add(m + " " + x + ", " + x);
            }
            for (int k = 0; k < 30; k++) code.add(m + " " + xmm(r) + ", xmmword ptr " + aligned(r));
            for (int k = 0; k < 3; k++) code.add(m + " " + xmm(r) + ", xmmword ptr " + misaligned(r));
            // a chain: results feed the next operation
            code.add(m + " xmm1, xmm2\n" + m + " xmm1, xmm1\n" + m + " xmm3, xmm1");
        }
        // LOCK on an SSE instruction is #UD (SDM Vol. 2, 2.1.1 / each instruction's "#UD If the LOCK prefix is used")
        for (String m : new String[] { "paddb", "pxor", "pcmpeqd" }) code.add(".byte 0xf0\n" + m + " xmm1, xmmword ptr [rbx]");
        return SseIntInputs.cases(code, r);
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
