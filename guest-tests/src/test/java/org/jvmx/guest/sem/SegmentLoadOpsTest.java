package org.jvmx.guest.sem;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostState;

/**
 * LSS, LFS and LGS in 64-bit mode at CPL 3 against the host, on what a user program can reach
 * without descriptors of its own (SDM Vol. 2 "LDS/LES/LFS/LGS/LSS", 64-bit mode): the far
 * pointer's layout (m16:16 and m16:32: the selector follows an offset of the operand size, so
 * placing the offset at the end of the mapped scratch area makes the selector read fault at the
 * first unmapped byte; m16:64 with REX.W is left out, as AMD hosts ignore REX.W there), a null selector into SS (#GP(0)) and an SS
 * selector whose RPL is not CPL (#GP(selector)). The destination register stays unchanged.
 * Which descriptors load, and all the checks outside 64-bit mode, are tested in jvmx by the
 * translator's {@code SegmentLoadTest} and {@code SegmentLimitTest}.
 */
class SegmentLoadOpsTest implements DirectedCases {
    @Override
    public List<HostCase> cases() {
        List<String> code = new ArrayList<>();
        for (String op : new String[] {"lss", "lfs", "lgs"}) {
            code.add(op + " eax, [rsi-4]"); // m16:32: the selector is the first unmapped word
            code.add(op + " ax, [rsi-2]");  // m16:16
            code.add(op + " eax, [rsi-5]"); // the selector's second byte unmapped
            code.add(op + " ax, [rsi-3]");
        }
        code.add("lss eax, [rbx]");     // a null selector for SS at CPL 3: #GP(0)
        code.add("lss eax, [rbx+8]");   // RPL 0 at CPL 3: #GP(selector)
        code.add("lss ax, [rbx+16]");
        byte[] scratch = new byte[HostCpu.SCRATCH_SIZE];
        int at = 0x100;
        put(scratch, at, 4, 0x1111_2222L);
        put(scratch, at + 4, 2, 0);
        put(scratch, at + 8, 4, 0x3333_4444L);
        put(scratch, at + 12, 2, 0x0010);
        put(scratch, at + 16, 2, 0x5555);
        put(scratch, at + 18, 2, 0x0028);
        HostState s = HostState.initial().withGpr(HostState.RBX, HostCpu.SCRATCH_BASE + at)
                .withGpr(HostState.RSI, HostCpu.SCRATCH_BASE + HostCpu.SCRATCH_SIZE)
                .withGpr(HostState.RAX, 0x0123_4567_89AB_CDEFL).withGpr(HostState.RCX, 0x1357_9BDF_0246_8ACEL)
                .withScratch(scratch);
        List<HostCase> cases = new ArrayList<>();
        for (byte[] b : Gas.assemble(code)) cases.add(new HostCase(s, b));
        return cases;
    }

    private static void put(byte[] b, int at, int n, long v) {
        for (int k = 0; k < n; k++) b[at + k] = (byte) (v >>> (8 * k));
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
