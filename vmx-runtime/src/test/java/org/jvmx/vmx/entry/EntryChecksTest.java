package org.jvmx.vmx.entry;

import static org.junit.jupiter.api.Assertions.*;
import static org.jvmx.vmx.vmcs.Controls.*;
import static org.jvmx.vmx.vmcs.VmcsFields.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.jvmx.vmx.vmcs.Vmcs;
import org.jvmx.vmx.vmcs.VmcsField;
import org.jvmx.vmx.vmcs.VmInstructionError;
import org.jvmx.vmx.vmcs.VmxContext;
import org.jvmx.vmx.vmcs.VmxInstructions;
import org.jvmx.vmx.vmcs.VmxCapabilities;
import org.jvmx.vmx.vmcs.VmxResult;
import org.jvmx.vmx.vmcs.LaunchState;

/** Every rule of SDM Vol. 3C 27.2 / 27.3.1 broken alone on the valid template. */
class EntryChecksTest {
    private static final int REV = 1;
    private final EntryChecks checks = new EntryChecks(new VmxCapabilityMsrs(REV), 39);

    @Test
    void validTemplatePasses() {
        Vmcs v = VmcsTemplates.validGuest64(REV);
        assertTrue(checks.check(v).passed(), () -> "failed " + checks.check(v).failed());
        assertTrue(checks.enter(new VmxContext(), v, false).succeeded());
    }

    @Test
    void guestStateFailureLeavesTheVmcsClearAndLaunchStateUnchanged() {
        VmxContext ctx = new VmxContext();
        ctx.allocate(0x1000, REV);
        Vmcs v = ctx.allocate(0x2000, REV);
        VmcsTemplates.fillValidGuest64(v);
        v.write(GUEST_RFLAGS, 0); // bit 1 must be 1: a guest-state rule
        VmxInstructions vmx = new VmxInstructions(new VmxCapabilities(REV, 39, false), checks);
        assertTrue(vmx.vmxon(ctx, 0x1000).succeeded());
        assertTrue(vmx.vmptrld(ctx, 0x2000).succeeded());
        VmxResult r = vmx.vmlaunch(ctx);
        assertEquals(VmxResult.Kind.ENTRY_FAILURE, r.kind(), r.toString());
        assertEquals(0x8000_0021L, v.read(VM_EXIT_REASON));
        assertEquals(LaunchState.CLEAR, v.launchState(), "SDM 27.8: not LAUNCHED");
        v.write(GUEST_RFLAGS, 2);
        assertTrue(vmx.vmlaunch(ctx).succeeded());
        assertEquals(LaunchState.LAUNCHED, v.launchState());
    }

    private static void or(Vmcs v, VmcsField f, long bits) {
        v.write(f, v.read(f) | bits);
    }

    private static void and(Vmcs v, VmcsField f, long bits) {
        v.write(f, v.read(f) & bits);
    }

    private static void inject(Vmcs v, int type, int vector, boolean errorCode) {
        v.write(VM_ENTRY_INTERRUPTION_INFO, INTR_INFO_VALID | (type << 8) | vector
                | (errorCode ? INTR_INFO_DELIVER_ERROR_CODE : 0));
        v.write(VM_ENTRY_INSTRUCTION_LENGTH, 2);
    }

    /** Breaks exactly {@code rule} (and no rule before it). */
    static void breakRule(EntryRule rule, Vmcs v) {
        switch (rule) {
            case PIN_RESERVED -> or(v, PIN_BASED_VM_EXEC_CONTROL, PIN_POSTED_INTERRUPTS);
            case PROC_RESERVED -> or(v, CPU_BASED_VM_EXEC_CONTROL, PROC_TPR_SHADOW);
            case PROC2_RESERVED -> or(v, SECONDARY_VM_EXEC_CONTROL, PROC2_EPT);
            case CR3_TARGET_COUNT_LIMIT -> v.write(CR3_TARGET_COUNT, 5);
            case IO_BITMAP_ADDRESSES -> {
                or(v, CPU_BASED_VM_EXEC_CONTROL, PROC_IO_BITMAPS);
                v.write(IO_BITMAP_A, 0x10000);
                v.write(IO_BITMAP_B, 0x10800);
            }
            case MSR_BITMAP_ADDRESS -> {
                or(v, CPU_BASED_VM_EXEC_CONTROL, PROC_MSR_BITMAPS);
                v.write(MSR_BITMAP, 1L << 40);
            }
            case VIRTUAL_NMIS_REQUIRE_NMI_EXITING -> v.write(PIN_BASED_VM_EXEC_CONTROL, PIN_DEFAULT1 | PIN_VIRTUAL_NMIS);
            case NMI_WINDOW_REQUIRES_VIRTUAL_NMIS -> or(v, CPU_BASED_VM_EXEC_CONTROL, PROC_NMI_WINDOW_EXITING);
            case EXIT_RESERVED -> or(v, VM_EXIT_CONTROLS, EXIT_LOAD_CET);
            case SAVE_PREEMPTION_TIMER_REQUIRES_ACTIVATE -> or(v, VM_EXIT_CONTROLS, EXIT_SAVE_PREEMPTION_TIMER);
            case EXIT_MSR_STORE_AREA -> {
                v.write(VM_EXIT_MSR_STORE_COUNT, 1);
                v.write(VM_EXIT_MSR_STORE_ADDR, 0x1008);
            }
            case EXIT_MSR_LOAD_AREA -> {
                v.write(VM_EXIT_MSR_LOAD_COUNT, 2);
                v.write(VM_EXIT_MSR_LOAD_ADDR, (1L << 39) - 16);
            }
            case ENTRY_RESERVED -> or(v, VM_ENTRY_CONTROLS, ENTRY_TO_SMM);
            case EVENT_TYPE -> inject(v, 1, 0x20, false);
            case EVENT_NMI_VECTOR -> inject(v, INTR_TYPE_NMI, 3, false);
            case EVENT_EXCEPTION_VECTOR -> inject(v, INTR_TYPE_HARDWARE_EXCEPTION, 32, false);
            case EVENT_DELIVER_ERROR_CODE -> inject(v, INTR_TYPE_HARDWARE_EXCEPTION, 13, false);
            case EVENT_RESERVED_BITS -> v.write(VM_ENTRY_INTERRUPTION_INFO, INTR_INFO_VALID | 0x1000 | 0x20);
            case EVENT_ERROR_CODE_RESERVED -> {
                inject(v, INTR_TYPE_HARDWARE_EXCEPTION, 13, true);
                v.write(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x10000);
            }
            case EVENT_INSTRUCTION_LENGTH -> {
                inject(v, INTR_TYPE_SOFTWARE_INTERRUPT, 0x80, false);
                v.write(VM_ENTRY_INSTRUCTION_LENGTH, 16);
            }
            case ENTRY_MSR_LOAD_AREA -> {
                v.write(VM_ENTRY_MSR_LOAD_COUNT, 1);
                v.write(VM_ENTRY_MSR_LOAD_ADDR, 0x2004);
            }
            case HOST_CR0_FIXED -> and(v, HOST_CR0, ~0x20L);
            case HOST_CR4_FIXED -> and(v, HOST_CR4, ~0x2000L);
            case HOST_CR3_WIDTH -> v.write(HOST_CR3, 1L << 39);
            case HOST_SYSENTER_CANONICAL -> v.write(HOST_IA32_SYSENTER_EIP, 0x0000_8000_0000_0000L);
            case HOST_PAT -> v.write(HOST_IA32_PAT, 0x02);
            case HOST_EFER -> v.write(HOST_IA32_EFER, 0x101);
            case HOST_SELECTOR_RPL_TI -> v.write(HOST_DS_SELECTOR, 0x13);
            case HOST_CS_NOT_NULL -> v.write(HOST_CS_SELECTOR, 0);
            case HOST_TR_NOT_NULL -> v.write(HOST_TR_SELECTOR, 0);
            case HOST_BASES_CANONICAL -> v.write(HOST_GS_BASE, 0x0001_0000_0000_0000L);
            case HOST_ADDRESS_SPACE_SIZE -> {
                and(v, VM_EXIT_CONTROLS, ~(long) EXIT_HOST_ADDRESS_SPACE_SIZE);
                v.write(HOST_IA32_EFER, 0x1);
            }
            case HOST_CR4_PAE -> and(v, HOST_CR4, ~0x20L);
            case HOST_RIP_CANONICAL -> v.write(HOST_RIP, 0x0000_9000_0000_0000L);
            case GUEST_CR0_FIXED -> and(v, GUEST_CR0, ~0x20L);
            case GUEST_CR4_FIXED -> or(v, GUEST_CR4, 1L << 12);
            case GUEST_DEBUG_CONTROLS -> v.write(GUEST_DR7, 1L << 32 | 0x400);
            case GUEST_IA32E_PAGING -> and(v, GUEST_CR4, ~0x20L);
            case GUEST_PCIDE_REQUIRES_IA32E -> {
                and(v, VM_ENTRY_CONTROLS, ~(long) (ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_EFER));
                or(v, GUEST_CR4, 1L << 17);
            }
            case GUEST_CR3_WIDTH -> v.write(GUEST_CR3, 1L << 45);
            case GUEST_SYSENTER_CANONICAL -> v.write(GUEST_IA32_SYSENTER_ESP, 0x1234_0000_0000_0000L);
            case GUEST_PAT -> v.write(GUEST_IA32_PAT, 0x0800);
            case GUEST_EFER -> v.write(GUEST_IA32_EFER, 0x100);
            case GUEST_TR_TI -> v.write(GUEST_TR_SELECTOR, 0x1C);
            case GUEST_LDTR_TI -> {
                v.write(GUEST_LDTR_SELECTOR, 0x24);
                v.write(GUEST_LDTR_ACCESS_RIGHTS, 0x82);
            }
            case GUEST_SS_RPL -> v.write(GUEST_SS_SELECTOR, 0x13);
            case GUEST_BASES_CANONICAL -> v.write(GUEST_FS_BASE, 0x0000_8000_0000_0000L);
            case GUEST_BASES_HIGH_ZERO -> v.write(GUEST_DS_BASE, 1L << 32);
            case GUEST_CS_TYPE -> v.write(GUEST_CS_ACCESS_RIGHTS, VmcsTemplates.AR_CODE64 & ~1L);
            case GUEST_SS_TYPE -> v.write(GUEST_SS_ACCESS_RIGHTS, VmcsTemplates.AR_DATA & ~0xFL | 1);
            case GUEST_DATA_TYPE -> v.write(GUEST_ES_ACCESS_RIGHTS, VmcsTemplates.AR_DATA & ~0xFL | 0x9);
            case GUEST_SEGMENT_S -> v.write(GUEST_FS_ACCESS_RIGHTS, VmcsTemplates.AR_DATA & ~0x10L);
            case GUEST_CS_DPL -> v.write(GUEST_CS_ACCESS_RIGHTS, VmcsTemplates.AR_CODE64 | 0x60);
            case GUEST_SS_DPL -> {
                v.write(GUEST_SS_ACCESS_RIGHTS, VmcsTemplates.AR_DATA | 0x60);
                v.write(GUEST_CS_ACCESS_RIGHTS, VmcsTemplates.AR_CODE64 | 0x60);
            }
            case GUEST_DATA_DPL -> v.write(GUEST_GS_SELECTOR, 0x13);
            case GUEST_SEGMENT_PRESENT -> v.write(GUEST_DS_ACCESS_RIGHTS, VmcsTemplates.AR_DATA & ~0x80L);
            case GUEST_AR_RESERVED -> v.write(GUEST_TR_ACCESS_RIGHTS, VmcsTemplates.AR_TSS64_BUSY | 0x100);
            case GUEST_CS_L_D -> or(v, GUEST_CS_ACCESS_RIGHTS, 0x4000);
            case GUEST_LIMIT_GRANULARITY -> v.write(GUEST_SS_LIMIT, 0xFFFF_F000L);
            case GUEST_TR_TYPE -> v.write(GUEST_TR_ACCESS_RIGHTS, 0x89);
            case GUEST_TR_SYSTEM -> v.write(GUEST_TR_ACCESS_RIGHTS, VmcsTemplates.AR_TSS64_BUSY & ~0x80L);
            case GUEST_LDTR_TYPE -> v.write(GUEST_LDTR_ACCESS_RIGHTS, 0x8B);
            case GUEST_DTR_BASES_CANONICAL -> v.write(GUEST_IDTR_BASE, 0x00F0_0000_0000_0000L);
            case GUEST_DTR_LIMITS -> v.write(GUEST_GDTR_LIMIT, 0x1_0000);
            case GUEST_RIP_VALUE -> v.write(GUEST_RIP, 0x0000_8000_0000_0000L);
            case GUEST_RFLAGS_RESERVED -> v.write(GUEST_RFLAGS, 0x2 | 1L << 15);
            case GUEST_RFLAGS_VM -> v.write(GUEST_RFLAGS, 0x2 | 1L << 17);
            case GUEST_RFLAGS_IF_FOR_INTERRUPT -> inject(v, INTR_TYPE_EXTERNAL, 0x20, false);
            case GUEST_ACTIVITY_SUPPORTED -> v.write(GUEST_ACTIVITY_STATE, 4);
            case GUEST_ACTIVITY_HLT_DPL -> {
                v.write(GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
                v.write(GUEST_SS_SELECTOR, 0x13);
                v.write(GUEST_SS_ACCESS_RIGHTS, VmcsTemplates.AR_DATA | 0x60);
                v.write(GUEST_CS_SELECTOR, 0x0B);
                v.write(GUEST_CS_ACCESS_RIGHTS, VmcsTemplates.AR_CODE64 | 0x60);
            }
            case GUEST_ACTIVITY_BLOCKING -> {
                v.write(GUEST_RFLAGS, 0x202);
                v.write(GUEST_ACTIVITY_STATE, ACTIVITY_SHUTDOWN);
                v.write(GUEST_INTERRUPTIBILITY_STATE, INTERRUPTIBILITY_STI);
            }
            case GUEST_ACTIVITY_EVENT -> {
                v.write(GUEST_ACTIVITY_STATE, ACTIVITY_SHUTDOWN);
                v.write(GUEST_RFLAGS, 0x202);
                inject(v, INTR_TYPE_EXTERNAL, 0x20, false);
            }
            case GUEST_INTERRUPTIBILITY_RESERVED -> v.write(GUEST_INTERRUPTIBILITY_STATE, 0x10);
            case GUEST_STI_AND_MOV_SS -> {
                v.write(GUEST_RFLAGS, 0x202);
                v.write(GUEST_INTERRUPTIBILITY_STATE, 3);
            }
            case GUEST_STI_REQUIRES_IF -> v.write(GUEST_INTERRUPTIBILITY_STATE, INTERRUPTIBILITY_STI);
            case GUEST_INTERRUPT_BLOCKING -> {
                v.write(GUEST_RFLAGS, 0x202);
                v.write(GUEST_INTERRUPTIBILITY_STATE, INTERRUPTIBILITY_MOV_SS);
                inject(v, INTR_TYPE_EXTERNAL, 0x20, false);
            }
            case GUEST_NMI_MOV_SS -> {
                v.write(GUEST_INTERRUPTIBILITY_STATE, INTERRUPTIBILITY_MOV_SS);
                inject(v, INTR_TYPE_NMI, 2, false);
            }
            case GUEST_NMI_STI -> {
                v.write(GUEST_RFLAGS, 0x202);
                v.write(GUEST_INTERRUPTIBILITY_STATE, INTERRUPTIBILITY_STI);
                inject(v, INTR_TYPE_NMI, 2, false);
            }
            case GUEST_SMI_BLOCKING -> v.write(GUEST_INTERRUPTIBILITY_STATE, INTERRUPTIBILITY_SMI);
            case GUEST_VIRTUAL_NMI_BLOCKING -> {
                or(v, PIN_BASED_VM_EXEC_CONTROL, PIN_VIRTUAL_NMIS);
                v.write(GUEST_INTERRUPTIBILITY_STATE, INTERRUPTIBILITY_NMI);
                inject(v, INTR_TYPE_NMI, 2, false);
            }
            case GUEST_PENDING_DEBUG_RESERVED -> v.write(GUEST_PENDING_DEBUG_EXCEPTIONS, 1L << 13);
            case GUEST_PENDING_DEBUG_BS -> {
                v.write(GUEST_RFLAGS, 0x302);
                v.write(GUEST_INTERRUPTIBILITY_STATE, INTERRUPTIBILITY_STI);
            }
            case GUEST_VMCS_LINK_POINTER -> v.write(VMCS_LINK_POINTER, 0x5000);
        }
    }

    @ParameterizedTest
    @EnumSource(EntryRule.class)
    void eachRuleBrokenAloneIsReported(EntryRule rule) {
        Vmcs v = VmcsTemplates.validGuest64(REV);
        breakRule(rule, v);
        EntryChecks.Outcome o = checks.check(v);
        assertEquals(rule, o.failed());
        VmxResult r = checks.enter(new VmxContext(), v, false);
        switch (rule.group()) {
            case CONTROLS -> assertEquals(VmxResult.failValid(VmInstructionError.ENTRY_INVALID_CONTROL_FIELDS), r);
            case HOST -> assertEquals(VmxResult.failValid(VmInstructionError.ENTRY_INVALID_HOST_STATE), r);
            case GUEST -> {
                assertEquals(0x8000_0021L, v.read(VM_EXIT_REASON));
                assertEquals(rule.qualification(), v.read(EXIT_QUALIFICATION));
                assertTrue(o.entryFailure());
            }
        }
    }

    @Test
    void qualificationsOfTheListedCases() {
        assertEquals(4, EntryRule.GUEST_VMCS_LINK_POINTER.qualification());
        assertEquals(3, EntryRule.GUEST_NMI_STI.qualification());
    }
}
