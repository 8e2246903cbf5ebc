package org.jvmx.vmx.entry;

/**
 * Why the processing of one MSR-list entry fails: the bullet lists of SDM Vol. 3C 27.4 (VM-entry
 * MSR-load), 28.4 (VM-exit MSR-store) and 28.6 (VM-exit MSR-load), in the SDM's order. The first
 * five rules look at the entry alone ({@link #firstBroken}); the last two ask the CPU model
 * whether RDMSR/WRMSR at CPL 0 would raise #GP, which {@link MsrAreas} does with the same code
 * the guest's RDMSR/WRMSR runs on bare metal.
 *
 * <p>jvmx has no SMM, so every VM entry and VM exit is outside SMM and the SMM-only MSRs always
 * fail. The SMM-only and x2APIC MSRs are not modelled today (so RDMSR/WRMSR of them would fault
 * anyway); the rules are kept apart so that they stay true once those MSRs are modelled.
 */
public enum MsrAreaRule {
    /** 27.4 / 28.6: IA32_FS_BASE and IA32_GS_BASE are never loaded from a list (the VMCS base fields are their source). */
    FS_GS_BASE("IA32_FS_BASE or IA32_GS_BASE (C0000100H, C0000101H)", true, false),
    /** 27.4 / 28.4 / 28.6: bits 31:8 = 000008H, the x2APIC register MSRs 800H-8FFH. */
    X2APIC("an x2APIC MSR (bits 31:8 = 000008H)", true, true),
    /** 27.4 / 28.6: an MSR writable only in SMM; IA32_SMM_MONITOR_CTL (9BH) is the SDM's example. */
    SMM_ONLY_WRITE("IA32_SMM_MONITOR_CTL (9BH), writable only in SMM", true, false),
    /** 28.4: an MSR readable only in SMM; IA32_SMBASE (9EH) is the SDM's example. */
    SMM_ONLY_READ("IA32_SMBASE (9EH), readable only in SMM", false, true),
    /**
     * 27.4 / 28.4 / 28.6 let a processor refuse MSRs "for model-specific reasons". jvmx refuses
     * the microcode-update MSRs: IA32_BIOS_UPDT_TRIG (79H) in the load lists, IA32_BIOS_SIGN_ID
     * (8BH) in the store list; a microcode update in the middle of a VM transition has no meaning.
     */
    MODEL_SPECIFIC("a microcode-update MSR (79H load, 8BH store), refused by jvmx", true, true),
    /** 27.4 / 28.4 / 28.6: bits 63:32 of the entry are not all 0. */
    RESERVED_BITS("bits 63:32 of the entry are not 0", true, true),
    /** 27.4 / 28.6: WRMSR of bits 127:64 to the MSR at CPL 0 would raise #GP (unknown MSR or value refused). */
    WRMSR_FAULT("WRMSR of the value would raise #GP", true, false),
    /** 28.4: RDMSR of the MSR at CPL 0 would raise #GP (unknown MSR). */
    RDMSR_FAULT("RDMSR of the MSR would raise #GP", false, true);

    public static final int IA32_FS_BASE = 0xC000_0100, IA32_GS_BASE = 0xC000_0101;
    public static final int IA32_BIOS_UPDT_TRIG = 0x79, IA32_BIOS_SIGN_ID = 0x8B;
    public static final int IA32_SMM_MONITOR_CTL = 0x9B, IA32_SMBASE = 0x9E;

    private final String description;
    private final boolean inLoadLists;
    private final boolean inStoreList;

    MsrAreaRule(String description, boolean inLoadLists, boolean inStoreList) {
        this.description = description;
        this.inLoadLists = inLoadLists;
        this.inStoreList = inStoreList;
    }

    public String description() {
        return description;
    }

    /** Whether this rule applies to entries of {@code area}. */
    public boolean appliesTo(MsrArea area) {
        return area.loads ? inLoadLists : inStoreList;
    }

    /**
     * The first rule that the entry whose low quadword is {@code low} (index in bits 31:0,
     * reserved bits 63:32) breaks in {@code area} without asking the CPU, or {@code null}.
     */
    public static MsrAreaRule firstBroken(MsrArea area, long low) {
        int index = (int) low;
        for (MsrAreaRule r : STATIC) {
            if (r.appliesTo(area) && r.broken(area, index, low)) return r;
        }
        return null;
    }

    private static final MsrAreaRule[] STATIC = {FS_GS_BASE, X2APIC, SMM_ONLY_WRITE, SMM_ONLY_READ, MODEL_SPECIFIC,
            RESERVED_BITS};

    private boolean broken(MsrArea area, int index, long low) {
        return switch (this) {
            case FS_GS_BASE -> index == IA32_FS_BASE || index == IA32_GS_BASE;
            case X2APIC -> index >>> 8 == 0x8;
            case SMM_ONLY_WRITE -> index == IA32_SMM_MONITOR_CTL;
            case SMM_ONLY_READ -> index == IA32_SMBASE;
            case MODEL_SPECIFIC -> index == (area.loads ? IA32_BIOS_UPDT_TRIG : IA32_BIOS_SIGN_ID);
            case RESERVED_BITS -> low >>> 32 != 0;
            case WRMSR_FAULT, RDMSR_FAULT -> false;
        };
    }
}
