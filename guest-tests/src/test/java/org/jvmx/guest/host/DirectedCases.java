package org.jvmx.guest.host;

import java.util.List;

/**
 * A directed semantics test: its cases (code plus input state), checked by
 * {@link Differential#check} against the host CPU in both tiers. The few instructions the host
 * cannot run contained (SYSCALL enters the host kernel; VMCALL and CPUID answer for the host's
 * hypervisor and model) are checked in jvmx, in both tiers, against the results the SDM states. The ISA coverage table counts
 * a mnemonic as tested when it appears in the code of some class's cases.
 */
public interface DirectedCases {
    List<HostCase> cases();

    /** Fails with the first few mismatch reports, if any. */
    static void assertMatchesHost(List<HostCase> cases) {
        List<String> reports = Differential.check(cases);
        if (!reports.isEmpty()) {
            throw new AssertionError(reports.size() + " of " + cases.size() + " cases differ from the host CPU; first:\n"
                    + String.join("\n", reports.subList(0, Math.min(3, reports.size()))));
        }
    }
}
