package org.jvmx.vmx.vmcs;

/**
 * Bit positions of the VM-execution, VM-exit and VM-entry controls (SDM Vol. 3C, 25.6.1,
 * 25.6.2, 25.7.1, 25.8.1) and the default1 bits of each control word (Appendix A.2-A.5: bits
 * that must be 1 unless the TRUE capability MSRs allow them to be 0).
 */
public final class Controls {
    private Controls() {
    }

    // Pin-based VM-execution controls (PIN_BASED_VM_EXEC_CONTROL)
    public static final int PIN_EXTERNAL_INTERRUPT_EXITING = 1, PIN_NMI_EXITING = 1 << 3, PIN_VIRTUAL_NMIS = 1 << 5,
            PIN_PREEMPTION_TIMER = 1 << 6, PIN_POSTED_INTERRUPTS = 1 << 7;
    public static final int PIN_DEFAULT1 = 0x16;

    // Primary processor-based VM-execution controls (CPU_BASED_VM_EXEC_CONTROL)
    public static final int PROC_INTERRUPT_WINDOW_EXITING = 1 << 2, PROC_TSC_OFFSETTING = 1 << 3,
            PROC_HLT_EXITING = 1 << 7, PROC_INVLPG_EXITING = 1 << 9, PROC_MWAIT_EXITING = 1 << 10,
            PROC_RDPMC_EXITING = 1 << 11, PROC_RDTSC_EXITING = 1 << 12, PROC_CR3_LOAD_EXITING = 1 << 15,
            PROC_CR3_STORE_EXITING = 1 << 16, PROC_TERTIARY_CONTROLS = 1 << 17, PROC_CR8_LOAD_EXITING = 1 << 19,
            PROC_CR8_STORE_EXITING = 1 << 20, PROC_TPR_SHADOW = 1 << 21, PROC_NMI_WINDOW_EXITING = 1 << 22,
            PROC_MOV_DR_EXITING = 1 << 23, PROC_UNCONDITIONAL_IO_EXITING = 1 << 24, PROC_IO_BITMAPS = 1 << 25,
            PROC_MONITOR_TRAP_FLAG = 1 << 27, PROC_MSR_BITMAPS = 1 << 28, PROC_MONITOR_EXITING = 1 << 29,
            PROC_PAUSE_EXITING = 1 << 30, PROC_SECONDARY_CONTROLS = 1 << 31;
    public static final int PROC_DEFAULT1 = 0x0401_E172;

    // Secondary processor-based VM-execution controls (SECONDARY_VM_EXEC_CONTROL)
    public static final int PROC2_VIRTUALIZE_APIC_ACCESSES = 1, PROC2_EPT = 1 << 1, PROC2_DESCRIPTOR_TABLE_EXITING = 1 << 2,
            PROC2_RDTSCP = 1 << 3, PROC2_VIRTUALIZE_X2APIC = 1 << 4, PROC2_VPID = 1 << 5, PROC2_WBINVD_EXITING = 1 << 6,
            PROC2_UNRESTRICTED_GUEST = 1 << 7, PROC2_APIC_REGISTER_VIRTUALIZATION = 1 << 8,
            PROC2_VIRTUAL_INTERRUPT_DELIVERY = 1 << 9, PROC2_PAUSE_LOOP_EXITING = 1 << 10, PROC2_RDRAND_EXITING = 1 << 11,
            PROC2_INVPCID = 1 << 12, PROC2_VM_FUNCTIONS = 1 << 13, PROC2_VMCS_SHADOWING = 1 << 14,
            PROC2_ENCLS_EXITING = 1 << 15, PROC2_RDSEED_EXITING = 1 << 16, PROC2_PML = 1 << 17, PROC2_EPT_VE = 1 << 18,
            PROC2_XSAVES = 1 << 20, PROC2_TSC_SCALING = 1 << 25, PROC2_USER_WAIT_PAUSE = 1 << 26;

    // VM-exit controls (VM_EXIT_CONTROLS)
    public static final int EXIT_SAVE_DEBUG_CONTROLS = 1 << 2, EXIT_HOST_ADDRESS_SPACE_SIZE = 1 << 9,
            EXIT_LOAD_PERF_GLOBAL_CTRL = 1 << 12, EXIT_ACK_INTERRUPT_ON_EXIT = 1 << 15, EXIT_SAVE_PAT = 1 << 18,
            EXIT_LOAD_PAT = 1 << 19, EXIT_SAVE_EFER = 1 << 20, EXIT_LOAD_EFER = 1 << 21,
            EXIT_SAVE_PREEMPTION_TIMER = 1 << 22, EXIT_CLEAR_BNDCFGS = 1 << 23, EXIT_CONCEAL_FROM_PT = 1 << 24,
            EXIT_CLEAR_RTIT_CTL = 1 << 25, EXIT_LOAD_CET = 1 << 28, EXIT_LOAD_PKRS = 1 << 29;
    public static final int EXIT_DEFAULT1 = 0x0003_6DFF;

    // VM-entry controls (VM_ENTRY_CONTROLS)
    public static final int ENTRY_LOAD_DEBUG_CONTROLS = 1 << 2, ENTRY_IA32E_MODE_GUEST = 1 << 9, ENTRY_TO_SMM = 1 << 10,
            ENTRY_DEACTIVATE_DUAL_MONITOR = 1 << 11, ENTRY_LOAD_PERF_GLOBAL_CTRL = 1 << 13, ENTRY_LOAD_PAT = 1 << 14,
            ENTRY_LOAD_EFER = 1 << 15, ENTRY_LOAD_BNDCFGS = 1 << 16, ENTRY_CONCEAL_FROM_PT = 1 << 17,
            ENTRY_LOAD_RTIT_CTL = 1 << 18, ENTRY_LOAD_CET = 1 << 20, ENTRY_LOAD_PKRS = 1 << 22;
    public static final int ENTRY_DEFAULT1 = 0x0000_11FF;

    // VM-entry interruption-information field / VM-exit interruption information (25.8.3, 25.9.2)
    public static final int INTR_INFO_VALID = 1 << 31, INTR_INFO_DELIVER_ERROR_CODE = 1 << 11;
    public static final int INTR_TYPE_EXTERNAL = 0, INTR_TYPE_NMI = 2, INTR_TYPE_HARDWARE_EXCEPTION = 3,
            INTR_TYPE_SOFTWARE_INTERRUPT = 4, INTR_TYPE_PRIVILEGED_SOFTWARE_EXCEPTION = 5,
            INTR_TYPE_SOFTWARE_EXCEPTION = 6, INTR_TYPE_OTHER = 7;

    // Guest interruptibility state (25.4.2)
    public static final int INTERRUPTIBILITY_STI = 1, INTERRUPTIBILITY_MOV_SS = 1 << 1, INTERRUPTIBILITY_SMI = 1 << 2,
            INTERRUPTIBILITY_NMI = 1 << 3;

    // Guest activity state (25.4.2)
    public static final int ACTIVITY_ACTIVE = 0, ACTIVITY_HLT = 1, ACTIVITY_SHUTDOWN = 2, ACTIVITY_WAIT_FOR_SIPI = 3;
}
