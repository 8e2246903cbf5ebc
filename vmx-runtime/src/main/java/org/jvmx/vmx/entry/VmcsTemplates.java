package org.jvmx.vmx.entry;

import static org.jvmx.vmx.vmcs.Controls.*;
import static org.jvmx.vmx.vmcs.VmcsFields.*;

import org.jvmx.vmx.vmcs.Vmcs;

/** VMCS contents that pass every {@link EntryRule}. */
public final class VmcsTemplates {
    private VmcsTemplates() {
    }

    /** Flat 64-bit code: type 11 accessed code, S, P, L, G. */
    public static final long AR_CODE64 = 0xB | 0x10 | 0x80 | 0x2000 | 0x8000;
    /** Flat data: type 3 accessed read/write, S, P, D/B, G. */
    public static final long AR_DATA = 0x3 | 0x10 | 0x80 | 0x4000 | 0x8000;
    /** Busy 64-bit TSS, present. */
    public static final long AR_TSS64_BUSY = 0xB | 0x80;
    public static final long AR_UNUSABLE = 0x10000;

    /** A 64-bit host and a 64-bit guest at CPL 0 with flat segments and no event injection. */
    public static Vmcs validGuest64(int revisionId) {
        Vmcs v = new Vmcs(revisionId);
        fillValidGuest64(v);
        return v;
    }

    public static void fillValidGuest64(Vmcs v) {
        // controls (25.6-25.8)
        v.write(PIN_BASED_VM_EXEC_CONTROL, PIN_DEFAULT1 | PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING);
        v.write(CPU_BASED_VM_EXEC_CONTROL, PROC_DEFAULT1 | PROC_HLT_EXITING | PROC_SECONDARY_CONTROLS);
        v.write(SECONDARY_VM_EXEC_CONTROL, PROC2_RDTSCP);
        v.write(VM_EXIT_CONTROLS, EXIT_DEFAULT1 | EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_LOAD_EFER | EXIT_LOAD_PAT);
        v.write(VM_ENTRY_CONTROLS, ENTRY_DEFAULT1 | ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_EFER | ENTRY_LOAD_PAT);
        // host state (25.5)
        v.write(HOST_CR0, 0x8005_0033L);
        v.write(HOST_CR3, 0x1000);
        v.write(HOST_CR4, 0x20A0);
        v.write(HOST_CS_SELECTOR, 0x08);
        v.write(HOST_SS_SELECTOR, 0x10);
        v.write(HOST_DS_SELECTOR, 0x10);
        v.write(HOST_ES_SELECTOR, 0x10);
        v.write(HOST_TR_SELECTOR, 0x18);
        v.write(HOST_GDTR_BASE, 0xFFFF_8000_0000_2000L);
        v.write(HOST_IDTR_BASE, 0xFFFF_8000_0000_3000L);
        v.write(HOST_TR_BASE, 0xFFFF_8000_0000_4000L);
        v.write(HOST_RIP, 0xFFFF_8000_0010_0000L);
        v.write(HOST_RSP, 0xFFFF_8000_0020_0000L);
        v.write(HOST_IA32_EFER, 0x501);
        v.write(HOST_IA32_PAT, 0x0007_0406_0007_0406L);
        // guest state (25.4)
        v.write(GUEST_CR0, 0x8000_0031L);
        v.write(GUEST_CR3, 0x3000);
        v.write(GUEST_CR4, 0x2020);
        v.write(GUEST_DR7, 0x400);
        v.write(GUEST_IA32_EFER, 0x500);
        v.write(GUEST_IA32_PAT, 0x0007_0406_0007_0406L);
        v.write(GUEST_CS_SELECTOR, 0x08);
        v.write(GUEST_CS_LIMIT, 0xFFFF_FFFFL);
        v.write(GUEST_CS_ACCESS_RIGHTS, AR_CODE64);
        for (var seg : new org.jvmx.vmx.vmcs.VmcsField[][] {
                {GUEST_SS_SELECTOR, GUEST_SS_LIMIT, GUEST_SS_ACCESS_RIGHTS},
                {GUEST_DS_SELECTOR, GUEST_DS_LIMIT, GUEST_DS_ACCESS_RIGHTS},
                {GUEST_ES_SELECTOR, GUEST_ES_LIMIT, GUEST_ES_ACCESS_RIGHTS},
                {GUEST_FS_SELECTOR, GUEST_FS_LIMIT, GUEST_FS_ACCESS_RIGHTS},
                {GUEST_GS_SELECTOR, GUEST_GS_LIMIT, GUEST_GS_ACCESS_RIGHTS}}) {
            v.write(seg[0], 0x10);
            v.write(seg[1], 0xFFFF_FFFFL);
            v.write(seg[2], AR_DATA);
        }
        v.write(GUEST_TR_SELECTOR, 0x18);
        v.write(GUEST_TR_BASE, 0x5000);
        v.write(GUEST_TR_LIMIT, 0x67);
        v.write(GUEST_TR_ACCESS_RIGHTS, AR_TSS64_BUSY);
        v.write(GUEST_LDTR_ACCESS_RIGHTS, AR_UNUSABLE);
        v.write(GUEST_GDTR_BASE, 0x2000);
        v.write(GUEST_GDTR_LIMIT, 0x27);
        v.write(GUEST_IDTR_BASE, 0x4000);
        v.write(GUEST_IDTR_LIMIT, 0xFFF);
        v.write(GUEST_RIP, 0x10_0000);
        v.write(GUEST_RSP, 0x20_0000);
        v.write(GUEST_RFLAGS, 0x2);
        v.write(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
        v.write(VMCS_LINK_POINTER, -1L);
    }
}
