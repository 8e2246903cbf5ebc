package org.jvmx.vmx.entry;

import java.util.OptionalLong;
import org.jvmx.translator.exec.Cpu;

/**
 * RDMSR and WRMSR at CPL 0 as the MSR lists need them (SDM Vol. 3C 27.4, 28.4, 28.6: "as they
 * would be read by RDMSR", "as they would be written by WRMSR"): a refused access is reported,
 * not raised, and leaves the MSR unchanged.
 */
public interface MsrAccess {
    /** RDMSR: the value, or empty where RDMSR at CPL 0 would raise #GP. */
    OptionalLong read(int msr);

    /** WRMSR: true when written; false where WRMSR at CPL 0 would raise #GP (nothing changed then). */
    boolean write(int msr, long value);

    /**
     * The guest's MSRs in {@code c}, through the very code the guest's own RDMSR/WRMSR runs with no
     * hypervisor underneath (package-private {@code GuestMsrs}).
     */
    static MsrAccess guest(Cpu c) {
        return new GuestMsrs(c);
    }
}
