package org.jvmx.vmx.entry;

import java.util.OptionalLong;
import org.jvmx.translator.exec.BareMetal;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Sensitive;
import org.jvmx.translator.mem.GuestFault;

/**
 * A guest's MSRs for the MSR lists: {@link Sensitive}'s default RDMSR/WRMSR, i.e. exactly what the
 * guest's own instruction does with no hypervisor underneath (the #GP rules of the CPU model, and
 * side effects such as the soft-TLB update after an EFER write). Never {@code c.sensitive}: under
 * VMX that is the hypervisor's implementation, which would turn the access into a VM exit. The
 * defaults do not look at the instruction, hence {@code null}; the #GP they raise is reported as
 * a refusal (a guest fault carries no stack trace, so this costs little).
 */
final class GuestMsrs implements MsrAccess {
    private static final Sensitive BARE = new BareMetal();

    private final Cpu c;

    GuestMsrs(Cpu c) {
        this.c = c;
    }

    @Override
    public OptionalLong read(int msr) {
        try {
            return OptionalLong.of(BARE.rdmsr(c, null, msr));
        } catch (GuestFault f) {
            return OptionalLong.empty();
        }
    }

    @Override
    public boolean write(int msr, long value) {
        try {
            BARE.wrmsr(c, null, msr, value);
            return true;
        } catch (GuestFault f) {
            return false;
        }
    }
}
