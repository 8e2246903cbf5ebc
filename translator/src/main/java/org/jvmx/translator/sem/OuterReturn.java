package org.jvmx.translator.sem;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.DescriptorTables;
import org.jvmx.translator.mem.GuestFault;

/**
 * What IRET and RETF share when they return to an outer privilege level (SDM Vol. 2A IRET and
 * Vol. 2B RET, "RETURN-TO-OUTER-PRIVILEGE-LEVEL"): the checks of the stack segment popped from
 * the inner stack, and the data segments the outer level may not use becoming null.
 */
final class OuterReturn {
    private OuterReturn() {
    }

    /**
     * The descriptor of non-null stack selector {@code ss} for a return to privilege {@code rpl},
     * checked: RPL and DPL equal to {@code rpl} and a writable data segment, else #GP(selector);
     * not present → #SS(selector). Returns {linear address of the descriptor, descriptor}.
     */
    static long[] stackSegment(Cpu c, int ss, int rpl) {
        long addr = DescriptorTables.address(c, ss) & 0xFFFF_FFFFL;
        long desc = InterruptOps.descriptor(c, ss);
        int ar = SegmentRegister.descriptorAccessRights(desc);
        boolean writableData = (ar & SegmentRegister.AR_S) != 0 && (ar & 8) == 0 && (ar & 2) != 0;
        if ((ss & 3) != rpl || !writableData || ((ar >>> 5) & 3) != rpl) throw GuestFault.generalProtection(ss & 0xFFFC);
        if ((ar & SegmentRegister.AR_P) == 0) throw GuestFault.stackFault(ss & 0xFFFC);
        return new long[] {addr, desc};
    }

    /** ES, DS, FS, GS that privilege {@code rpl} may not use (null, system, or data/non-conforming code with DPL < rpl) become null. */
    static void nullDataSegments(CpuState s, int rpl) {
        for (SegmentRegister r : new SegmentRegister[] {s.es, s.ds, s.fs, s.gs}) {
            boolean dataOrNonConforming = (r.type() & 8) == 0 || (r.type() & 4) == 0;
            if ((r.selector() & ~3) == 0 || !r.s() || dataOrNonConforming && r.dpl() < rpl) {
                if (!r.unusable()) r.loadNull(0);
            }
        }
    }
}
