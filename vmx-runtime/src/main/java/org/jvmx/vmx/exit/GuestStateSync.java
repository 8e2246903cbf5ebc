package org.jvmx.vmx.exit;

import org.jvmx.translator.cpu.CpuState;
import org.jvmx.translator.cpu.Msr;
import org.jvmx.translator.cpu.SegmentRegister;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.Vmcs;
import org.jvmx.vmx.vmcs.VmcsField;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * Moves a vCPU's architectural state between {@link CpuState} and the VMCS guest-state area
 * (SDM Vol. 3C, 25.4.1 and 25.4.2): saved on every VM exit (28.3), loaded on VM entry (27.3.2).
 * The general-purpose registers other than RSP are not part of the guest-state area, exactly
 * as on hardware; they stay in the {@code CpuState}. Access rights are stored as is: the
 * {@link SegmentRegister} already keeps them in the VMCS format (bit 16 = unusable).
 */
public final class GuestStateSync {
    private GuestStateSync() {
    }

    private static final VmcsField[] SEL = {VmcsFields.GUEST_ES_SELECTOR, VmcsFields.GUEST_CS_SELECTOR,
            VmcsFields.GUEST_SS_SELECTOR, VmcsFields.GUEST_DS_SELECTOR, VmcsFields.GUEST_FS_SELECTOR,
            VmcsFields.GUEST_GS_SELECTOR, VmcsFields.GUEST_LDTR_SELECTOR, VmcsFields.GUEST_TR_SELECTOR};
    private static final VmcsField[] BASE = {VmcsFields.GUEST_ES_BASE, VmcsFields.GUEST_CS_BASE,
            VmcsFields.GUEST_SS_BASE, VmcsFields.GUEST_DS_BASE, VmcsFields.GUEST_FS_BASE, VmcsFields.GUEST_GS_BASE,
            VmcsFields.GUEST_LDTR_BASE, VmcsFields.GUEST_TR_BASE};
    private static final VmcsField[] LIMIT = {VmcsFields.GUEST_ES_LIMIT, VmcsFields.GUEST_CS_LIMIT,
            VmcsFields.GUEST_SS_LIMIT, VmcsFields.GUEST_DS_LIMIT, VmcsFields.GUEST_FS_LIMIT, VmcsFields.GUEST_GS_LIMIT,
            VmcsFields.GUEST_LDTR_LIMIT, VmcsFields.GUEST_TR_LIMIT};
    private static final VmcsField[] AR = {VmcsFields.GUEST_ES_ACCESS_RIGHTS, VmcsFields.GUEST_CS_ACCESS_RIGHTS,
            VmcsFields.GUEST_SS_ACCESS_RIGHTS, VmcsFields.GUEST_DS_ACCESS_RIGHTS,
            VmcsFields.GUEST_FS_ACCESS_RIGHTS, VmcsFields.GUEST_GS_ACCESS_RIGHTS,
            VmcsFields.GUEST_LDTR_ACCESS_RIGHTS, VmcsFields.GUEST_TR_ACCESS_RIGHTS};

    private static SegmentRegister segment(CpuState s, int k) {
        return k < 6 ? s.seg[k] : k == 6 ? s.ldtr : s.tr;
    }

    /** Saves the guest state (28.3.1-28.3.4); RIP is {@code rip} (the instruction that exited). */
    public static void save(CpuState s, long rip, Vmcs v) {
        v.write(VmcsFields.GUEST_CR0, s.cr0);
        v.write(VmcsFields.GUEST_CR3, s.cr3);
        v.write(VmcsFields.GUEST_CR4, s.cr4);
        v.write(VmcsFields.GUEST_DR7, s.dr7);
        v.write(VmcsFields.GUEST_RSP, s.gpr[CpuState.RSP]);
        v.write(VmcsFields.GUEST_RIP, rip);
        v.write(VmcsFields.GUEST_RFLAGS, s.rflags());
        for (int k = 0; k < 8; k++) {
            SegmentRegister r = segment(s, k);
            v.write(SEL[k], r.selector());
            v.write(BASE[k], r.base());
            v.write(LIMIT[k], r.limitUnsigned());
            v.write(AR[k], r.vmcsAccessRights());
        }
        v.write(VmcsFields.GUEST_GDTR_BASE, s.gdtrBase);
        v.write(VmcsFields.GUEST_GDTR_LIMIT, s.gdtrLimit & 0xFFFF);
        v.write(VmcsFields.GUEST_IDTR_BASE, s.idtrBase);
        v.write(VmcsFields.GUEST_IDTR_LIMIT, s.idtrLimit & 0xFFFF);
        v.write(VmcsFields.GUEST_IA32_SYSENTER_CS, s.sysenterCs);
        v.write(VmcsFields.GUEST_IA32_SYSENTER_ESP, s.sysenterEsp);
        v.write(VmcsFields.GUEST_IA32_SYSENTER_EIP, s.sysenterEip);
        // 28.3.1: EFER and PAT are saved only under "save IA32_EFER" / "save IA32_PAT".
        long exit = v.read(VmcsFields.VM_EXIT_CONTROLS);
        if ((exit & Controls.EXIT_SAVE_EFER) != 0) v.write(VmcsFields.GUEST_IA32_EFER, s.efer);
        if ((exit & Controls.EXIT_SAVE_PAT) != 0) v.write(VmcsFields.GUEST_IA32_PAT, s.pat);
        // The translator delivers MOV-SS/STI shadows inside the run loop; an instruction that
        // exits is never in one, so the interruptibility state is 0 and the activity state active (28.3.4).
        v.write(VmcsFields.GUEST_INTERRUPTIBILITY_STATE, 0);
        v.write(VmcsFields.GUEST_ACTIVITY_STATE, Controls.ACTIVITY_ACTIVE);
    }

    /** Loads the guest state into {@code s} (27.3.2); returns nothing for GPRs other than RSP. */
    public static void load(Vmcs v, CpuState s) {
        s.cr0 = v.read(VmcsFields.GUEST_CR0);
        s.cr3 = v.read(VmcsFields.GUEST_CR3);
        s.cr4 = v.read(VmcsFields.GUEST_CR4);
        s.dr7 = v.read(VmcsFields.GUEST_DR7);
        s.gpr[CpuState.RSP] = v.read(VmcsFields.GUEST_RSP);
        s.rip = v.read(VmcsFields.GUEST_RIP);
        s.setRflags(v.read(VmcsFields.GUEST_RFLAGS));
        for (int k = 0; k < 8; k++) {
            segment(s, k).set((int) v.read(SEL[k]), v.read(BASE[k]), (int) v.read(LIMIT[k]), (int) v.read(AR[k]));
        }
        s.gdtrBase = v.read(VmcsFields.GUEST_GDTR_BASE);
        s.gdtrLimit = (int) v.read(VmcsFields.GUEST_GDTR_LIMIT) & 0xFFFF;
        s.idtrBase = v.read(VmcsFields.GUEST_IDTR_BASE);
        s.idtrLimit = (int) v.read(VmcsFields.GUEST_IDTR_LIMIT) & 0xFFFF;
        s.sysenterCs = v.read(VmcsFields.GUEST_IA32_SYSENTER_CS);
        s.sysenterEsp = v.read(VmcsFields.GUEST_IA32_SYSENTER_ESP);
        s.sysenterEip = v.read(VmcsFields.GUEST_IA32_SYSENTER_EIP);
        // 27.3.2.1: EFER from its field under "load IA32_EFER"; otherwise only LMA (= "IA-32e
        // mode guest") and LME (= LMA when CR0.PG = 1) change. PAT under "load IA32_PAT".
        long entry = v.read(VmcsFields.VM_ENTRY_CONTROLS);
        if ((entry & Controls.ENTRY_LOAD_EFER) != 0) {
            s.efer = v.read(VmcsFields.GUEST_IA32_EFER);
        } else {
            boolean ia32e = (entry & Controls.ENTRY_IA32E_MODE_GUEST) != 0;
            s.efer = s.efer & ~(Msr.EFER_LMA | Msr.EFER_LME) | (ia32e ? Msr.EFER_LMA : 0)
                    | (ia32e && (s.cr0 & CpuState.CR0_PG) != 0 ? Msr.EFER_LME : 0);
        }
        if ((entry & Controls.ENTRY_LOAD_PAT) != 0) s.pat = v.read(VmcsFields.GUEST_IA32_PAT);
    }
}
