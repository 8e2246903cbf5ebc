package org.jvmx.translator.sem;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.mem.GuestFault;

/** Loading a data or stack segment register in protected/64-bit mode (SDM Vol. 3A, 3.4.3, 5.5-5.7; MOV). */
final class Segments {
    private Segments() {
    }

    static void load(Cpu c, int reg, int selector) {
        CpuState s = c.state;
        if (reg == CpuState.CS) throw org.jvmx.translator.mem.GuestFault.invalidOpcode("MOV CS");
        SegmentRegister r = s.seg[reg];
        int cpl = s.cpl();
        if ((selector & ~3) == 0) {
            // A null selector: allowed for DS, ES, FS, GS; for SS only in 64-bit mode at CPL < 3.
            if (reg == CpuState.SS && (cpl == 3 || !s.mode64() || (selector & 3) != cpl)) {
                throw GuestFault.generalProtection(0);
            }
            r.loadNull(selector);
            return;
        }
        boolean ldt = (selector & 4) != 0;
        long tableBase = ldt ? s.ldtr.base() : s.gdtrBase;
        long tableLimit = ldt ? s.ldtr.limitUnsigned() : s.gdtrLimit & 0xFFFFL;
        int index = selector & ~7;
        int err = selector & 0xFFFC;
        if (index + 7 > tableLimit) throw GuestFault.generalProtection(err);
        long d = c.read(tableBase + index, 8);
        int ar = SegmentRegister.descriptorAccessRights(d);
        boolean system = (ar & SegmentRegister.AR_S) == 0;
        int type = ar & 0xF;
        int dpl = (ar >>> 5) & 3;
        int rpl = selector & 3;
        boolean code = (type & 8) != 0;
        if (reg == CpuState.SS) {
            if (system || code || (type & 2) == 0 || rpl != cpl || dpl != cpl) throw GuestFault.generalProtection(err);
            if ((ar & SegmentRegister.AR_P) == 0) throw GuestFault.stackFault(err);
        } else {
            if (system || (code && (type & 2) == 0)) throw GuestFault.generalProtection(err);
            boolean conforming = code && (type & 4) != 0;
            if (!conforming && (rpl > dpl || cpl > dpl)) throw GuestFault.generalProtection(err);
            if ((ar & SegmentRegister.AR_P) == 0) throw new GuestFault(GuestFault.NP, err, "#NP(" + err + ")");
        }
        r.loadDescriptor(selector, c.markDescriptorAccessed(tableBase + index, d));
    }
}
