package org.jvmx.guest.sem;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostState;

/**
 * FXSAVE/FXRSTOR (both layouts) against the host: the image's control words, MXCSR and XMM
 * registers, a round trip through memory with changed MXCSR and XMM values, #GP on a misaligned
 * image and on reserved MXCSR bits. The host-specific parts of the image (MXCSR_MASK, which
 * reports the host's own MXCSR features, and the x87 register bytes, which hold whatever the
 * host's FPU last had) are cleared by the snippet before the comparison.
 */
class FxsaveTest implements DirectedCases {
    static final String SCRUB = "mov dword ptr [rbx+28], 0\nlea rdi, [rbx+32]\nmov ecx, 128\nxor eax, eax\nrep stosb\n"
            + "lea rdi, [rbx+416]\nmov ecx, 96\nrep stosb\n";

    @Override
    public List<HostCase> cases() {
        Random rnd = new Random(5);
        List<String> code = new ArrayList<>();
        code.add("fxsave [rbx]\n" + SCRUB);
        code.add("fxsave64 [rbx]\n" + SCRUB);
        code.add("fxsave [rbx]\nmov dword ptr [rbx+24], 0x7f80\nmovdqa xmm3, [rbx+160]\npcmpeqb xmm0, xmm0\n"
                + "movdqa [rbx+160], xmm0\nfxrstor [rbx]\nstmxcsr [rbx+512]\n" + SCRUB);
        code.add("fxsave64 [rbx]\nmov dword ptr [rbx+24], 0x1f80\nfxrstor64 [rbx]\n" + SCRUB);
        code.add("fxsave [rbx+8]\n");
        code.add("fxrstor [rbx+8]\n");
        code.add("fxsave [rbx]\n" + SCRUB + "mov dword ptr [rbx+24], 0x10000\nfxrstor [rbx]\n");
        HostState s = HostState.initial().withGpr(HostState.RBX, HostCpu.SCRATCH_BASE + 0x200);
        for (int x = 0; x < 16; x++) s = s.withXmm(x, rnd.nextLong(), rnd.nextLong());
        List<byte[]> bytes = Gas.assemble(code);
        List<HostCase> cases = new ArrayList<>();
        for (byte[] b : bytes) {
            cases.add(new HostCase(s, b));
            cases.add(new HostCase(s.withMxcsr(0x7f80 | 0x3d), b));
        }
        return cases;
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
