package org.jvmx.guest.sem;

import static org.jvmx.guest.sem.SseIntInputs.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;
import org.jvmx.translator.exec.Isa;

/**
 * The SSE2 scalar move MOVSD (F2 0F 10/11) against the host CPU: register to register (only
 * the low quadword replaced, both encodings), load (zero-extends), store (8 bytes, no
 * alignment). The mnemonic is shared with the string move, whose group dispatches the XMM
 * forms to {@code SseIntegerOps.movsdXmm}; until that group is installed the test is skipped.
 */
class SseMoveSdTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        SplittableRandom r = new SplittableRandom(0x3D);
        List<String> code = new ArrayList<>();
        for (int k = 0; k < 40; k++) {
            code.add("movsd " + xmm(r) + ", " + xmm(r));
            code.add("{store} movsd " + xmm(r) + ", " + xmm(r));
            code.add("movsd " + xmm(r) + ", qword ptr [rbx+" + r.nextInt(240) + "]");
            code.add("movsd qword ptr [rbx+" + r.nextInt(240) + "], " + xmm(r));
        }
        return SseIntInputs.cases(code, r);
    }

    @Test
    void matchesHost() {
        Assumptions.assumeTrue(Isa.implemented(Mnemonic.MOVSD), "MOVSD (string group) not installed yet");
        DirectedCases.assertMatchesHost(cases());
    }
}
