package org.jvmx.guest.sem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.jvmx.guest.host.DirectedCases;
import org.jvmx.guest.host.Gas;
import org.jvmx.guest.host.HostCase;
import org.jvmx.guest.host.HostCpu;
import org.jvmx.guest.host.HostState;

/**
 * Sensitive instructions whose results belong to the machine (CPUID's model, the TSC, the
 * descriptor-table registers, the FS/GS bases of the host thread): against the host, each runs
 * (or faults) as natively and the machine-specific results are cleared by the snippet, so
 * what is compared is the instruction's shape (length, fault or not, which registers it
 * writes, flags untouched). What the values must be is checked in jvmx by
 * {@code SensitiveSemanticsTest} and the translator's {@code EngineTest}.
 */
class SensitiveOpsTest implements DirectedCases {
    static final String CLEAR = "xor eax, eax\nxor ecx, ecx\nxor edx, edx\nxor ebx, ebx\n";

    @Override
    public List<HostCase> cases() {
        List<String> code = new ArrayList<>();
        for (int leaf : new int[] {0, 1, 7, 0x80000000, 0x80000001}) code.add("mov eax, " + leaf + "\ncpuid\n" + CLEAR);
        code.add("rdtsc\nmov r8, rax\nrdtsc\n" + CLEAR + "xor r8d, r8d\n");
        code.add("rdtscp\n" + CLEAR);
        code.add("rdpmc\n");
        code.add("monitor rax, ecx, edx\n");
        code.add("mwait eax, ecx\n");
        code.add("getsec\n");
        code.add("sgdt [rbx]\nmov qword ptr [rbx], 0\nmov qword ptr [rbx+8], 0\n");
        code.add("sidt [rbx]\nmov qword ptr [rbx], 0\nmov qword ptr [rbx+8], 0\n");
        code.add("sldt ax\nxor eax, eax\n");
        code.add("str ax\nxor eax, eax\n");
        code.add("smsw rax\nxor eax, eax\n");
        code.add("rdfsbase rax\nrdgsbase rcx\n" + CLEAR);
        code.add("rdfsbase r8\nwrfsbase rax\nrdfsbase rcx\nwrfsbase r8\nxor r8d, r8d\n");
        code.add("rdgsbase r8\nwrgsbase rax\nrdgsbase rcx\nwrgsbase r8\nxor r8d, r8d\n");
        code.add("wrfsbase rdx\n"); // non-canonical: #GP
        HostState s = HostState.initial().withGpr(HostState.RBX, HostCpu.SCRATCH_BASE + 0x100)
                .withGpr(HostState.RAX, 0x1234_5678_9000L).withGpr(HostState.RDX, 0x8000_0000_0000_0000L)
                .withRflags(HostState.CF | HostState.ZF | HostState.OF);
        List<HostCase> cases = new ArrayList<>();
        for (byte[] b : Gas.assemble(code)) cases.add(new HostCase(s, b));
        return cases;
    }

    @Test
    void matchesHost() {
        DirectedCases.assertMatchesHost(cases());
    }
}
