package org.jvmx.translator.exec;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Rflags;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.translator.mem.GuestFault;

/**
 * One event delivery through the IDT in protected mode outside IA-32e mode (SDM Vol. 3A,
 * 6.10 to 6.13, and Vol. 2A "INT n", PROTECTED-MODE): 8-byte gates; 32-bit interrupt (0xE)
 * and trap (0xF) gates push 32-bit values, 16-bit ones (6, 7) 16-bit values; a task gate (5)
 * goes to the task-switch hook ({@link Sensitive#taskSwitch}, source 3). A handler in a
 * non-conforming segment of a more privileged level runs on the stack SS:ESP of the TSS for
 * that level, after the old SS:ESP is pushed there. Every check and every stack probe comes
 * before any state changes, so {@link Interrupts#deliver} can combine a fault here with the
 * event (#DF, triple fault). Virtual-8086 mode is not modelled (IRET refuses to enter it).
 */
final class LegacyInterrupts {
    private LegacyInterrupts() {
    }

    static void deliverOnce(Cpu c, int vector, Interrupts.Kind kind, int errorCode, long returnEip) {
        CpuState s = c.state;
        boolean software = kind == Interrupts.Kind.SOFTWARE_INTERRUPT || kind == Interrupts.Kind.SOFTWARE_EXCEPTION;
        int ext = software || kind == Interrupts.Kind.PRIVILEGED_SOFTWARE_EXCEPTION ? 0 : 1;
        int idtError = vector << 3 | 2 | ext;
        // The IDT (6.10): 8-byte gates, the whole gate inside IDTR.limit.
        if ((long) vector * 8 + 7 > (s.idtrLimit & 0xFFFFL)) throw GuestFault.generalProtection(idtError);
        long gate = c.memory.read((s.idtrBase + vector * 8L) & 0xFFFF_FFFFL, 8, false);
        int type = (int) (gate >>> 40) & 0x1F; // S bit included: gates are system descriptors
        if (type != 5 && type != 6 && type != 7 && type != 0xE && type != 0xF) {
            throw GuestFault.generalProtection(idtError);
        }
        int cpl = s.cpl();
        if (software && (int) ((gate >>> 45) & 3) < cpl) throw GuestFault.generalProtection(idtError);
        if ((gate & 1L << 47) == 0) throw new GuestFault(GuestFault.NP, idtError, "#NP: IDT gate " + vector + " not present");
        int selector = (int) (gate >>> 16) & 0xFFFF;
        if (type == 5) {
            // A task gate (6.11.3, 7.3): a task switch to the TSS it names. On bare metal the
            // hook raises #GP(selector) (hardware task switching is not modelled); a hypervisor
            // takes a task-switch exit.
            c.sensitive.taskSwitch(c, null, selector, 3);
            return;
        }
        boolean gate32 = (type & 8) != 0;
        long offset = gate32 ? (gate & 0xFFFFL) | ((gate >>> 48) & 0xFFFFL) << 16 : gate & 0xFFFFL;

        // The handler's code segment (6.12.1.1): a present code segment with DPL <= CPL.
        if ((selector & ~3) == 0) throw GuestFault.generalProtection(ext);
        int selError = selector & 0xFFFC | ext;
        long csAddr = DescriptorTables.address(c, selector) & 0xFFFF_FFFFL;
        long csDesc = DescriptorTables.read(c, selector, selError);
        int ar = SegmentRegister.descriptorAccessRights(csDesc);
        boolean code = (ar & SegmentRegister.AR_S) != 0 && (ar & 8) != 0;
        int dpl = (ar >>> 5) & 3;
        boolean conforming = (ar & 4) != 0;
        if (!code || dpl > cpl) throw GuestFault.generalProtection(selError);
        if ((ar & SegmentRegister.AR_P) == 0) throw new GuestFault(GuestFault.NP, selError, "#NP: handler code segment");
        if (offset > Integer.toUnsignedLong(SegmentRegister.descriptorLimit(csDesc))) {
            throw GuestFault.generalProtection(ext);
        }
        int newCpl = conforming ? cpl : dpl;
        boolean inner = newCpl < cpl;

        // The stack (6.12.1): from the TSS for an inner level, else the current one.
        int size = gate32 ? 4 : 2;
        int ssSel;
        long ssDesc = 0, ssAddr = 0, ssBase, ssLimit, esp;
        int ssType;
        boolean ssBig;
        if (inner) {
            long[] tssStack = tssStack(c, newCpl, ext);
            ssSel = (int) tssStack[0];
            esp = tssStack[1];
            int ssError = ssSel & 0xFFFC | ext;
            if ((ssSel & ~3) == 0) throw new GuestFault(GuestFault.TS, ext, "#TS: null SS in TSS");
            if ((ssSel & 3) != newCpl) throw new GuestFault(GuestFault.TS, ssError, "#TS: SS.RPL != new CPL");
            long tableLimit = (ssSel & 4) != 0 ? s.ldtr.limitUnsigned() : s.gdtrLimit & 0xFFFFL;
            if ((ssSel & 4) != 0 && s.ldtr.unusable() || (ssSel & ~7) + 7 > tableLimit) {
                throw new GuestFault(GuestFault.TS, ssError, "#TS: SS outside its descriptor table");
            }
            ssAddr = DescriptorTables.address(c, ssSel) & 0xFFFF_FFFFL;
            ssDesc = c.memory.read(ssAddr, 8, false);
            int ssAr = SegmentRegister.descriptorAccessRights(ssDesc);
            boolean writableData = (ssAr & SegmentRegister.AR_S) != 0 && (ssAr & 8) == 0 && (ssAr & 2) != 0;
            if (!writableData || ((ssAr >>> 5) & 3) != newCpl) {
                throw new GuestFault(GuestFault.TS, ssError, "#TS: SS not a writable data segment of the new CPL");
            }
            if ((ssAr & SegmentRegister.AR_P) == 0) throw GuestFault.stackFault(ssError);
            ssBase = SegmentRegister.descriptorBase(ssDesc);
            ssLimit = Integer.toUnsignedLong(SegmentRegister.descriptorLimit(ssDesc));
            ssType = ssAr & 0xF;
            ssBig = (ssAr & SegmentRegister.AR_DB) != 0;
        } else {
            ssSel = s.ss.selector();
            esp = c.gpr[CpuState.RSP];
            ssBase = s.ss.base();
            ssLimit = s.ss.limitUnsigned();
            ssType = s.ss.type();
            ssBig = s.ss.db();
        }

        // The frame, lowest address first: [error code], EIP, CS, EFLAGS [, ESP, SS].
        long mask = size == 4 ? 0xFFFF_FFFFL : 0xFFFFL;
        long eflags = s.rflags();
        java.util.List<Long> frame = new java.util.ArrayList<>(6);
        if (errorCode >= 0) frame.add(errorCode & mask);
        frame.add(returnEip & mask);
        frame.add((long) s.cs.selector());
        frame.add(eflags & mask);
        if (inner) {
            frame.add(c.gpr[CpuState.RSP] & mask);
            frame.add((long) s.ss.selector());
        }
        long spMask = ssBig ? 0xFFFF_FFFFL : 0xFFFFL;
        long sp = (esp - (long) size * frame.size()) & spMask;
        boolean user = newCpl == 3;
        int stackError = inner ? ssSel & 0xFFFC | ext : ext;
        long[] linear = new long[frame.size()];
        for (int k = 0; k < frame.size(); k++) {
            long off = (sp + (long) size * k) & spMask;
            if (!withinLimit(off, size, ssLimit, ssType, spMask)) throw GuestFault.stackFault(stackError);
            linear[k] = (ssBase + off) & 0xFFFF_FFFFL;
            c.memory.probeWrite(linear[k], size, user);
        }
        for (int k = 0; k < frame.size(); k++) c.memory.write(linear[k], size, frame.get(k), user);

        // Commit (6.12.1): SS:ESP (inner), CS:EIP, EFLAGS with TF, NT, RF, VM (and IF through an
        // interrupt gate) cleared.
        if (inner) {
            s.ss.loadDescriptor(ssSel, c.markDescriptorAccessed(ssAddr, ssDesc));
        }
        c.gpr[CpuState.RSP] = ssBig ? sp : (esp & ~0xFFFFL | sp) & 0xFFFF_FFFFL;
        s.cs.loadDescriptor(selector & ~3 | newCpl, c.markDescriptorAccessed(csAddr, csDesc));
        s.rip = offset;
        long clear = Rflags.TF | Rflags.NT | Rflags.RF | Rflags.VM | ((type & 1) == 0 ? Rflags.IF : 0);
        s.setRflags(eflags & ~clear);
        c.refreshMode();
    }

    /**
     * Delivery in real-address mode (SDM Vol. 3A, 20.1.4; Vol. 2A "INT n", REAL-ADDRESS-MODE): the
     * 4-byte IVT entry (offset, segment) at IDTR.base + 4 * vector, #GP(0) beyond IDTR.limit;
     * FLAGS, CS and IP pushed as 16-bit values at SS:SP (no error code); IF, TF and AC cleared.
     */
    static void deliverReal(Cpu c, int vector, long returnIp) {
        CpuState s = c.state;
        if ((long) vector * 4 + 3 > (s.idtrLimit & 0xFFFFL)) throw GuestFault.generalProtection(0);
        long entry = c.memory.read((s.idtrBase + vector * 4L) & 0xFFFF_FFFFL, 4, false);
        long sp = c.gpr[CpuState.RSP];
        long eflags = s.rflags();
        long[] frame = {returnIp & 0xFFFF, s.cs.selector(), eflags & 0xFFFF};
        long[] linear = new long[3];
        for (int k = 0; k < 3; k++) {
            long off = (sp - 6 + 2L * k) & 0xFFFF;
            if (off + 1 > s.ss.limitUnsigned()) throw GuestFault.stackFault(0);
            linear[k] = (s.ss.base() + off) & 0xFFFF_FFFFL;
            c.memory.probeWrite(linear[k], 2, false);
        }
        for (int k = 0; k < 3; k++) c.memory.write(linear[k], 2, frame[k], false);
        c.gpr[CpuState.RSP] = sp & ~0xFFFFL | ((sp - 6) & 0xFFFF);
        s.cs.loadReal((int) (entry >>> 16) & 0xFFFF);
        s.rip = entry & 0xFFFF;
        s.setRflags(eflags & ~(Rflags.IF | Rflags.TF | Rflags.AC));
        c.refreshMode();
    }

    /**
     * SS and ESP for {@code level} from the current TSS (7.2.1, Figure 7-2): in a 32-bit TSS
     * ESPn at 4 + 8n and SSn at 8 + 8n; in a 16-bit TSS (types 1, 3) SPn at 2 + 4n, SSn at 4 + 4n.
     * Beyond TR.limit: #TS(TR selector + EXT).
     */
    static long[] tssStack(Cpu c, int level, int ext) {
        CpuState s = c.state;
        boolean tss16 = (s.tr.type() & 8) == 0;
        int spOff = tss16 ? 2 + 4 * level : 4 + 8 * level;
        int ssOff = tss16 ? 4 + 4 * level : 8 + 8 * level;
        if (ssOff + 1 > s.tr.limitUnsigned()) {
            throw new GuestFault(GuestFault.TS, s.tr.selector() & 0xFFFC | ext, "#TS: TSS too small for the stack of level " + level);
        }
        long base = s.tr.base();
        long sp = c.memory.read((base + spOff) & 0xFFFF_FFFFL, tss16 ? 2 : 4, false);
        long ss = c.memory.read((base + ssOff) & 0xFFFF_FFFFL, 2, false);
        return new long[] {ss, sp};
    }

    /**
     * Whether {@code size} bytes at offset {@code off} lie in a stack segment of {@code limit}:
     * expand-up offsets 0..limit, expand-down (type bit 2) limit+1..0xFFFF or 0xFFFFFFFF by SS.B.
     */
    static boolean withinLimit(long off, int size, long limit, int type, long spMask) {
        long last = off + size - 1;
        if ((type & 4) != 0) return off > limit && last <= spMask;
        return last <= limit;
    }
}
