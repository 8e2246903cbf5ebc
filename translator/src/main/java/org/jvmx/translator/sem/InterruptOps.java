package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.decoder.Mnemonic;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Rflags;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.DescriptorTables;
import org.jvmx.translator.exec.Isa;
import org.jvmx.translator.mem.GuestFault;

/**
 * Software interrupts and the return from interrupts: INT n leaves the run loop
 * like an exception, for the loop's owner to deliver through the IDT as a software interrupt
 * ({@link Interrupts}, as for faults and INT3); IRET/IRETD/IRETQ pop RIP, CS, RFLAGS, RSP and SS with
 * the checks of SDM Vol. 2A "IRET/IRETD/IRETQ" (IA-32e mode), returning to the same or an
 * outer privilege level; outside IA-32e mode IRET is {@link LegacyIret}. Every value is read
 * and checked before anything changes, so a fault leaves the state of the IRET intact.
 */
public final class InterruptOps {
    private InterruptOps() {
    }

    public static void install(Isa.Installer in) {
        in.put(Mnemonic.INT, (c, i) -> {
            throw GuestFault.softwareInterrupt((int) i.immediate(0) & 0xFF, i.nextIp());
        });
        in.put(Mnemonic.IRET, InterruptOps::iret);
        in.put(Mnemonic.IRETD, InterruptOps::iret);
        in.put(Mnemonic.IRETQ, InterruptOps::iret);
    }

    /** RFLAGS bits IRET may load at CPL 0 (VM is 0 in IA-32e mode; bit 1 is fixed). */
    private static final long LOADABLE = Rflags.CF | Rflags.PF | Rflags.AF | Rflags.ZF | Rflags.SF | Rflags.TF
            | Rflags.IF | Rflags.DF | Rflags.OF | Rflags.IOPL | Rflags.NT | Rflags.RF | Rflags.AC | Rflags.VIF
            | Rflags.VIP | Rflags.ID;

    private static void iret(Cpu c, Instruction i) {
        CpuState s = c.state;
        if (!s.longMode()) {
            LegacyIret.iret(c, i); // real and legacy protected mode; compatibility mode stays below
            return;
        }
        if ((s.rflags() & Rflags.NT) != 0) throw GuestFault.generalProtection(0); // task return: not in IA-32e mode
        int size = i.operandSize() / 8;
        long sp = c.gpr[CpuState.RSP];
        long rip = c.readStack(sp, size);
        int cs = (int) c.readStack(sp + size, size) & 0xFFFF;
        long flags = c.readStack(sp + 2L * size, size);
        long rsp = c.readStack(sp + 3L * size, size);
        int ss = (int) c.readStack(sp + 4L * size, size) & 0xFFFF;
        int cpl = s.cpl();

        // The return code segment (IRET "PROTECTED-MODE-RETURN").
        if ((cs & ~3) == 0) throw GuestFault.generalProtection(0);
        int rpl = cs & 3;
        if (rpl < cpl) throw GuestFault.generalProtection(cs & 0xFFFC);
        long csAddr = descriptorAddress(c, cs);
        long csDesc = descriptor(c, cs);
        int csAr = SegmentRegister.descriptorAccessRights(csDesc);
        boolean code = (csAr & SegmentRegister.AR_S) != 0 && (csAr & 8) != 0;
        int csDpl = (csAr >>> 5) & 3;
        boolean conforming = (csAr & 4) != 0;
        if (!code || (conforming ? csDpl > rpl : csDpl != rpl)) throw GuestFault.generalProtection(cs & 0xFFFC);
        if ((csAr & SegmentRegister.AR_L) != 0 && (csAr & SegmentRegister.AR_DB) != 0) {
            throw GuestFault.generalProtection(cs & 0xFFFC);
        }
        if ((csAr & SegmentRegister.AR_P) == 0) throw new GuestFault(GuestFault.NP, cs & 0xFFFC, "#NP: IRET code segment");
        boolean to64 = (csAr & SegmentRegister.AR_L) != 0;
        if (to64 && (rip << 16 >> 16) != rip) throw GuestFault.generalProtection(0);
        if (!to64) rip &= 0xFFFF_FFFFL;

        // The stack segment: in IA-32e mode IRET always pops SS:RSP. A null SS is allowed when
        // returning to 64-bit code at CPL < 3.
        long ssDesc = 0, ssAddr = 0;
        boolean ssNull = (ss & ~3) == 0;
        if (ssNull) {
            if (!to64 || rpl == 3) throw GuestFault.generalProtection(0);
        } else {
            if ((ss & 3) != rpl) throw GuestFault.generalProtection(ss & 0xFFFC);
            ssAddr = descriptorAddress(c, ss);
            ssDesc = descriptor(c, ss);
            int ar = SegmentRegister.descriptorAccessRights(ssDesc);
            boolean writableData = (ar & SegmentRegister.AR_S) != 0 && (ar & 8) == 0 && (ar & 2) != 0;
            if (!writableData || ((ar >>> 5) & 3) != rpl) throw GuestFault.generalProtection(ss & 0xFFFC);
            if ((ar & SegmentRegister.AR_P) == 0) throw GuestFault.stackFault(ss & 0xFFFC);
        }

        // RFLAGS (IRET "RETURN-TO-SAME/OUTER-PRIVILEGE-LEVEL"): IOPL, VIF, VIP only at CPL 0; IF when CPL <= IOPL.
        long old = s.rflags();
        long mask = LOADABLE;
        if (cpl > 0) mask &= ~(Rflags.IOPL | Rflags.VIF | Rflags.VIP);
        if (cpl > ((old & Rflags.IOPL) >>> 12)) mask &= ~Rflags.IF;
        if (size == 2) mask &= 0xFFFF;

        // Commit.
        s.cs.loadDescriptor(cs, c.markDescriptorAccessed(csAddr, csDesc));
        if (ssNull) s.ss.loadNull(ss);
        else s.ss.loadDescriptor(ss, c.markDescriptorAccessed(ssAddr, ssDesc));
        c.gpr[CpuState.RSP] = rsp;
        s.rip = rip;
        s.setRflags((old & ~mask) | (flags & mask) | 2);
        if ((s.rflags() & Rflags.IF) != 0) c.interruptFlagSet((old & Rflags.IF) == 0, false);
        if (rpl > cpl) {
            // Returning outward: data segments the new level may not use become null (IRET, "RETURN-TO-OUTER").
            for (SegmentRegister r : new SegmentRegister[] {s.es, s.ds, s.fs, s.gs}) {
                boolean dataOrNonConforming = (r.type() & 8) == 0 || (r.type() & 4) == 0;
                if (!r.s() || dataOrNonConforming && r.dpl() < rpl) {
                    if ((r.vmcsAccessRights() & SegmentRegister.AR_UNUSABLE) == 0) r.loadNull(0);
                }
            }
        }
        s.nmiBlocked = false; // IRET ends blocking by NMI (SDM Vol. 3A, 6.7.1)
        c.refreshMode();
    }

    /**
     * JMP far to a code segment (SDM Vol. 2A JMP, protected mode): the privilege checks, CS
     * loaded with RPL = CPL, and 64-bit mode entered when IA-32e mode is active and the
     * segment's L bit is set (how 32-bit boot code switches into long mode). Call gates and
     * task states are not modelled: #GP(selector).
     */
    static void farJump(Cpu c, org.jvmx.decoder.Instruction i, int selector, long offset) {
        CpuState s = c.state;
        if (!s.protectedMode()) {
            // Real-address mode (SDM JMP): no descriptor, CS.base = selector × 16, the offset
            // truncated to the operand size and checked against the CS limit (#GP(0) past it).
            long ip = i.operandSize() == 16 ? offset & 0xFFFF : offset & 0xFFFF_FFFFL;
            if (ip > s.cs.limitUnsigned()) throw GuestFault.generalProtection(0);
            s.cs.loadReal(selector);
            s.rip = ip;
            c.refreshMode();
            return;
        }
        if ((selector & ~3) == 0) throw GuestFault.generalProtection(0);
        long addr = descriptorAddress(c, selector);
        long d = descriptor(c, selector);
        int ar = SegmentRegister.descriptorAccessRights(d);
        int err = selector & 0xFFFC;
        int type = ar & 0xF;
        boolean system = (ar & SegmentRegister.AR_S) == 0;
        if (system && !s.mode64() && (type == 5 || type == 9 || type == 0xB)) {
            c.sensitive.taskSwitch(c, i, selector, 2); // a TSS or task gate: a task switch
            return;
        }
        boolean code = (ar & SegmentRegister.AR_S) != 0 && (ar & 8) != 0;
        if (!code) throw GuestFault.generalProtection(err);
        int dpl = (ar >>> 5) & 3, rpl = selector & 3, cpl = s.cpl();
        if ((ar & 4) != 0 ? dpl > cpl : rpl > cpl || dpl != cpl) throw GuestFault.generalProtection(err);
        if ((ar & SegmentRegister.AR_P) == 0) throw new GuestFault(GuestFault.NP, err, "#NP: JMP far code segment");
        boolean to64 = s.longMode() && (ar & SegmentRegister.AR_L) != 0;
        if (to64 && (ar & SegmentRegister.AR_DB) != 0) throw GuestFault.generalProtection(err);
        long rip = to64 ? offset : offset & 0xFFFF_FFFFL;
        if (to64 && (rip << 16 >> 16) != rip) throw GuestFault.generalProtection(0);
        s.cs.loadDescriptor(selector & ~3 | cpl, c.markDescriptorAccessed(addr, d));
        s.rip = rip;
        c.refreshMode();
    }

    private static long descriptorAddress(Cpu c, int selector) {
        return DescriptorTables.address(c, selector);
    }

    /** The 8-byte descriptor of {@code selector}: #GP(selector) past the table limit or through an unusable LDT. */
    static long descriptor(Cpu c, int selector) {
        if ((selector & 4) != 0 && (c.state.ldtr.vmcsAccessRights() & SegmentRegister.AR_UNUSABLE) != 0) {
            throw GuestFault.generalProtection(selector & 0xFFFC);
        }
        return DescriptorTables.read(c, selector, selector & 0xFFFC);
    }
}
