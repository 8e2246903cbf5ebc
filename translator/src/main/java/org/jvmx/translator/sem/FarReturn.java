package org.jvmx.translator.sem;

import org.jvmx.decoder.Instruction;
import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.DescriptorTables;
import org.jvmx.translator.mem.GuestFault;

/**
 * RETF (SDM Vol. 2B "RET—Return From Procedure", far returns): pops the offset and the code
 * selector in operand-size slots (16, 32, or 64 with REX.W; 32 by default even in 64-bit mode),
 * releases {@code imm16} more bytes, and in protected mode checks the return code segment
 * (null → #GP(0); not code, RPL below CPL, a DPL the conforming rule refuses → #GP(selector);
 * not present → #NP(selector)). A return to an outer privilege level also pops SS:ESP from the
 * caller's stack with the stack-segment checks and nulls the data segments the outer level may
 * not use. In IA-32e mode the L bit of the returned-to segment chooses 64-bit or compatibility
 * mode (how 64-bit code enters 32-bit code and back). Every value is read and checked before
 * anything changes (precise exceptions).
 */
final class FarReturn {
    private FarReturn() {
    }

    static void retf(Cpu c, Instruction i) {
        CpuState s = c.state;
        int size = i.operandSize() / 8;
        long release = i.operandCount() > 0 ? i.immediate(0) & 0xFFFF : 0;
        long offset = Stack.read(c, 0, size);
        int cs = (int) Stack.read(c, size, size) & 0xFFFF;
        if (!s.protectedMode()) {
            // REAL-ADDRESS MODE: CS:IP with the real-mode segment; IP beyond the limit is #GP(0).
            if (offset > s.cs.limitUnsigned()) throw GuestFault.generalProtection(0);
            s.cs.loadReal(cs);
            s.rip = offset;
            Stack.release(c, 2L * size + release);
            c.refreshMode();
            return;
        }
        if ((cs & ~3) == 0) throw GuestFault.generalProtection(0);
        long csAddr = DescriptorTables.address(c, cs) & 0xFFFF_FFFFL;
        long csDesc = InterruptOps.descriptor(c, cs);
        int ar = SegmentRegister.descriptorAccessRights(csDesc);
        int err = cs & 0xFFFC;
        boolean code = (ar & SegmentRegister.AR_S) != 0 && (ar & 8) != 0;
        int cpl = s.cpl(), rpl = cs & 3, dpl = (ar >>> 5) & 3;
        if (!code || rpl < cpl || ((ar & 4) != 0 ? dpl > rpl : dpl != rpl)) throw GuestFault.generalProtection(err);
        if ((ar & SegmentRegister.AR_P) == 0) throw new GuestFault(GuestFault.NP, err, "#NP: RETF code segment");
        boolean to64 = s.longMode() && (ar & SegmentRegister.AR_L) != 0;
        if (to64 && (ar & SegmentRegister.AR_DB) != 0) throw GuestFault.generalProtection(err);
        long rip = to64 ? offset : offset & 0xFFFF_FFFFL;
        if (to64 ? (rip << 16 >> 16) != rip : rip > Integer.toUnsignedLong(SegmentRegister.descriptorLimit(csDesc))) {
            throw GuestFault.generalProtection(0);
        }
        if (rpl == cpl) {
            // RETURN-TO-SAME-PRIVILEGE-LEVEL
            s.cs.loadDescriptor(cs, c.markDescriptorAccessed(csAddr, csDesc));
            s.rip = rip;
            Stack.release(c, 2L * size + release);
            c.refreshMode();
            return;
        }
        // RETURN-TO-OUTER-PRIVILEGE-LEVEL: the caller's SS:ESP lie above the released parameters.
        long esp = Stack.read(c, 2L * size + release, size);
        int ss = (int) Stack.read(c, 3L * size + release, size) & 0xFFFF;
        long ssDesc = 0, ssAddr = 0;
        boolean ssNull = (ss & ~3) == 0;
        if (ssNull) {
            // IA-32e mode allows a null SS when returning to 64-bit code at a privilege level other than 3.
            if (!(to64 && rpl != 3)) throw GuestFault.generalProtection(0);
        } else {
            long[] d = OuterReturn.stackSegment(c, ss, rpl);
            ssAddr = d[0];
            ssDesc = d[1];
        }
        s.cs.loadDescriptor(cs, c.markDescriptorAccessed(csAddr, csDesc));
        s.rip = rip;
        if (ssNull) s.ss.loadNull(ss);
        else s.ss.loadDescriptor(ss, c.markDescriptorAccessed(ssAddr, ssDesc));
        c.refreshMode();
        long sp = esp + release;
        if (s.mode64()) c.gpr[CpuState.RSP] = sp;
        else Stack.setSp(c, sp);
        OuterReturn.nullDataSegments(s, rpl);
    }
}
