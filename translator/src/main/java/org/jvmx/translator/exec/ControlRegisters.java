package org.jvmx.translator.exec;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Msr;
import org.jvmx.translator.mem.GuestFault;
import org.jvmx.translator.mem.PagingState;

/**
 * MOV to CRn with the architectural checks and side effects (SDM Vol. 3A, 2.5 and 4.10.4),
 * including the paging-mode changes of 4.1.2 and the loading of the PAE PDPTE registers (4.4.1):
 * when PAE paging is in use after a MOV to CR3, or after a MOV to CR0/CR4 that modifies
 * CR0.CD/NW/PG or CR4.PAE/PGE/PSE/SMEP, the four PDPTEs are read from CR3[31:5]; a reserved
 * bit in a present one is #GP(0) with nothing changed.
 */
public final class ControlRegisters {
    private ControlRegisters() {
    }

    static final long CR4_DEFINED = 0x1777FFFL;
    private static final long CR4_SMEP = 1L << 20;
    private static final long CR0_PDPTE_BITS = CpuState.CR0_PG | CpuState.CR0_CD | CpuState.CR0_NW;
    private static final long CR4_PDPTE_BITS = CpuState.CR4_PAE | CpuState.CR4_PGE | CpuState.CR4_PSE | CR4_SMEP;

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
                // it (from compatibility mode) deactivates it (SDM Vol. 3A, 10.8.5). With LME = 0 the
                // mode is 32-bit or PAE paging (4.1.1).
                long efer = s.efer;
                if (pg && !wasPg && (efer & Msr.EFER_LME) != 0) {
                    if ((s.cr4 & CpuState.CR4_PAE) == 0) throw GuestFault.generalProtection(0);
                    efer |= Msr.EFER_LMA;
                } else if (!pg && wasPg) {
                    efer &= ~Msr.EFER_LMA;
                }
                boolean pae = pg && (s.cr4 & CpuState.CR4_PAE) != 0 && (efer & Msr.EFER_LMA) == 0;
                PagingState.Pdptes p = pae && ((v ^ s.cr0) & CR0_PDPTE_BITS) != 0 ? checkedPdptes(c, s.cr3) : null;
                s.efer = efer;
                s.cr0 = v | CpuState.CR0_ET;
                c.memory.tlb().setState(s.pagingState().withPdptes(p));
                c.refreshMode();
            }
            case 2 -> s.cr2 = v;
            case 3 -> {
                if (s.pagingState().mode() == PagingState.Mode.PAE) {
                    checkedPdptes(c, v);
                    s.cr3 = v;
                    c.memory.tlb().writeCr3(v & 0xFFFF_FFE0L); // CR3[31:5] locates the PDPT (4.4.1)
                } else {
                    s.cr3 = v;
                    c.memory.tlb().writeCr3(v & 0x000F_FFFF_FFFF_F000L);
                }
            }
            case 4 -> {
                if ((v & ~CR4_DEFINED) != 0) throw GuestFault.generalProtection(0);
                if (s.longMode() && (v & CpuState.CR4_PAE) == 0) throw GuestFault.generalProtection(0);
                boolean pae = (s.cr0 & CpuState.CR0_PG) != 0 && (v & CpuState.CR4_PAE) != 0 && !s.longMode();
                PagingState.Pdptes p = pae && ((v ^ s.cr4) & CR4_PDPTE_BITS) != 0 ? checkedPdptes(c, s.cr3) : null;
                s.cr4 = v;
                c.memory.tlb().setState(s.pagingState().withPdptes(p));
            }
            case 8 -> {
                if ((v & ~0xFL) != 0) throw GuestFault.generalProtection(0);
                s.cr8 = v;
            }
            default -> throw GuestFault.invalidOpcode("CR" + n);
        }
    }

    /** The PDPTEs at CR3[31:5]; #GP(0) when a present one sets a reserved bit (SDM Vol. 3A, 4.4.1). */
    private static PagingState.Pdptes checkedPdptes(Cpu c, long cr3) {
        PagingState.Pdptes p = c.memory.tlb().walker().loadPdptes(cr3);
        if (c.memory.tlb().walker().pdptesReserved(p)) throw GuestFault.generalProtection(0);
        return p;
    }
}
