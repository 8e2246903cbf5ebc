package org.jvmx.guest.sem;

import java.util.List;
import java.util.SplittableRandom;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostState;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostResult;
import org.jvmx.guest.host.JvmxCpu;
import org.jvmx.translator.exec.Engine;
import org.junit.jupiter.api.Test;

/**
 * SSSE3 on XMM registers against the host CPU: every mnemonic in register and memory forms over
 * edge-rich random lanes, PALIGNR over every shift class, misaligned memory operands (#GP).
 */
class Ssse3OpsTest implements DirectedCases {
    private static final List<String> BINARY = List.of("pabsb", "pabsw", "pabsd", "phaddw", "phaddd", "phaddsw",
            "phsubw", "phsubd", "phsubsw", "pmaddubsw", "pmulhrsw", "pshufb", "psignb", "psignw", "psignd");

    @Override
    public List<HostCase> cases() {
        SplittableRandom r = new SplittableRandom(0x55E3);
        Ssse3Cases b = new Ssse3Cases();
        for (String op : BINARY) b.vectorForms(r, op, "", 150, true);
        for (int imm : new int[] {0, 1, 2, 3, 4, 7, 8, 9, 12, 15, 16, 17, 20, 24, 31, 32, 33, 48, 127, 128, 255})
            b.vectorForms(r, "palignr", Integer.toString(imm), 8, imm == 5);
        b.vectorForms(r, "palignr", "5", 8, true);
        // Saturation corners of the horizontal and multiply-add forms.
        for (String op : List.of("phaddsw", "phsubsw", "pmaddubsw", "pmulhrsw")) {
            for (long v : new long[] {0x7fff_7fff_7fff_7fffL, 0x8000_8000_8000_8000L, 0x8000_7fff_8000_7fffL, 0xffff_ffff_ffff_ffffL})
                for (long w : new long[] {0x7fff_7fff_7fff_7fffL, 0x8000_8000_8000_8000L, 0x0001_ffff_8000_7fffL, 0x8080_8080_7f7f_7f7fL})
                    b.add(op + " xmm1, xmm2", HostState.initial().withXmm(1, v, w).withXmm(2, w, v));
        }
        return b.build();
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
