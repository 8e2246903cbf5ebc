package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Rflags;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.DescriptorTables;
import org.jvmx.translator.mem.GuestFault;

/**
 * IRET/IRETD outside IA-32e mode (SDM Vol. 2A "IRET/IRETD/IRETQ": REAL-ADDRESS-MODE and
 * PROTECTED-MODE): pops EIP, CS, EFLAGS (16- or 32-bit by operand size) and, returning to an
 * outer privilege level, ESP and SS, with the code and stack segment checks; data segments the
 * outer level may not use become null. NT = 1 is a task return through the task-switch hook
 * (source 1, the back link of the current TSS); a return to virtual-8086 mode is not modelled
 * (#GP(0), counted as unimplemented). Every value is read and checked before anything changes.
 */
final class LegacyIret {
    private LegacyIret() {
    }

    /** EFLAGS bits any IRET may load (IRET: CF, PF, AF, ZF, SF, TF, DF, OF, NT; RF, AC, ID at 32 bits). */
    private static final long BASE = Rflags.CF | Rflags.PF | Rflags.AF | Rflags.ZF | Rflags.SF | Rflags.TF
            | Rflags.DF | Rflags.OF | Rflags.NT;
    private static final long WIDE = Rflags.RF | Rflags.AC | Rflags.ID;

    static void iret(Cpu c, Instruction i) {
        CpuState s = c.state;
        int size = i.operandSize() / 8;
        if (!s.protectedMode()) {
            realMode(c, size);
            return;
        }
        long old = s.rflags();
        if ((old & Rflags.NT) != 0) {
            // TASK-RETURN: back to the task in the current TSS's previous-task link (SDM Vol. 3A, 7.4).
            int link = (int) c.memory.read(s.tr.base() & 0xFFFF_FFFFL, 2, false);
            c.sensitive.taskSwitch(c, i, link, 1);
            return;
        }
        long ssBase = s.ss.base();
        long spMask = s.ss.db() ? 0xFFFF_FFFFL : 0xFFFFL;
        long sp = c.gpr[CpuState.RSP];
        long eip = pop(c, ssBase, sp, 0, size, spMask);
        int cs = (int) pop(c, ssBase, sp, 1, size, spMask) & 0xFFFF;
        long flags = pop(c, ssBase, sp, 2, size, spMask);
        int cpl = s.cpl();
        if (size == 4 && (flags & Rflags.VM) != 0 && cpl == 0) {
            c.stats.unimplemented(i.mnemonicId());
            throw new GuestFault(GuestFault.GP, 0, "IRET to virtual-8086 mode is not supported");
        }

        // PROTECTED-MODE-RETURN: the return code segment.
        if ((cs & ~3) == 0) throw GuestFault.generalProtection(0);
        long csAddr = DescriptorTables.address(c, cs) & 0xFFFF_FFFFL;
        long csDesc = InterruptOps.descriptor(c, cs);
        int csAr = SegmentRegister.descriptorAccessRights(csDesc);
        boolean code = (csAr & SegmentRegister.AR_S) != 0 && (csAr & 8) != 0;
        int rpl = cs & 3;
        int csDpl = (csAr >>> 5) & 3;
        boolean conforming = (csAr & 4) != 0;
        if (!code || rpl < cpl || (conforming ? csDpl > rpl : csDpl != rpl)) throw GuestFault.generalProtection(cs & 0xFFFC);
        if ((csAr & SegmentRegister.AR_P) == 0) throw new GuestFault(GuestFault.NP, cs & 0xFFFC, "#NP: IRET code segment");
        boolean outer = rpl > cpl;

        // RETURN-TO-OUTER-PRIVILEGE-LEVEL: ESP and SS follow on the stack.
        long esp = 0, ssDesc = 0, ssAddr = 0;
        int ss = 0;
        if (outer) {
            esp = pop(c, ssBase, sp, 3, size, spMask);
            ss = (int) pop(c, ssBase, sp, 4, size, spMask) & 0xFFFF;
            if ((ss & ~3) == 0) throw GuestFault.generalProtection(0);
            long[] d = OuterReturn.stackSegment(c, ss, rpl);
            ssAddr = d[0];
            ssDesc = d[1];
        }
        if (eip > Integer.toUnsignedLong(SegmentRegister.descriptorLimit(csDesc))) throw GuestFault.generalProtection(0);

        // EFLAGS: IF when CPL <= IOPL, IOPL (and VIF, VIP at 32 bits) at CPL 0; the old CPL decides.
        long mask = BASE | (size == 4 ? WIDE : 0);
        if (cpl <= ((old & Rflags.IOPL) >>> 12)) mask |= Rflags.IF;
        if (cpl == 0) mask |= Rflags.IOPL | (size == 4 ? Rflags.VIF | Rflags.VIP : 0);

        // Commit.
        s.cs.loadDescriptor(cs, c.markDescriptorAccessed(csAddr, csDesc));
        s.rip = eip;
        if (outer) {
            s.ss.loadDescriptor(ss, c.markDescriptorAccessed(ssAddr, ssDesc));
            c.gpr[CpuState.RSP] = s.ss.db() ? esp & 0xFFFF_FFFFL : (c.gpr[CpuState.RSP] & ~0xFFFFL | esp & 0xFFFF) & 0xFFFF_FFFFL;
            OuterReturn.nullDataSegments(s, rpl);
        } else {
            long next = (sp + 3L * size) & spMask;
            c.gpr[CpuState.RSP] = (c.gpr[CpuState.RSP] & ~spMask | next) & 0xFFFF_FFFFL;
        }
        s.setRflags((old & ~mask) | (flags & mask) | Rflags.FIXED1);
        if ((s.rflags() & Rflags.IF) != 0) c.interruptFlagSet((old & Rflags.IF) == 0, false);
        s.nmiBlocked = false; // IRET ends blocking by NMI (SDM Vol. 3A, 6.7.1)
        c.refreshMode();
    }

    /** REAL-ADDRESS-MODE: IP, CS, FLAGS (EIP beyond 0xFFFF is #GP(0)); all of FLAGS but VM, VIF, VIP loads. */
    private static void realMode(Cpu c, int size) {
        CpuState s = c.state;
        long ssBase = s.ss.base();
        long sp = c.gpr[CpuState.RSP];
        long eip = pop(c, ssBase, sp, 0, size, 0xFFFF);
        int cs = (int) pop(c, ssBase, sp, 1, size, 0xFFFF) & 0xFFFF;
        long flags = pop(c, ssBase, sp, 2, size, 0xFFFF);
        if (eip > 0xFFFF) throw GuestFault.generalProtection(0);
        long mask = BASE | Rflags.IF | Rflags.IOPL | (size == 4 ? WIDE : 0);
        long old = s.rflags();
        s.cs.loadReal(cs);
        s.rip = eip;
        c.gpr[CpuState.RSP] = c.gpr[CpuState.RSP] & ~0xFFFFL | ((sp + 3L * size) & 0xFFFF);
        s.setRflags((old & ~mask) | (flags & mask) | Rflags.FIXED1);
        if ((s.rflags() & Rflags.IF) != 0) c.interruptFlagSet((old & Rflags.IF) == 0, false);
        s.nmiBlocked = false;
        c.refreshMode();
    }

    /** Slot {@code k} of the IRET frame: SS:(SP + k * size), SP wrapping by SS.B, the linear address at 4 GiB. */
    private static long pop(Cpu c, long ssBase, long sp, int k, int size, long spMask) {
        long linear = (ssBase + ((sp + (long) k * size) & spMask)) & 0xFFFF_FFFFL;
        return c.readStack(linear, size);
    }
}
