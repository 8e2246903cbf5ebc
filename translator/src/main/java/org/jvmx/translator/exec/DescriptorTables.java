package org.jvmx.translator.exec;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.mem.GuestFault;

/**
 * Reading 8-byte segment descriptors from the GDT or LDT as the processor does when it loads a
 * segment register or delivers an event (SDM Vol. 3A, 3.4.2 and 3.5.1): the table is chosen by
 * the selector's TI bit, the index is checked against the table limit, and the read is an
 * implicit supervisor access.
 */
public final class DescriptorTables {
    private DescriptorTables() {
    }

    /** The linear address of {@code selector}'s descriptor. */
    public static long address(Cpu c, int selector) {
        return ((selector & 4) != 0 ? c.state.ldtr.base() : c.state.gdtrBase) + (selector & ~7);
    }

    /** The descriptor of {@code selector}; #GP({@code error}) past the table limit, #GP(0) at a non-canonical address. */
    public static long read(Cpu c, int selector, int error) {
        CpuState s = c.state;
        long limit = (selector & 4) != 0 ? s.ldtr.limitUnsigned() : s.gdtrLimit & 0xFFFFL;
        if ((selector & ~7) + 7 > limit) throw GuestFault.generalProtection(error);
        long a = address(c, selector);
        if ((a << 16 >> 16) != a) throw GuestFault.generalProtection(0);
        return c.memory.read(a, 8, false);
    }
}
