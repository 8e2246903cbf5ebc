package org.jvmx.vmx.entry;

import static org.jvmx.vmx.entry.EntryEnv.*;
import static org.jvmx.vmx.vmcs.Controls.*;
import static org.jvmx.vmx.vmcs.VmcsFields.*;

import java.util.function.Predicate;
import org.jvmx.vmx.vmcs.VmcsField;

/**
 * The checks of VMLAUNCH/VMRESUME in the order of Intel SDM Vol. 3C 27.2 and 27.3.1; the first
 * rule whose predicate is false decides the outcome. Controls that jvmx does not model (TPR
 * shadow, EPT, VPID, unrestricted guest, posted interrupts, ...) are rejected by the reserved-bit
 * rules, so the checks that apply only when they are 1 are not listed.
 */
public enum EntryRule {
    // 27.2.1.1 VM-execution control fields
    PIN_RESERVED(Group.CONTROLS, "27.2.1.1", "pin-based controls respect IA32_VMX_TRUE_PINBASED_CTLS",
            e -> VmxCapabilityMsrs.respects(e.r(PIN_BASED_VM_EXEC_CONTROL), e.caps().truePinbasedCtls())),
    PROC_RESERVED(Group.CONTROLS, "27.2.1.1", "primary controls respect IA32_VMX_TRUE_PROCBASED_CTLS",
            e -> VmxCapabilityMsrs.respects(e.r(CPU_BASED_VM_EXEC_CONTROL), e.caps().trueProcbasedCtls())),
    PROC2_RESERVED(Group.CONTROLS, "27.2.1.1", "secondary controls respect IA32_VMX_PROCBASED_CTLS2",
            e -> VmxCapabilityMsrs.respects(e.proc2(), e.caps().procbasedCtls2())),
    CR3_TARGET_COUNT_LIMIT(Group.CONTROLS, "27.2.1.1", "CR3-target count <= IA32_VMX_MISC[24:16]",
            e -> e.r(CR3_TARGET_COUNT) <= ((e.caps().misc() >>> 16) & 0x1FF)),
    IO_BITMAP_ADDRESSES(Group.CONTROLS, "27.2.1.1", "I/O-bitmap addresses 4-KiB aligned and within the physical width",
            e -> !e.proc(PROC_IO_BITMAPS) || page(e, IO_BITMAP_A) && page(e, IO_BITMAP_B)),
    MSR_BITMAP_ADDRESS(Group.CONTROLS, "27.2.1.1", "MSR-bitmap address 4-KiB aligned and within the physical width",
            e -> !e.proc(PROC_MSR_BITMAPS) || page(e, MSR_BITMAP)),
    VIRTUAL_NMIS_REQUIRE_NMI_EXITING(Group.CONTROLS, "27.2.1.1", "virtual NMIs = 1 only with NMI exiting = 1",
            e -> e.pin(PIN_NMI_EXITING) || !e.pin(PIN_VIRTUAL_NMIS)),
    NMI_WINDOW_REQUIRES_VIRTUAL_NMIS(Group.CONTROLS, "27.2.1.1", "NMI-window exiting = 1 only with virtual NMIs = 1",
            e -> e.pin(PIN_VIRTUAL_NMIS) || !e.proc(PROC_NMI_WINDOW_EXITING)),

    // 27.2.1.2 VM-exit control fields
    EXIT_RESERVED(Group.CONTROLS, "27.2.1.2", "VM-exit controls respect IA32_VMX_TRUE_EXIT_CTLS",
            e -> VmxCapabilityMsrs.respects(e.r(VM_EXIT_CONTROLS), e.caps().trueExitCtls())),
    SAVE_PREEMPTION_TIMER_REQUIRES_ACTIVATE(Group.CONTROLS, "27.2.1.2",
            "save VMX-preemption timer = 1 only with activate VMX-preemption timer = 1",
            e -> e.pin(PIN_PREEMPTION_TIMER) || !e.exit(EXIT_SAVE_PREEMPTION_TIMER)),
    EXIT_MSR_STORE_AREA(Group.CONTROLS, "27.2.1.2", "VM-exit MSR-store area 16-byte aligned and within the physical width",
            e -> e.msrList(e.r(VM_EXIT_MSR_STORE_COUNT), e.r(VM_EXIT_MSR_STORE_ADDR))),
    EXIT_MSR_LOAD_AREA(Group.CONTROLS, "27.2.1.2", "VM-exit MSR-load area 16-byte aligned and within the physical width",
            e -> e.msrList(e.r(VM_EXIT_MSR_LOAD_COUNT), e.r(VM_EXIT_MSR_LOAD_ADDR))),

    // 27.2.1.3 VM-entry control fields
    ENTRY_RESERVED(Group.CONTROLS, "27.2.1.3", "VM-entry controls respect IA32_VMX_TRUE_ENTRY_CTLS",
            e -> VmxCapabilityMsrs.respects(e.r(VM_ENTRY_CONTROLS), e.caps().trueEntryCtls())),
    EVENT_TYPE(Group.CONTROLS, "27.2.1.3", "injected event type is not 1 (reserved) nor 7 (monitor trap flag not supported)",
            e -> !e.injecting() || e.injType() != 1 && e.injType() != INTR_TYPE_OTHER),
    EVENT_NMI_VECTOR(Group.CONTROLS, "27.2.1.3", "an injected NMI has vector 2",
            e -> !e.injecting(INTR_TYPE_NMI) || e.injVector() == 2),
    EVENT_EXCEPTION_VECTOR(Group.CONTROLS, "27.2.1.3", "an injected hardware exception has vector <= 31",
            e -> !e.injecting(INTR_TYPE_HARDWARE_EXCEPTION) || e.injVector() <= 31),
    EVENT_DELIVER_ERROR_CODE(Group.CONTROLS, "27.2.1.3",
            "deliver-error-code = 1 iff guest CR0.PE = 1 and a hardware exception with vector 8, 10-14 or 17",
            e -> !e.injecting() || ((e.intrInfo() & INTR_INFO_DELIVER_ERROR_CODE) != 0) == errorCodeExpected(e)),
    EVENT_RESERVED_BITS(Group.CONTROLS, "27.2.1.3", "interruption-information bits 30:12 are 0",
            e -> !e.injecting() || (e.intrInfo() & 0x7FFF_F000L) == 0),
    EVENT_ERROR_CODE_RESERVED(Group.CONTROLS, "27.2.1.3", "a delivered error code has bits 31:16 = 0",
            e -> !e.injecting() || (e.intrInfo() & INTR_INFO_DELIVER_ERROR_CODE) == 0
                    || (e.r(VM_ENTRY_EXCEPTION_ERROR_CODE) & 0xFFFF_0000L) == 0),
    EVENT_INSTRUCTION_LENGTH(Group.CONTROLS, "27.2.1.3",
            "software interrupts and exceptions have an instruction length of 1-15",
            e -> !e.injecting() || e.injType() < INTR_TYPE_SOFTWARE_INTERRUPT || e.injType() > INTR_TYPE_SOFTWARE_EXCEPTION
                    || e.r(VM_ENTRY_INSTRUCTION_LENGTH) >= 1 && e.r(VM_ENTRY_INSTRUCTION_LENGTH) <= 15),
    ENTRY_MSR_LOAD_AREA(Group.CONTROLS, "27.2.1.3", "VM-entry MSR-load area 16-byte aligned and within the physical width",
            e -> e.msrList(e.r(VM_ENTRY_MSR_LOAD_COUNT), e.r(VM_ENTRY_MSR_LOAD_ADDR))),

    // 27.2.2 host control registers and MSRs
    HOST_CR0_FIXED(Group.HOST, "27.2.2", "host CR0 respects IA32_VMX_CR0_FIXED0/1",
            e -> fixed(e.r(HOST_CR0), VmxCapabilityMsrs.CR0_FIXED0, VmxCapabilityMsrs.CR0_FIXED1)),
    HOST_CR4_FIXED(Group.HOST, "27.2.2", "host CR4 respects IA32_VMX_CR4_FIXED0/1",
            e -> fixed(e.r(HOST_CR4), VmxCapabilityMsrs.CR4_FIXED0, VmxCapabilityMsrs.CR4_FIXED1)),
    HOST_CR3_WIDTH(Group.HOST, "27.2.2", "host CR3 sets no bit beyond the physical width",
            e -> e.inWidth(e.r(HOST_CR3))),
    HOST_SYSENTER_CANONICAL(Group.HOST, "27.2.2", "host IA32_SYSENTER_ESP/EIP canonical",
            e -> canonical(e.r(HOST_IA32_SYSENTER_ESP)) && canonical(e.r(HOST_IA32_SYSENTER_EIP))),
    HOST_PAT(Group.HOST, "27.2.2", "with load IA32_PAT, every host PAT entry is a valid memory type",
            e -> !e.exit(EXIT_LOAD_PAT) || validPat(e.r(HOST_IA32_PAT))),
    HOST_EFER(Group.HOST, "27.2.2",
            "with load IA32_EFER, host EFER reserved bits 0 and LMA = LME = host address-space size",
            e -> !e.exit(EXIT_LOAD_EFER) || hostEfer(e)),

    // 27.2.3 host segment and descriptor-table registers
    HOST_SELECTOR_RPL_TI(Group.HOST, "27.2.3", "host selectors have RPL = 0 and TI = 0",
            e -> hostSelectorsClean(e)),
    HOST_CS_NOT_NULL(Group.HOST, "27.2.3", "host CS selector is not 0",
            e -> e.r(HOST_CS_SELECTOR) != 0),
    HOST_TR_NOT_NULL(Group.HOST, "27.2.3", "host TR selector is not 0",
            e -> e.r(HOST_TR_SELECTOR) != 0),
    HOST_BASES_CANONICAL(Group.HOST, "27.2.3", "host FS, GS, GDTR, IDTR and TR bases canonical",
            e -> canonical(e.r(HOST_FS_BASE)) && canonical(e.r(HOST_GS_BASE)) && canonical(e.r(HOST_GDTR_BASE))
                    && canonical(e.r(HOST_IDTR_BASE)) && canonical(e.r(HOST_TR_BASE))),

    // 27.2.4 address-space size (jvmx's host is always in IA-32e mode)
    HOST_ADDRESS_SPACE_SIZE(Group.HOST, "27.2.4", "host address-space size = 1 for a 64-bit host",
            e -> e.exit(EXIT_HOST_ADDRESS_SPACE_SIZE)),
    HOST_CR4_PAE(Group.HOST, "27.2.4", "host address-space size = 1 requires host CR4.PAE = 1",
            e -> (e.r(HOST_CR4) & CR4_PAE) != 0),
    HOST_RIP_CANONICAL(Group.HOST, "27.2.4", "host RIP canonical",
            e -> canonical(e.r(HOST_RIP))),

    // 27.3.1.1 guest control registers, debug registers and MSRs
    GUEST_CR0_FIXED(Group.GUEST, "27.3.1.1", "guest CR0 respects IA32_VMX_CR0_FIXED0/1",
            e -> fixed(e.r(GUEST_CR0), VmxCapabilityMsrs.CR0_FIXED0, VmxCapabilityMsrs.CR0_FIXED1)),
    GUEST_CR4_FIXED(Group.GUEST, "27.3.1.1", "guest CR4 respects IA32_VMX_CR4_FIXED0/1",
            e -> fixed(e.r(GUEST_CR4), VmxCapabilityMsrs.CR4_FIXED0, VmxCapabilityMsrs.CR4_FIXED1)),
    GUEST_DEBUG_CONTROLS(Group.GUEST, "27.3.1.1",
            "with load debug controls, IA32_DEBUGCTL reserved bits and DR7 bits 63:32 are 0",
            e -> !e.entry(ENTRY_LOAD_DEBUG_CONTROLS)
                    || (e.r(GUEST_IA32_DEBUGCTL) & ~0xFFC3L) == 0 && (e.r(GUEST_DR7) >>> 32) == 0),
    GUEST_IA32E_PAGING(Group.GUEST, "27.3.1.1", "IA-32e mode guest requires CR0.PG = 1 and CR4.PAE = 1",
            e -> !e.ia32eGuest() || (e.r(GUEST_CR0) & CR0_PG) != 0 && (e.r(GUEST_CR4) & CR4_PAE) != 0),
    GUEST_PCIDE_REQUIRES_IA32E(Group.GUEST, "27.3.1.1", "CR4.PCIDE = 0 unless IA-32e mode guest",
            e -> e.ia32eGuest() || (e.r(GUEST_CR4) & CR4_PCIDE) == 0),
    GUEST_CR3_WIDTH(Group.GUEST, "27.3.1.1", "guest CR3 sets no bit beyond the physical width",
            e -> e.inWidth(e.r(GUEST_CR3))),
    GUEST_SYSENTER_CANONICAL(Group.GUEST, "27.3.1.1", "guest IA32_SYSENTER_ESP/EIP canonical",
            e -> canonical(e.r(GUEST_IA32_SYSENTER_ESP)) && canonical(e.r(GUEST_IA32_SYSENTER_EIP))),
    GUEST_PAT(Group.GUEST, "27.3.1.1", "with load IA32_PAT, every guest PAT entry is a valid memory type",
            e -> !e.entry(ENTRY_LOAD_PAT) || validPat(e.r(GUEST_IA32_PAT))),
    GUEST_EFER(Group.GUEST, "27.3.1.1",
            "with load IA32_EFER, reserved bits 0, LMA = IA-32e mode guest, and LME = LMA if CR0.PG = 1",
            e -> !e.entry(ENTRY_LOAD_EFER) || guestEfer(e)),

    // 27.3.1.2 guest segment registers (not virtual-8086, no unrestricted guest)
    GUEST_TR_TI(Group.GUEST, "27.3.1.2", "TR selector TI = 0",
            e -> !ti(e.r(GUEST_TR_SELECTOR))),
    GUEST_LDTR_TI(Group.GUEST, "27.3.1.2", "a usable LDTR has selector TI = 0",
            e -> unusable(e.r(GUEST_LDTR_ACCESS_RIGHTS)) || !ti(e.r(GUEST_LDTR_SELECTOR))),
    GUEST_SS_RPL(Group.GUEST, "27.3.1.2", "SS selector RPL = CS selector RPL",
            e -> rpl(e.r(GUEST_SS_SELECTOR)) == rpl(e.r(GUEST_CS_SELECTOR))),
    GUEST_BASES_CANONICAL(Group.GUEST, "27.3.1.2", "TR, FS, GS bases and a usable LDTR base canonical",
            e -> canonical(e.r(GUEST_TR_BASE)) && canonical(e.r(GUEST_FS_BASE)) && canonical(e.r(GUEST_GS_BASE))
                    && (unusable(e.r(GUEST_LDTR_ACCESS_RIGHTS)) || canonical(e.r(GUEST_LDTR_BASE)))),
    GUEST_BASES_HIGH_ZERO(Group.GUEST, "27.3.1.2", "CS base and usable SS, DS, ES bases have bits 63:32 = 0",
            e -> (e.r(GUEST_CS_BASE) >>> 32) == 0 && lowBase(e, GUEST_SS_BASE, GUEST_SS_ACCESS_RIGHTS)
                    && lowBase(e, GUEST_DS_BASE, GUEST_DS_ACCESS_RIGHTS) && lowBase(e, GUEST_ES_BASE, GUEST_ES_ACCESS_RIGHTS)),
    GUEST_CS_TYPE(Group.GUEST, "27.3.1.2", "CS type is 9, 11, 13 or 15 (accessed code)",
            e -> switch (type(e.r(GUEST_CS_ACCESS_RIGHTS))) { case 9, 11, 13, 15 -> true; default -> false; }),
    GUEST_SS_TYPE(Group.GUEST, "27.3.1.2", "a usable SS has type 3 or 7",
            e -> unusable(e.r(GUEST_SS_ACCESS_RIGHTS)) || type(e.r(GUEST_SS_ACCESS_RIGHTS)) == 3
                    || type(e.r(GUEST_SS_ACCESS_RIGHTS)) == 7),
    GUEST_DATA_TYPE(Group.GUEST, "27.3.1.2", "usable DS, ES, FS, GS are accessed, and readable if code",
            e -> dataTypes(e)),
    GUEST_SEGMENT_S(Group.GUEST, "27.3.1.2", "CS and usable SS, DS, ES, FS, GS have S = 1",
            e -> allUserSegments(e, ar -> s(ar))),
    GUEST_CS_DPL(Group.GUEST, "27.3.1.2", "CS DPL = SS DPL (non-conforming) or <= SS DPL (conforming)",
            e -> csDpl(e)),
    GUEST_SS_DPL(Group.GUEST, "27.3.1.2", "SS DPL = SS selector RPL",
            e -> unusable(e.r(GUEST_SS_ACCESS_RIGHTS)) || dpl(e.r(GUEST_SS_ACCESS_RIGHTS)) == rpl(e.r(GUEST_SS_SELECTOR))),
    GUEST_DATA_DPL(Group.GUEST, "27.3.1.2", "usable DS, ES, FS, GS of types 0-11 have DPL >= selector RPL",
            e -> dataDpl(e)),
    GUEST_SEGMENT_PRESENT(Group.GUEST, "27.3.1.2", "CS and usable SS, DS, ES, FS, GS are present",
            e -> allUserSegments(e, ar -> p(ar))),
    GUEST_AR_RESERVED(Group.GUEST, "27.3.1.2", "usable segments have access-rights bits 11:8 and 31:17 = 0",
            e -> arReserved(e)),
    GUEST_CS_L_D(Group.GUEST, "27.3.1.2", "in IA-32e mode, CS.L = 1 requires CS.D = 0",
            e -> !e.ia32eGuest() || !l(e.r(GUEST_CS_ACCESS_RIGHTS)) || !db(e.r(GUEST_CS_ACCESS_RIGHTS))),
    GUEST_LIMIT_GRANULARITY(Group.GUEST, "27.3.1.2",
            "usable segments: G = 0 if limit[11:0] is not all ones, G = 1 if limit[31:20] is not 0",
            e -> limits(e)),
    GUEST_TR_TYPE(Group.GUEST, "27.3.1.2", "TR type is 11 (busy 64-bit TSS) in IA-32e mode, else 3 or 11",
            e -> e.ia32eGuest() ? type(e.r(GUEST_TR_ACCESS_RIGHTS)) == 11
                    : type(e.r(GUEST_TR_ACCESS_RIGHTS)) == 11 || type(e.r(GUEST_TR_ACCESS_RIGHTS)) == 3),
    GUEST_TR_SYSTEM(Group.GUEST, "27.3.1.2", "TR has S = 0, P = 1 and is usable",
            e -> !s(e.r(GUEST_TR_ACCESS_RIGHTS)) && p(e.r(GUEST_TR_ACCESS_RIGHTS))
                    && !unusable(e.r(GUEST_TR_ACCESS_RIGHTS))),
    GUEST_LDTR_TYPE(Group.GUEST, "27.3.1.2", "a usable LDTR has type 2, S = 0 and P = 1",
            e -> unusable(e.r(GUEST_LDTR_ACCESS_RIGHTS)) || type(e.r(GUEST_LDTR_ACCESS_RIGHTS)) == 2
                    && !s(e.r(GUEST_LDTR_ACCESS_RIGHTS)) && p(e.r(GUEST_LDTR_ACCESS_RIGHTS))),

    // 27.3.1.3 descriptor-table registers
    GUEST_DTR_BASES_CANONICAL(Group.GUEST, "27.3.1.3", "GDTR and IDTR bases canonical",
            e -> canonical(e.r(GUEST_GDTR_BASE)) && canonical(e.r(GUEST_IDTR_BASE))),
    GUEST_DTR_LIMITS(Group.GUEST, "27.3.1.3", "GDTR and IDTR limits have bits 31:16 = 0",
            e -> (e.r(GUEST_GDTR_LIMIT) & 0xFFFF_0000L) == 0 && (e.r(GUEST_IDTR_LIMIT) & 0xFFFF_0000L) == 0),

    // 27.3.1.4 RIP and RFLAGS
    GUEST_RIP_VALUE(Group.GUEST, "27.3.1.4", "RIP canonical for a 64-bit guest, else bits 63:32 = 0",
            e -> e.ia32eGuest() && l(e.r(GUEST_CS_ACCESS_RIGHTS)) ? canonical(e.r(org.jvmx.vmx.vmcs.VmcsFields.GUEST_RIP))
                    : (e.r(org.jvmx.vmx.vmcs.VmcsFields.GUEST_RIP) >>> 32) == 0),
    GUEST_RFLAGS_RESERVED(Group.GUEST, "27.3.1.4", "RFLAGS bits 63:22, 15, 5, 3 = 0 and bit 1 = 1",
            e -> (e.r(GUEST_RFLAGS) & (~0x3F_FFFFL | 1L << 15 | 1L << 5 | 1L << 3)) == 0
                    && (e.r(GUEST_RFLAGS) & 2) != 0),
    GUEST_RFLAGS_VM(Group.GUEST, "27.3.1.4", "RFLAGS.VM = 0 in IA-32e mode or with CR0.PE = 0",
            e -> !(e.ia32eGuest() || (e.r(GUEST_CR0) & CR0_PE) == 0) || (e.r(GUEST_RFLAGS) & 1L << 17) == 0),
    GUEST_RFLAGS_IF_FOR_INTERRUPT(Group.GUEST, "27.3.1.4", "injecting an external interrupt requires RFLAGS.IF = 1",
            e -> !e.injecting(INTR_TYPE_EXTERNAL) || (e.r(GUEST_RFLAGS) & 1L << 9) != 0),

    // 27.3.1.5 non-register state
    GUEST_ACTIVITY_SUPPORTED(Group.GUEST, "27.3.1.5", "activity state is one IA32_VMX_MISC reports",
            e -> e.caps().supportsActivityState(e.r(GUEST_ACTIVITY_STATE))),
    GUEST_ACTIVITY_HLT_DPL(Group.GUEST, "27.3.1.5", "activity state HLT requires SS DPL = 0",
            e -> e.r(GUEST_ACTIVITY_STATE) != ACTIVITY_HLT || dpl(e.r(GUEST_SS_ACCESS_RIGHTS)) == 0),
    GUEST_ACTIVITY_BLOCKING(Group.GUEST, "27.3.1.5", "blocking by STI or MOV SS requires the active state",
            e -> e.r(GUEST_ACTIVITY_STATE) == ACTIVITY_ACTIVE
                    || (e.r(GUEST_INTERRUPTIBILITY_STATE) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) == 0),
    GUEST_ACTIVITY_EVENT(Group.GUEST, "27.3.1.5", "an injected event is one the activity state can take",
            e -> activityEvent(e)),
    GUEST_INTERRUPTIBILITY_RESERVED(Group.GUEST, "27.3.1.5", "interruptibility-state bits 31:4 = 0",
            e -> (e.r(GUEST_INTERRUPTIBILITY_STATE) & ~0xFL) == 0),
    GUEST_STI_AND_MOV_SS(Group.GUEST, "27.3.1.5", "blocking by STI and by MOV SS are not both set",
            e -> (e.r(GUEST_INTERRUPTIBILITY_STATE) & 3) != 3),
    GUEST_STI_REQUIRES_IF(Group.GUEST, "27.3.1.5", "blocking by STI requires RFLAGS.IF = 1",
            e -> (e.r(GUEST_INTERRUPTIBILITY_STATE) & INTERRUPTIBILITY_STI) == 0 || (e.r(GUEST_RFLAGS) & 1L << 9) != 0),
    GUEST_INTERRUPT_BLOCKING(Group.GUEST, "27.3.1.5", "injecting an external interrupt requires no STI/MOV SS blocking",
            e -> !e.injecting(INTR_TYPE_EXTERNAL) || (e.r(GUEST_INTERRUPTIBILITY_STATE) & 3) == 0),
    GUEST_NMI_MOV_SS(Group.GUEST, "27.3.1.5", "injecting an NMI requires no blocking by MOV SS",
            e -> !e.injecting(INTR_TYPE_NMI) || (e.r(GUEST_INTERRUPTIBILITY_STATE) & INTERRUPTIBILITY_MOV_SS) == 0),
    GUEST_NMI_STI(Group.GUEST, "27.3.1.5", "jvmx requires no blocking by STI when injecting an NMI",
            e -> !e.injecting(INTR_TYPE_NMI) || (e.r(GUEST_INTERRUPTIBILITY_STATE) & INTERRUPTIBILITY_STI) == 0, 3),
    GUEST_SMI_BLOCKING(Group.GUEST, "27.3.1.5", "blocking by SMI = 0 outside SMM",
            e -> (e.r(GUEST_INTERRUPTIBILITY_STATE) & INTERRUPTIBILITY_SMI) == 0),
    GUEST_VIRTUAL_NMI_BLOCKING(Group.GUEST, "27.3.1.5", "with virtual NMIs, injecting an NMI requires no blocking by NMI",
            e -> !e.pin(PIN_VIRTUAL_NMIS) || !e.injecting(INTR_TYPE_NMI)
                    || (e.r(GUEST_INTERRUPTIBILITY_STATE) & INTERRUPTIBILITY_NMI) == 0),
    GUEST_PENDING_DEBUG_RESERVED(Group.GUEST, "27.3.1.5", "pending debug exceptions: only bits 3:0, 12, 14, 16 may be set",
            e -> (e.r(GUEST_PENDING_DEBUG_EXCEPTIONS) & ~0x1_500FL) == 0),
    GUEST_PENDING_DEBUG_BS(Group.GUEST, "27.3.1.5",
            "with STI/MOV SS blocking or HLT, pending BS = RFLAGS.TF and not IA32_DEBUGCTL.BTF",
            e -> pendingBs(e)),
    GUEST_VMCS_LINK_POINTER(Group.GUEST, "27.3.1.5", "VMCS link pointer is all ones (VMCS shadowing not supported)",
            e -> e.r(VMCS_LINK_POINTER) == -1L, 4);

    /** Where a rule sits, which decides how its failure is reported. */
    public enum Group {
        /** 27.2.1: VMfailValid(7). */
        CONTROLS,
        /** 27.2.2-27.2.4: VMfailValid(8). */
        HOST,
        /** 27.3.1: VM-entry failure, exit reason 33 with bit 31 set. */
        GUEST
    }

    private final Group group;
    private final String section;
    private final String text;
    private final Predicate<EntryEnv> ok;
    private final int qualification;

    EntryRule(Group group, String section, String text, Predicate<EntryEnv> ok) {
        this(group, section, text, ok, 0);
    }

    EntryRule(Group group, String section, String text, Predicate<EntryEnv> ok, int qualification) {
        this.group = group;
        this.section = section;
        this.text = text;
        this.ok = ok;
        this.qualification = qualification;
    }

    public Group group() {
        return group;
    }

    /** The SDM Vol. 3C section that states the check. */
    public String section() {
        return section;
    }

    public String text() {
        return text;
    }

    /** The exit qualification of a VM-entry failure (SDM 27.8): 0, or 3 / 4 for the listed cases. */
    public int qualification() {
        return qualification;
    }

    public boolean holds(EntryEnv env) {
        return ok.test(env);
    }

    @Override
    public String toString() {
        return name() + " (SDM " + section + ": " + text + ")";
    }

    // ---- helpers ----

    private static boolean page(EntryEnv e, VmcsField f) {
        long a = e.r(f);
        return (a & 0xFFF) == 0 && e.inWidth(a);
    }

    private static boolean errorCodeExpected(EntryEnv e) {
        if ((e.r(GUEST_CR0) & CR0_PE) == 0 || e.injType() != INTR_TYPE_HARDWARE_EXCEPTION) {
            return false;
        }
        return switch (e.injVector()) {
            case 8, 10, 11, 12, 13, 14, 17 -> true;
            default -> false;
        };
    }

    private static boolean hostEfer(EntryEnv e) {
        long efer = e.r(HOST_IA32_EFER);
        boolean as = e.exit(EXIT_HOST_ADDRESS_SPACE_SIZE);
        return (efer & ~EFER_VALID) == 0 && ((efer & EFER_LMA) != 0) == as && ((efer & EFER_LME) != 0) == as;
    }

    private static boolean guestEfer(EntryEnv e) {
        long efer = e.r(GUEST_IA32_EFER);
        boolean lma = (efer & EFER_LMA) != 0;
        return (efer & ~EFER_VALID) == 0 && lma == e.ia32eGuest()
                && ((e.r(GUEST_CR0) & CR0_PG) == 0 || ((efer & EFER_LME) != 0) == lma);
    }

    private static final VmcsField[] HOST_SELECTORS = {HOST_ES_SELECTOR, HOST_CS_SELECTOR, HOST_SS_SELECTOR,
            HOST_DS_SELECTOR, HOST_FS_SELECTOR, HOST_GS_SELECTOR, HOST_TR_SELECTOR};

    private static boolean hostSelectorsClean(EntryEnv e) {
        for (VmcsField f : HOST_SELECTORS) {
            if ((e.r(f) & 7) != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean lowBase(EntryEnv e, VmcsField base, VmcsField ar) {
        return unusable(e.r(ar)) || (e.r(base) >>> 32) == 0;
    }

    private static final VmcsField[] DATA_AR = {GUEST_DS_ACCESS_RIGHTS, GUEST_ES_ACCESS_RIGHTS, GUEST_FS_ACCESS_RIGHTS,
            GUEST_GS_ACCESS_RIGHTS};
    private static final VmcsField[] DATA_SEL = {GUEST_DS_SELECTOR, GUEST_ES_SELECTOR, GUEST_FS_SELECTOR,
            GUEST_GS_SELECTOR};

    private static boolean dataTypes(EntryEnv e) {
        for (VmcsField f : DATA_AR) {
            long ar = e.r(f);
            if (!unusable(ar) && ((type(ar) & 1) == 0 || (type(ar) & 8) != 0 && (type(ar) & 2) == 0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean allUserSegments(EntryEnv e, java.util.function.LongPredicate p) {
        if (!p.test(e.r(GUEST_CS_ACCESS_RIGHTS))) {
            return false;
        }
        for (VmcsField f : new VmcsField[] {GUEST_SS_ACCESS_RIGHTS, GUEST_DS_ACCESS_RIGHTS, GUEST_ES_ACCESS_RIGHTS,
                GUEST_FS_ACCESS_RIGHTS, GUEST_GS_ACCESS_RIGHTS}) {
            long ar = e.r(f);
            if (!unusable(ar) && !p.test(ar)) {
                return false;
            }
        }
        return true;
    }

    private static boolean csDpl(EntryEnv e) {
        long cs = e.r(GUEST_CS_ACCESS_RIGHTS);
        int ss = dpl(e.r(GUEST_SS_ACCESS_RIGHTS));
        return (type(cs) & 4) == 0 ? dpl(cs) == ss : dpl(cs) <= ss;
    }

    private static boolean dataDpl(EntryEnv e) {
        for (int i = 0; i < DATA_AR.length; i++) {
            long ar = e.r(DATA_AR[i]);
            if (!unusable(ar) && type(ar) <= 11 && dpl(ar) < rpl(e.r(DATA_SEL[i]))) {
                return false;
            }
        }
        return true;
    }

    private static final VmcsField[][] SEGMENTS = {
            {GUEST_CS_ACCESS_RIGHTS, GUEST_CS_LIMIT}, {GUEST_SS_ACCESS_RIGHTS, GUEST_SS_LIMIT},
            {GUEST_DS_ACCESS_RIGHTS, GUEST_DS_LIMIT}, {GUEST_ES_ACCESS_RIGHTS, GUEST_ES_LIMIT},
            {GUEST_FS_ACCESS_RIGHTS, GUEST_FS_LIMIT}, {GUEST_GS_ACCESS_RIGHTS, GUEST_GS_LIMIT},
            {GUEST_TR_ACCESS_RIGHTS, GUEST_TR_LIMIT}, {GUEST_LDTR_ACCESS_RIGHTS, GUEST_LDTR_LIMIT}};

    private static boolean arReserved(EntryEnv e) {
        for (VmcsField[] s : SEGMENTS) {
            long ar = e.r(s[0]);
            boolean alwaysUsable = s[0] == GUEST_CS_ACCESS_RIGHTS || s[0] == GUEST_TR_ACCESS_RIGHTS;
            if ((alwaysUsable || !unusable(ar)) && (ar & (0xF00L | 0xFFFE_0000L)) != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean limits(EntryEnv e) {
        for (VmcsField[] s : SEGMENTS) {
            long ar = e.r(s[0]);
            long limit = e.r(s[1]);
            boolean alwaysUsable = s[0] == GUEST_CS_ACCESS_RIGHTS || s[0] == GUEST_TR_ACCESS_RIGHTS;
            if (!alwaysUsable && unusable(ar)) {
                continue;
            }
            if ((limit & 0xFFF) != 0xFFF && g(ar) || (limit & 0xFFF0_0000L) != 0 && !g(ar)) {
                return false;
            }
        }
        return true;
    }

    private static boolean activityEvent(EntryEnv e) {
        if (!e.injecting()) {
            return true;
        }
        int type = e.injType();
        int vector = e.injVector();
        return switch ((int) e.r(GUEST_ACTIVITY_STATE)) {
            case ACTIVITY_ACTIVE -> true;
            case ACTIVITY_HLT -> type == INTR_TYPE_EXTERNAL || type == INTR_TYPE_NMI
                    || type == INTR_TYPE_HARDWARE_EXCEPTION && (vector == 1 || vector == 18);
            case ACTIVITY_SHUTDOWN -> type == INTR_TYPE_NMI || type == INTR_TYPE_HARDWARE_EXCEPTION && vector == 18;
            default -> false;
        };
    }

    private static boolean pendingBs(EntryEnv e) {
        boolean blocking = (e.r(GUEST_INTERRUPTIBILITY_STATE) & 3) != 0 || e.r(GUEST_ACTIVITY_STATE) == ACTIVITY_HLT;
        if (!blocking) {
            return true;
        }
        boolean bs = (e.r(GUEST_PENDING_DEBUG_EXCEPTIONS) & (1L << 14)) != 0;
        boolean tf = (e.r(GUEST_RFLAGS) & (1L << 8)) != 0;
        boolean btf = (e.r(GUEST_IA32_DEBUGCTL) & 2) != 0;
        return bs == (tf && !btf);
    }
}
