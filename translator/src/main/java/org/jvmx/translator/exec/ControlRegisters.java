package org.jvmx.translator.exec;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.mem.GuestFault;

/** MOV to CRn with the architectural checks and side effects (SDM Vol. 3A, 2.5 and 4.10.4). */
public final class ControlRegisters {
    private ControlRegisters() {
    }

    static final long CR4_DEFINED = 0x1777FFFL;

    public static void write(Cpu c, int n, long v) {
        CpuState s = c.state;
        switch (n) {
            case 0 -> {
                if ((v >>> 32) != 0) throw GuestFault.generalProtection(0);
                if ((v & CpuState.CR0_PG) != 0 && (v & CpuState.CR0_PE) == 0) throw GuestFault.generalProtection(0);
                if ((v & CpuState.CR0_NW) != 0 && (v & CpuState.CR0_CD) == 0) throw GuestFault.generalProtection(0);
                if (s.mode64() && (v & CpuState.CR0_PG) == 0) throw GuestFault.generalProtection(0);
                boolean pg = (v & CpuState.CR0_PG) != 0, wasPg = (s.cr0 & CpuState.CR0_PG) != 0;
                // Enabling paging with EFER.LME activates IA-32e mode (LMA), which needs PAE; disabling
                // it (from compatibility mode) deactivates it (SDM Vol. 3A, 10.8.5).
                if (pg && !wasPg && (s.efer & org.jvmx.translator.cpu.Msr.EFER_LME) != 0) {
                    if ((s.cr4 & CpuState.CR4_PAE) == 0) throw GuestFault.generalProtection(0);
                    s.efer |= org.jvmx.translator.cpu.Msr.EFER_LMA;
                } else if (!pg && wasPg) {
                    s.efer &= ~org.jvmx.translator.cpu.Msr.EFER_LMA;
                }
                s.cr0 = v | CpuState.CR0_ET;
                c.memory.tlb().setState(s.pagingState());
                c.refreshMode();
            }
            case 2 -> s.cr2 = v;
            case 3 -> {
                s.cr3 = v;
                c.memory.tlb().writeCr3(v & 0x000F_FFFF_FFFF_F000L);
            }
            case 4 -> {
                if ((v & ~CR4_DEFINED) != 0) throw GuestFault.generalProtection(0);
                if (s.longMode() && (v & CpuState.CR4_PAE) == 0) throw GuestFault.generalProtection(0);
                s.cr4 = v;
                c.memory.tlb().setState(s.pagingState());
            }
            case 8 -> {
                if ((v & ~0xFL) != 0) throw GuestFault.generalProtection(0);
                s.cr8 = v;
            }
            default -> throw GuestFault.invalidOpcode("CR" + n);
        }
    }
}
