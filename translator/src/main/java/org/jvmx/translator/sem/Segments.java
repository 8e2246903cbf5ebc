package org.jvmx.translator.sem;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.DescriptorTables;
import org.jvmx.translator.mem.GuestFault;

/**
 * Loading a data or stack segment register (MOV Sreg, POP Sreg, LDS/LES/LFS/LGS/LSS) as SDM
 * Vol. 2 "MOV—Move" (Operation, protected mode) and Vol. 3A, 3.4.3, 5.5-5.7 define it. All
 * checks come before the register changes:
 * <ul>
 * <li>a null selector: allowed for DS, ES, FS, GS (the register becomes unusable and any access
 * through it is #GP(0)); for SS only in 64-bit mode with CPL &lt; 3 and RPL = CPL, else #GP(0);
 * <li>the index beyond the GDT or LDT limit, or TI = 1 with an unusable LDTR: #GP(selector);
 * <li>SS: RPL = CPL, a writable data segment, DPL = CPL, else #GP(selector); not present: #SS(selector);
 * <li>DS, ES, FS, GS: a data or readable code segment, and unless conforming code RPL &lt;= DPL and
 * CPL &lt;= DPL, else #GP(selector); not present: #NP(selector).
 * </ul>
 * In real-address mode only the selector and base (selector × 16) change; in virtual-8086 mode
 * the limit becomes FFFFH and the rights those of a present read/write data segment at DPL 3.
 */
final class Segments {
    private Segments() {
    }

    static void load(Cpu c, int reg, int selector) {
        CpuState s = c.state;
        if (reg == CpuState.CS) throw GuestFault.invalidOpcode("MOV CS");
        SegmentRegister r = s.seg[reg];
        selector &= 0xFFFF;
        if (!s.protectedMode()) {
            r.loadReal(selector);
            return;
        }
        if (s.virtual8086()) {
            r.set(selector, (long) selector << 4, 0xFFFF, 0xF3);
            return;
        }
        int cpl = s.cpl();
        if ((selector & ~3) == 0) {
            if (reg == CpuState.SS && (cpl == 3 || !s.mode64() || (selector & 3) != cpl)) {
                throw GuestFault.generalProtection(0);
            }
            r.loadNull(selector);
            return;
        }
        int err = selector & 0xFFFC;
        // SS needs RPL = CPL whatever the descriptor says: checked before the table is read.
        if (reg == CpuState.SS && (selector & 3) != cpl) throw GuestFault.generalProtection(err);
        if ((selector & 4) != 0 && s.ldtr.unusable()) throw GuestFault.generalProtection(err);
        // An implicit supervisor read, #GP(selector) past the table limit.
        long d = DescriptorTables.read(c, selector, err);
        int ar = SegmentRegister.descriptorAccessRights(d);
        boolean system = (ar & SegmentRegister.AR_S) == 0;
        int type = ar & 0xF;
        int dpl = (ar >>> 5) & 3;
        int rpl = selector & 3;
        boolean code = (type & 8) != 0;
        if (reg == CpuState.SS) {
            if (system || code || (type & 2) == 0 || dpl != cpl) throw GuestFault.generalProtection(err);
            if ((ar & SegmentRegister.AR_P) == 0) throw GuestFault.stackFault(err);
        } else {
            if (system || (code && (type & 2) == 0)) throw GuestFault.generalProtection(err);
            boolean conforming = code && (type & 4) != 0;
            if (!conforming && (rpl > dpl || cpl > dpl)) throw GuestFault.generalProtection(err);
            if ((ar & SegmentRegister.AR_P) == 0) throw new GuestFault(GuestFault.NP, err, "#NP(" + err + ")");
        }
        r.loadDescriptor(selector, c.markDescriptorAccessed(DescriptorTables.address(c, selector), d));
    }
}
