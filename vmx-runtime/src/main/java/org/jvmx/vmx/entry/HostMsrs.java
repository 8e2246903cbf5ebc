package org.jvmx.vmx.entry;

import java.util.OptionalLong;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Msr;

/**
 * The MSRs of one physical core's host (the VMX root side that a VM exit returns to). jvmx's
 * host is modelled, not real, so the VM-exit MSR-load list (SDM Vol. 3C, 28.6) loads into this
 * object. It holds the same MSRs as a guest {@link CpuState} and refuses the same WRMSR values
 * (unknown MSR, non-canonical bases, reserved EFER/PAT/APIC-base bits, ...), for a 64-bit host
 * with paging on (CR0.PE = CR0.PG = 1, EFER.LME = EFER.LMA = 1), which is what a VM exit to a
 * host with "host address-space size" = 1 establishes (28.5.1).
 *
 * <p>One instance per worker thread (core); not thread-safe.
 */
public final class HostMsrs implements MsrAccess {
    /** Only the MSR storage and the WRMSR checks of this state are used. */
    private final CpuState msrs = new CpuState();

    public HostMsrs() {
        msrs.cr0 = CpuState.CR0_PE | CpuState.CR0_ET | CpuState.CR0_NE | CpuState.CR0_PG;
        msrs.cr4 = CpuState.CR4_PAE;
        msrs.efer = Msr.EFER_SCE | Msr.EFER_LME | Msr.EFER_LMA | Msr.EFER_NXE;
    }

    /** RDMSR of the host MSR {@code msr}: empty where RDMSR would raise #GP (not modelled). */
    public OptionalLong get(int msr) {
        return msrs.readMsr(msr);
    }

    /** WRMSR of the host MSR: false (and nothing changed) where WRMSR would raise #GP. */
    public boolean set(int msr, long value) {
        return msrs.writeMsr(msr, value);
    }

    @Override
    public OptionalLong read(int msr) {
        return get(msr);
    }

    @Override
    public boolean write(int msr, long value) {
        return set(msr, value);
    }
}
