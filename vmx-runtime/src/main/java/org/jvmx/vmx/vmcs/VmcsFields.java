package org.jvmx.vmx.vmcs;

/**
 * Named VMCS fields for code that refers to a field by name. Each constant is looked up in
 * {@link VmcsFieldTable#standard()}; a test checks that this class and the table list the
 * same fields. Grouped as in Intel SDM Vol. 3C Appendix B.
 */
public final class VmcsFields {
    private VmcsFields() {
    }

    private static VmcsField f(String name) {
        return VmcsFieldTable.standard().require(name);
    }

    // SDM Vol. 3C B.1.1 16-bit control fields
    public static final VmcsField VIRTUAL_PROCESSOR_ID = f("VIRTUAL_PROCESSOR_ID");
    public static final VmcsField POSTED_INTR_NOTIFICATION_VECTOR = f("POSTED_INTR_NOTIFICATION_VECTOR");
    public static final VmcsField EPTP_INDEX = f("EPTP_INDEX");
    public static final VmcsField HLAT_PREFIX_SIZE = f("HLAT_PREFIX_SIZE");
    public static final VmcsField LAST_PID_POINTER_INDEX = f("LAST_PID_POINTER_INDEX");

    // SDM Vol. 3C B.1.2 16-bit guest-state fields
    public static final VmcsField GUEST_ES_SELECTOR = f("GUEST_ES_SELECTOR");
    public static final VmcsField GUEST_CS_SELECTOR = f("GUEST_CS_SELECTOR");
    public static final VmcsField GUEST_SS_SELECTOR = f("GUEST_SS_SELECTOR");
    public static final VmcsField GUEST_DS_SELECTOR = f("GUEST_DS_SELECTOR");
    public static final VmcsField GUEST_FS_SELECTOR = f("GUEST_FS_SELECTOR");
    public static final VmcsField GUEST_GS_SELECTOR = f("GUEST_GS_SELECTOR");
    public static final VmcsField GUEST_LDTR_SELECTOR = f("GUEST_LDTR_SELECTOR");
    public static final VmcsField GUEST_TR_SELECTOR = f("GUEST_TR_SELECTOR");
    public static final VmcsField GUEST_INTERRUPT_STATUS = f("GUEST_INTERRUPT_STATUS");
    public static final VmcsField GUEST_PML_INDEX = f("GUEST_PML_INDEX");
    public static final VmcsField GUEST_UINV = f("GUEST_UINV");

    // SDM Vol. 3C B.1.3 16-bit host-state fields
    public static final VmcsField HOST_ES_SELECTOR = f("HOST_ES_SELECTOR");
    public static final VmcsField HOST_CS_SELECTOR = f("HOST_CS_SELECTOR");
    public static final VmcsField HOST_SS_SELECTOR = f("HOST_SS_SELECTOR");
    public static final VmcsField HOST_DS_SELECTOR = f("HOST_DS_SELECTOR");
    public static final VmcsField HOST_FS_SELECTOR = f("HOST_FS_SELECTOR");
    public static final VmcsField HOST_GS_SELECTOR = f("HOST_GS_SELECTOR");
    public static final VmcsField HOST_TR_SELECTOR = f("HOST_TR_SELECTOR");

    // SDM Vol. 3C B.2.1 64-bit control fields
    public static final VmcsField IO_BITMAP_A = f("IO_BITMAP_A");
    public static final VmcsField IO_BITMAP_B = f("IO_BITMAP_B");
    public static final VmcsField MSR_BITMAP = f("MSR_BITMAP");
    public static final VmcsField VM_EXIT_MSR_STORE_ADDR = f("VM_EXIT_MSR_STORE_ADDR");
    public static final VmcsField VM_EXIT_MSR_LOAD_ADDR = f("VM_EXIT_MSR_LOAD_ADDR");
    public static final VmcsField VM_ENTRY_MSR_LOAD_ADDR = f("VM_ENTRY_MSR_LOAD_ADDR");
    public static final VmcsField EXECUTIVE_VMCS_POINTER = f("EXECUTIVE_VMCS_POINTER");
    public static final VmcsField PML_ADDRESS = f("PML_ADDRESS");
    public static final VmcsField TSC_OFFSET = f("TSC_OFFSET");
    public static final VmcsField VIRTUAL_APIC_PAGE_ADDR = f("VIRTUAL_APIC_PAGE_ADDR");
    public static final VmcsField APIC_ACCESS_ADDR = f("APIC_ACCESS_ADDR");
    public static final VmcsField POSTED_INTR_DESC_ADDR = f("POSTED_INTR_DESC_ADDR");
    public static final VmcsField VM_FUNCTION_CONTROLS = f("VM_FUNCTION_CONTROLS");
    public static final VmcsField EPT_POINTER = f("EPT_POINTER");
    public static final VmcsField EOI_EXIT_BITMAP_0 = f("EOI_EXIT_BITMAP_0");
    public static final VmcsField EOI_EXIT_BITMAP_1 = f("EOI_EXIT_BITMAP_1");
    public static final VmcsField EOI_EXIT_BITMAP_2 = f("EOI_EXIT_BITMAP_2");
    public static final VmcsField EOI_EXIT_BITMAP_3 = f("EOI_EXIT_BITMAP_3");
    public static final VmcsField EPTP_LIST_ADDRESS = f("EPTP_LIST_ADDRESS");
    public static final VmcsField VMREAD_BITMAP = f("VMREAD_BITMAP");
    public static final VmcsField VMWRITE_BITMAP = f("VMWRITE_BITMAP");
    public static final VmcsField VIRTUALIZATION_EXCEPTION_INFO_ADDR = f("VIRTUALIZATION_EXCEPTION_INFO_ADDR");
    public static final VmcsField XSS_EXITING_BITMAP = f("XSS_EXITING_BITMAP");
    public static final VmcsField ENCLS_EXITING_BITMAP = f("ENCLS_EXITING_BITMAP");
    public static final VmcsField SUB_PAGE_PERMISSION_TABLE_POINTER = f("SUB_PAGE_PERMISSION_TABLE_POINTER");
    public static final VmcsField TSC_MULTIPLIER = f("TSC_MULTIPLIER");
    public static final VmcsField TERTIARY_VM_EXEC_CONTROL = f("TERTIARY_VM_EXEC_CONTROL");
    public static final VmcsField ENCLV_EXITING_BITMAP = f("ENCLV_EXITING_BITMAP");
    public static final VmcsField LOW_PASID_DIRECTORY_ADDR = f("LOW_PASID_DIRECTORY_ADDR");
    public static final VmcsField HIGH_PASID_DIRECTORY_ADDR = f("HIGH_PASID_DIRECTORY_ADDR");
    public static final VmcsField SHARED_EPT_POINTER = f("SHARED_EPT_POINTER");
    public static final VmcsField PCONFIG_EXITING_BITMAP = f("PCONFIG_EXITING_BITMAP");
    public static final VmcsField HLAT_POINTER = f("HLAT_POINTER");
    public static final VmcsField PID_POINTER_TABLE_ADDR = f("PID_POINTER_TABLE_ADDR");
    public static final VmcsField SECONDARY_VM_EXIT_CONTROLS = f("SECONDARY_VM_EXIT_CONTROLS");
    public static final VmcsField IA32_SPEC_CTRL_MASK = f("IA32_SPEC_CTRL_MASK");
    public static final VmcsField IA32_SPEC_CTRL_SHADOW = f("IA32_SPEC_CTRL_SHADOW");
    public static final VmcsField INJECTED_EVENT_DATA = f("INJECTED_EVENT_DATA");

    // SDM Vol. 3C B.2.2 64-bit read-only data fields
    public static final VmcsField GUEST_PHYSICAL_ADDRESS = f("GUEST_PHYSICAL_ADDRESS");
    public static final VmcsField ORIGINAL_EVENT_DATA = f("ORIGINAL_EVENT_DATA");

    // SDM Vol. 3C B.2.3 64-bit guest-state fields
    public static final VmcsField VMCS_LINK_POINTER = f("VMCS_LINK_POINTER");
    public static final VmcsField GUEST_IA32_DEBUGCTL = f("GUEST_IA32_DEBUGCTL");
    public static final VmcsField GUEST_IA32_PAT = f("GUEST_IA32_PAT");
    public static final VmcsField GUEST_IA32_EFER = f("GUEST_IA32_EFER");
    public static final VmcsField GUEST_IA32_PERF_GLOBAL_CTRL = f("GUEST_IA32_PERF_GLOBAL_CTRL");
    public static final VmcsField GUEST_PDPTE0 = f("GUEST_PDPTE0");
    public static final VmcsField GUEST_PDPTE1 = f("GUEST_PDPTE1");
    public static final VmcsField GUEST_PDPTE2 = f("GUEST_PDPTE2");
    public static final VmcsField GUEST_PDPTE3 = f("GUEST_PDPTE3");
    public static final VmcsField GUEST_IA32_BNDCFGS = f("GUEST_IA32_BNDCFGS");
    public static final VmcsField GUEST_IA32_RTIT_CTL = f("GUEST_IA32_RTIT_CTL");
    public static final VmcsField GUEST_IA32_LBR_CTL = f("GUEST_IA32_LBR_CTL");
    public static final VmcsField GUEST_IA32_PKRS = f("GUEST_IA32_PKRS");
    public static final VmcsField GUEST_IA32_FRED_CONFIG = f("GUEST_IA32_FRED_CONFIG");
    public static final VmcsField GUEST_IA32_FRED_RSP1 = f("GUEST_IA32_FRED_RSP1");
    public static final VmcsField GUEST_IA32_FRED_RSP2 = f("GUEST_IA32_FRED_RSP2");
    public static final VmcsField GUEST_IA32_FRED_RSP3 = f("GUEST_IA32_FRED_RSP3");
    public static final VmcsField GUEST_IA32_FRED_STKLVLS = f("GUEST_IA32_FRED_STKLVLS");
    public static final VmcsField GUEST_IA32_FRED_SSP1 = f("GUEST_IA32_FRED_SSP1");
    public static final VmcsField GUEST_IA32_FRED_SSP2 = f("GUEST_IA32_FRED_SSP2");
    public static final VmcsField GUEST_IA32_FRED_SSP3 = f("GUEST_IA32_FRED_SSP3");
    public static final VmcsField GUEST_IA32_FMASK = f("GUEST_IA32_FMASK");
    public static final VmcsField GUEST_IA32_PL0_SSP = f("GUEST_IA32_PL0_SSP");

    // SDM Vol. 3C B.2.4 64-bit host-state fields
    public static final VmcsField HOST_IA32_PAT = f("HOST_IA32_PAT");
    public static final VmcsField HOST_IA32_EFER = f("HOST_IA32_EFER");
    public static final VmcsField HOST_IA32_PERF_GLOBAL_CTRL = f("HOST_IA32_PERF_GLOBAL_CTRL");
    public static final VmcsField HOST_IA32_PKRS = f("HOST_IA32_PKRS");
    public static final VmcsField HOST_IA32_FRED_CONFIG = f("HOST_IA32_FRED_CONFIG");
    public static final VmcsField HOST_IA32_FRED_RSP1 = f("HOST_IA32_FRED_RSP1");
    public static final VmcsField HOST_IA32_FRED_RSP2 = f("HOST_IA32_FRED_RSP2");
    public static final VmcsField HOST_IA32_FRED_RSP3 = f("HOST_IA32_FRED_RSP3");
    public static final VmcsField HOST_IA32_FRED_STKLVLS = f("HOST_IA32_FRED_STKLVLS");
    public static final VmcsField HOST_IA32_FRED_SSP1 = f("HOST_IA32_FRED_SSP1");
    public static final VmcsField HOST_IA32_FRED_SSP2 = f("HOST_IA32_FRED_SSP2");
    public static final VmcsField HOST_IA32_FRED_SSP3 = f("HOST_IA32_FRED_SSP3");
    public static final VmcsField HOST_IA32_FMASK = f("HOST_IA32_FMASK");

    // SDM Vol. 3C B.3.1 32-bit control fields
    public static final VmcsField PIN_BASED_VM_EXEC_CONTROL = f("PIN_BASED_VM_EXEC_CONTROL");
    public static final VmcsField CPU_BASED_VM_EXEC_CONTROL = f("CPU_BASED_VM_EXEC_CONTROL");
    public static final VmcsField EXCEPTION_BITMAP = f("EXCEPTION_BITMAP");
    public static final VmcsField PAGE_FAULT_ERROR_CODE_MASK = f("PAGE_FAULT_ERROR_CODE_MASK");
    public static final VmcsField PAGE_FAULT_ERROR_CODE_MATCH = f("PAGE_FAULT_ERROR_CODE_MATCH");
    public static final VmcsField CR3_TARGET_COUNT = f("CR3_TARGET_COUNT");
    public static final VmcsField VM_EXIT_CONTROLS = f("VM_EXIT_CONTROLS");
    public static final VmcsField VM_EXIT_MSR_STORE_COUNT = f("VM_EXIT_MSR_STORE_COUNT");
    public static final VmcsField VM_EXIT_MSR_LOAD_COUNT = f("VM_EXIT_MSR_LOAD_COUNT");
    public static final VmcsField VM_ENTRY_CONTROLS = f("VM_ENTRY_CONTROLS");
    public static final VmcsField VM_ENTRY_MSR_LOAD_COUNT = f("VM_ENTRY_MSR_LOAD_COUNT");
    public static final VmcsField VM_ENTRY_INTERRUPTION_INFO = f("VM_ENTRY_INTERRUPTION_INFO");
    public static final VmcsField VM_ENTRY_EXCEPTION_ERROR_CODE = f("VM_ENTRY_EXCEPTION_ERROR_CODE");
    public static final VmcsField VM_ENTRY_INSTRUCTION_LENGTH = f("VM_ENTRY_INSTRUCTION_LENGTH");
    public static final VmcsField TPR_THRESHOLD = f("TPR_THRESHOLD");
    public static final VmcsField SECONDARY_VM_EXEC_CONTROL = f("SECONDARY_VM_EXEC_CONTROL");
    public static final VmcsField PLE_GAP = f("PLE_GAP");
    public static final VmcsField PLE_WINDOW = f("PLE_WINDOW");
    public static final VmcsField NOTIFY_WINDOW = f("NOTIFY_WINDOW");

    // SDM Vol. 3C B.3.2 32-bit read-only data fields
    public static final VmcsField VM_INSTRUCTION_ERROR = f("VM_INSTRUCTION_ERROR");
    public static final VmcsField VM_EXIT_REASON = f("VM_EXIT_REASON");
    public static final VmcsField VM_EXIT_INTERRUPTION_INFO = f("VM_EXIT_INTERRUPTION_INFO");
    public static final VmcsField VM_EXIT_INTERRUPTION_ERROR_CODE = f("VM_EXIT_INTERRUPTION_ERROR_CODE");
    public static final VmcsField IDT_VECTORING_INFO = f("IDT_VECTORING_INFO");
    public static final VmcsField IDT_VECTORING_ERROR_CODE = f("IDT_VECTORING_ERROR_CODE");
    public static final VmcsField VM_EXIT_INSTRUCTION_LENGTH = f("VM_EXIT_INSTRUCTION_LENGTH");
    public static final VmcsField VMX_INSTRUCTION_INFO = f("VMX_INSTRUCTION_INFO");

    // SDM Vol. 3C B.3.3 32-bit guest-state fields
    public static final VmcsField GUEST_ES_LIMIT = f("GUEST_ES_LIMIT");
    public static final VmcsField GUEST_CS_LIMIT = f("GUEST_CS_LIMIT");
    public static final VmcsField GUEST_SS_LIMIT = f("GUEST_SS_LIMIT");
    public static final VmcsField GUEST_DS_LIMIT = f("GUEST_DS_LIMIT");
    public static final VmcsField GUEST_FS_LIMIT = f("GUEST_FS_LIMIT");
    public static final VmcsField GUEST_GS_LIMIT = f("GUEST_GS_LIMIT");
    public static final VmcsField GUEST_LDTR_LIMIT = f("GUEST_LDTR_LIMIT");
    public static final VmcsField GUEST_TR_LIMIT = f("GUEST_TR_LIMIT");
    public static final VmcsField GUEST_GDTR_LIMIT = f("GUEST_GDTR_LIMIT");
    public static final VmcsField GUEST_IDTR_LIMIT = f("GUEST_IDTR_LIMIT");
    public static final VmcsField GUEST_ES_ACCESS_RIGHTS = f("GUEST_ES_ACCESS_RIGHTS");
    public static final VmcsField GUEST_CS_ACCESS_RIGHTS = f("GUEST_CS_ACCESS_RIGHTS");
    public static final VmcsField GUEST_SS_ACCESS_RIGHTS = f("GUEST_SS_ACCESS_RIGHTS");
    public static final VmcsField GUEST_DS_ACCESS_RIGHTS = f("GUEST_DS_ACCESS_RIGHTS");
    public static final VmcsField GUEST_FS_ACCESS_RIGHTS = f("GUEST_FS_ACCESS_RIGHTS");
    public static final VmcsField GUEST_GS_ACCESS_RIGHTS = f("GUEST_GS_ACCESS_RIGHTS");
    public static final VmcsField GUEST_LDTR_ACCESS_RIGHTS = f("GUEST_LDTR_ACCESS_RIGHTS");
    public static final VmcsField GUEST_TR_ACCESS_RIGHTS = f("GUEST_TR_ACCESS_RIGHTS");
    public static final VmcsField GUEST_INTERRUPTIBILITY_STATE = f("GUEST_INTERRUPTIBILITY_STATE");
    public static final VmcsField GUEST_ACTIVITY_STATE = f("GUEST_ACTIVITY_STATE");
    public static final VmcsField GUEST_SMBASE = f("GUEST_SMBASE");
    public static final VmcsField GUEST_IA32_SYSENTER_CS = f("GUEST_IA32_SYSENTER_CS");
    public static final VmcsField VMX_PREEMPTION_TIMER_VALUE = f("VMX_PREEMPTION_TIMER_VALUE");

    // SDM Vol. 3C B.3.4 32-bit host-state field
    public static final VmcsField HOST_IA32_SYSENTER_CS = f("HOST_IA32_SYSENTER_CS");

    // SDM Vol. 3C B.4.1 natural-width control fields
    public static final VmcsField CR0_GUEST_HOST_MASK = f("CR0_GUEST_HOST_MASK");
    public static final VmcsField CR4_GUEST_HOST_MASK = f("CR4_GUEST_HOST_MASK");
    public static final VmcsField CR0_READ_SHADOW = f("CR0_READ_SHADOW");
    public static final VmcsField CR4_READ_SHADOW = f("CR4_READ_SHADOW");
    public static final VmcsField CR3_TARGET_VALUE0 = f("CR3_TARGET_VALUE0");
    public static final VmcsField CR3_TARGET_VALUE1 = f("CR3_TARGET_VALUE1");
    public static final VmcsField CR3_TARGET_VALUE2 = f("CR3_TARGET_VALUE2");
    public static final VmcsField CR3_TARGET_VALUE3 = f("CR3_TARGET_VALUE3");

    // SDM Vol. 3C B.4.2 natural-width read-only data fields
    public static final VmcsField EXIT_QUALIFICATION = f("EXIT_QUALIFICATION");
    public static final VmcsField IO_RCX = f("IO_RCX");
    public static final VmcsField IO_RSI = f("IO_RSI");
    public static final VmcsField IO_RDI = f("IO_RDI");
    public static final VmcsField IO_RIP = f("IO_RIP");
    public static final VmcsField GUEST_LINEAR_ADDRESS = f("GUEST_LINEAR_ADDRESS");

    // SDM Vol. 3C B.4.3 natural-width guest-state fields
    public static final VmcsField GUEST_CR0 = f("GUEST_CR0");
    public static final VmcsField GUEST_CR3 = f("GUEST_CR3");
    public static final VmcsField GUEST_CR4 = f("GUEST_CR4");
    public static final VmcsField GUEST_ES_BASE = f("GUEST_ES_BASE");
    public static final VmcsField GUEST_CS_BASE = f("GUEST_CS_BASE");
    public static final VmcsField GUEST_SS_BASE = f("GUEST_SS_BASE");
    public static final VmcsField GUEST_DS_BASE = f("GUEST_DS_BASE");
    public static final VmcsField GUEST_FS_BASE = f("GUEST_FS_BASE");
    public static final VmcsField GUEST_GS_BASE = f("GUEST_GS_BASE");
    public static final VmcsField GUEST_LDTR_BASE = f("GUEST_LDTR_BASE");
    public static final VmcsField GUEST_TR_BASE = f("GUEST_TR_BASE");
    public static final VmcsField GUEST_GDTR_BASE = f("GUEST_GDTR_BASE");
    public static final VmcsField GUEST_IDTR_BASE = f("GUEST_IDTR_BASE");
    public static final VmcsField GUEST_DR7 = f("GUEST_DR7");
    public static final VmcsField GUEST_RSP = f("GUEST_RSP");
    public static final VmcsField GUEST_RIP = f("GUEST_RIP");
    public static final VmcsField GUEST_RFLAGS = f("GUEST_RFLAGS");
    public static final VmcsField GUEST_PENDING_DEBUG_EXCEPTIONS = f("GUEST_PENDING_DEBUG_EXCEPTIONS");
    public static final VmcsField GUEST_IA32_SYSENTER_ESP = f("GUEST_IA32_SYSENTER_ESP");
    public static final VmcsField GUEST_IA32_SYSENTER_EIP = f("GUEST_IA32_SYSENTER_EIP");
    public static final VmcsField GUEST_IA32_S_CET = f("GUEST_IA32_S_CET");
    public static final VmcsField GUEST_SSP = f("GUEST_SSP");
    public static final VmcsField GUEST_IA32_INTERRUPT_SSP_TABLE_ADDR = f("GUEST_IA32_INTERRUPT_SSP_TABLE_ADDR");

    // SDM Vol. 3C B.4.4 natural-width host-state fields
    public static final VmcsField HOST_CR0 = f("HOST_CR0");
    public static final VmcsField HOST_CR3 = f("HOST_CR3");
    public static final VmcsField HOST_CR4 = f("HOST_CR4");
    public static final VmcsField HOST_FS_BASE = f("HOST_FS_BASE");
    public static final VmcsField HOST_GS_BASE = f("HOST_GS_BASE");
    public static final VmcsField HOST_TR_BASE = f("HOST_TR_BASE");
    public static final VmcsField HOST_GDTR_BASE = f("HOST_GDTR_BASE");
    public static final VmcsField HOST_IDTR_BASE = f("HOST_IDTR_BASE");
    public static final VmcsField HOST_IA32_SYSENTER_ESP = f("HOST_IA32_SYSENTER_ESP");
    public static final VmcsField HOST_IA32_SYSENTER_EIP = f("HOST_IA32_SYSENTER_EIP");
    public static final VmcsField HOST_RSP = f("HOST_RSP");
    public static final VmcsField HOST_RIP = f("HOST_RIP");
    public static final VmcsField HOST_IA32_S_CET = f("HOST_IA32_S_CET");
    public static final VmcsField HOST_SSP = f("HOST_SSP");
    public static final VmcsField HOST_IA32_INTERRUPT_SSP_TABLE_ADDR = f("HOST_IA32_INTERRUPT_SSP_TABLE_ADDR");
}
