package org.jvmx.vmx.entry;

import static org.jvmx.vmx.vmcs.Controls.*;

import java.util.OptionalLong;
import org.jvmx.vmx.vmcs.VmcsField;
import org.jvmx.vmx.vmcs.VmcsFieldTable;

/**
 * The VMX capability MSRs jvmx reports (Intel SDM Vol. 3C, Appendix A). For every control
 * MSR, bits 31:0 are the allowed-0 settings (a 1 means the control must be 1) and bits 63:32
 * the allowed-1 settings (a 0 means the control must be 0) (A.3-A.5).
 * <p>
 * The allowed-1 settings are the default1 bits of each control word plus the controls jvmx
 * implements. The non-TRUE MSRs require every default1 bit; the TRUE MSRs (0x48D-0x490,
 * reported because IA32_VMX_BASIC bit 55 is 1) let every default1 bit be 0 (A.3.1, A.3.2,
 * A.4, A.5).
 */
public final class VmxCapabilityMsrs {
    public static final int IA32_VMX_BASIC = 0x480, IA32_VMX_PINBASED_CTLS = 0x481, IA32_VMX_PROCBASED_CTLS = 0x482,
            IA32_VMX_EXIT_CTLS = 0x483, IA32_VMX_ENTRY_CTLS = 0x484, IA32_VMX_MISC = 0x485,
            IA32_VMX_CR0_FIXED0 = 0x486, IA32_VMX_CR0_FIXED1 = 0x487, IA32_VMX_CR4_FIXED0 = 0x488,
            IA32_VMX_CR4_FIXED1 = 0x489, IA32_VMX_VMCS_ENUM = 0x48A, IA32_VMX_PROCBASED_CTLS2 = 0x48B,
            IA32_VMX_EPT_VPID_CAP = 0x48C, IA32_VMX_TRUE_PINBASED_CTLS = 0x48D,
            IA32_VMX_TRUE_PROCBASED_CTLS = 0x48E, IA32_VMX_TRUE_EXIT_CTLS = 0x48F, IA32_VMX_TRUE_ENTRY_CTLS = 0x490;

    /** Pin-based controls jvmx implements (A.3.1). */
    public static final int PIN_MODELLED = PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS
            | PIN_PREEMPTION_TIMER;
    /** Primary processor-based controls jvmx implements (A.3.2). */
    public static final int PROC_MODELLED = PROC_INTERRUPT_WINDOW_EXITING | PROC_TSC_OFFSETTING | PROC_HLT_EXITING
            | PROC_INVLPG_EXITING | PROC_MWAIT_EXITING | PROC_RDPMC_EXITING | PROC_RDTSC_EXITING
            | PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING | PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING
            | PROC_NMI_WINDOW_EXITING | PROC_MOV_DR_EXITING | PROC_UNCONDITIONAL_IO_EXITING | PROC_IO_BITMAPS
            | PROC_MSR_BITMAPS | PROC_MONITOR_EXITING | PROC_PAUSE_EXITING | PROC_SECONDARY_CONTROLS;
    /** Secondary processor-based controls jvmx implements (A.3.3). */
    public static final int PROC2_MODELLED = PROC2_DESCRIPTOR_TABLE_EXITING | PROC2_RDTSCP | PROC2_WBINVD_EXITING
            | PROC2_RDRAND_EXITING | PROC2_RDSEED_EXITING;
    /** VM-exit controls jvmx implements (A.4). */
    public static final int EXIT_MODELLED = EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_ACK_INTERRUPT_ON_EXIT | EXIT_SAVE_PAT
            | EXIT_LOAD_PAT | EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_PREEMPTION_TIMER;
    /** VM-entry controls jvmx implements (A.5). */
    public static final int ENTRY_MODELLED = ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER;

    /** VMX-preemption timer counts down once every 2^5 TSC ticks (MISC bits 4:0, A.6). */
    public static final int PREEMPTION_TIMER_RATE = 5;
    /** Number of CR3-target values supported (MISC bits 24:16, A.6). */
    public static final int CR3_TARGET_COUNT = 4;
    /** CR0 bits fixed to 1 in VMX operation without unrestricted guest: PE, NE, PG (A.7). */
    public static final long CR0_FIXED0 = 0x8000_0021L;
    /** CR0 bits allowed to be 1: the whole low dword (A.7). */
    public static final long CR0_FIXED1 = 0xFFFF_FFFFL;
    /** CR4 bits fixed to 1: VMXE (A.8). */
    public static final long CR4_FIXED0 = 0x2000L;
    /**
     * CR4 bits allowed to be 1: VME..UMIP (11:0) except LA57 (12, not modelled: linear
     * addresses are 48 bits), VMXE, FSGSBASE, PCIDE, OSXSAVE, SMEP, SMAP (A.8).
     */
    public static final long CR4_FIXED1 = 0x0000_0FFFL | 1L << 13 | 1L << 16 | 1L << 17
            | 1L << 18 | 1L << 20 | 1L << 21;

    private final int revisionId;

    /** @param revisionId the VMCS revision identifier, 1..0x7FFFFFFF (A.1) */
    public VmxCapabilityMsrs(int revisionId) {
        if (revisionId <= 0) {
            throw new IllegalArgumentException("VMCS revision identifier must be in 1..0x7FFFFFFF: " + revisionId);
        }
        this.revisionId = revisionId;
    }

    public int revisionId() {
        return revisionId;
    }

    private static long ctls(long allowed0, long allowed1) {
        return (allowed1 << 32) | (allowed0 & 0xFFFF_FFFFL);
    }

    /**
     * IA32_VMX_BASIC (A.1): revision id in 30:0; region size 4096 in 44:32; bit 48 = 0 (addresses
     * limited only by the physical-address width); memory type WB (6) in 53:50; bit 54 = 1 (INS/OUTS
     * exits report instruction information); bit 55 = 1 (TRUE control MSRs exist).
     */
    public long basic() {
        return (revisionId & 0x7FFF_FFFFL) | (4096L << 32) | (6L << 50) | (1L << 54) | (1L << 55);
    }

    public long pinbasedCtls() {
        return ctls(PIN_DEFAULT1, PIN_DEFAULT1 | PIN_MODELLED);
    }

    public long procbasedCtls() {
        return ctls(PROC_DEFAULT1, (PROC_DEFAULT1 | PROC_MODELLED) & 0xFFFF_FFFFL);
    }

    public long exitCtls() {
        return ctls(EXIT_DEFAULT1, EXIT_DEFAULT1 | EXIT_MODELLED);
    }

    public long entryCtls() {
        return ctls(ENTRY_DEFAULT1, ENTRY_DEFAULT1 | ENTRY_MODELLED);
    }

    public long truePinbasedCtls() {
        return ctls(0, PIN_DEFAULT1 | PIN_MODELLED);
    }

    public long trueProcbasedCtls() {
        return ctls(0, (PROC_DEFAULT1 | PROC_MODELLED) & 0xFFFF_FFFFL);
    }

    public long trueExitCtls() {
        return ctls(0, EXIT_DEFAULT1 | EXIT_MODELLED);
    }

    public long trueEntryCtls() {
        return ctls(0, ENTRY_DEFAULT1 | ENTRY_MODELLED);
    }

    public long procbasedCtls2() {
        return ctls(0, PROC2_MODELLED);
    }

    /**
     * IA32_VMX_MISC (A.6): timer rate 4:0; bit 5 = 1 (VM exits store EFER.LMA into the IA-32e
     * mode guest control); activity states HLT, shutdown, wait-for-SIPI (bits 6-8); CR3-target
     * count 24:16; MSR-list limit 512 (27:25 = 0); bit 29 = 0 (VMWRITE cannot write exit
     * information fields); MSEG revision 0.
     */
    public long misc() {
        return PREEMPTION_TIMER_RATE | (1L << 5) | (1L << 6) | (1L << 7) | (1L << 8) | ((long) CR3_TARGET_COUNT << 16);
    }

    /** Whether MISC advertises activity state {@code state} (1..3); 0 (active) always is (A.6). */
    public boolean supportsActivityState(long state) {
        return state == ACTIVITY_ACTIVE || state >= 1 && state <= 3 && (misc() & (1L << (5 + state))) != 0;
    }

    /** Maximum number of entries in each MSR list: 512 * (MISC[27:25] + 1) (A.6). */
    public int maxMsrListEntries() {
        return 512 * (int) (((misc() >>> 25) & 7) + 1);
    }

    /** IA32_VMX_VMCS_ENUM (A.9): the highest index (bits 9:1 of an encoding) of any supported field. */
    public long vmcsEnum() {
        int max = 0;
        for (VmcsField f : VmcsFieldTable.standard().fields()) {
            max = Math.max(max, (f.encoding() >>> 1) & 0x1FF);
        }
        return (long) max << 1;
    }

    /** The value RDMSR returns, or empty for an MSR this class does not report (reads #GP). */
    public OptionalLong read(int msr) {
        return switch (msr) {
            case IA32_VMX_BASIC -> OptionalLong.of(basic());
            case IA32_VMX_PINBASED_CTLS -> OptionalLong.of(pinbasedCtls());
            case IA32_VMX_PROCBASED_CTLS -> OptionalLong.of(procbasedCtls());
            case IA32_VMX_EXIT_CTLS -> OptionalLong.of(exitCtls());
            case IA32_VMX_ENTRY_CTLS -> OptionalLong.of(entryCtls());
            case IA32_VMX_MISC -> OptionalLong.of(misc());
            case IA32_VMX_CR0_FIXED0 -> OptionalLong.of(CR0_FIXED0);
            case IA32_VMX_CR0_FIXED1 -> OptionalLong.of(CR0_FIXED1);
            case IA32_VMX_CR4_FIXED0 -> OptionalLong.of(CR4_FIXED0);
            case IA32_VMX_CR4_FIXED1 -> OptionalLong.of(CR4_FIXED1);
            case IA32_VMX_VMCS_ENUM -> OptionalLong.of(vmcsEnum());
            case IA32_VMX_PROCBASED_CTLS2 -> OptionalLong.of(procbasedCtls2());
            case IA32_VMX_EPT_VPID_CAP -> OptionalLong.of(0);
            case IA32_VMX_TRUE_PINBASED_CTLS -> OptionalLong.of(truePinbasedCtls());
            case IA32_VMX_TRUE_PROCBASED_CTLS -> OptionalLong.of(trueProcbasedCtls());
            case IA32_VMX_TRUE_EXIT_CTLS -> OptionalLong.of(trueExitCtls());
            case IA32_VMX_TRUE_ENTRY_CTLS -> OptionalLong.of(trueEntryCtls());
            default -> OptionalLong.empty();
        };
    }

    /** Whether control word {@code value} respects a control MSR's allowed-0 and allowed-1 settings. */
    public static boolean respects(long value, long capabilityMsr) {
        long v = value & 0xFFFF_FFFFL;
        long allowed0 = capabilityMsr & 0xFFFF_FFFFL;
        long allowed1 = capabilityMsr >>> 32;
        return (v & allowed0) == allowed0 && (v & ~allowed1) == 0;
    }
}
