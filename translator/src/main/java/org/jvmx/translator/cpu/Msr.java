package org.jvmx.translator.cpu;

/**
 * The architectural MSRs that {@link CpuState} holds (SDM Vol. 4, Table 2-2 "IA-32
 * Architectural MSRs"). RDMSR/WRMSR of any other number is #GP(0) until something models it:
 * {@link CpuState#readMsr} and {@link CpuState#writeMsr} say so by their result.
 */
public enum Msr {
    IA32_TIME_STAMP_COUNTER(0x10),
    IA32_APIC_BASE(0x1B),
    IA32_SYSENTER_CS(0x174),
    IA32_SYSENTER_ESP(0x175),
    IA32_SYSENTER_EIP(0x176),
    IA32_PAT(0x277),
    IA32_EFER(0xC000_0080),
    IA32_STAR(0xC000_0081),
    IA32_LSTAR(0xC000_0082),
    IA32_CSTAR(0xC000_0083),
    /** SFMASK in AMD's name; IA32_FMASK in the SDM. */
    IA32_FMASK(0xC000_0084),
    IA32_FS_BASE(0xC000_0100),
    IA32_GS_BASE(0xC000_0101),
    IA32_KERNEL_GS_BASE(0xC000_0102),
    IA32_TSC_AUX(0xC000_0103);

    /** The MSR number (ECX of RDMSR/WRMSR), 32 bits. */
    public final int number;

    private static final Msr[] ALL = values();

    Msr(int number) {
        this.number = number;
    }

    /** The MSR with this number, or {@code null} when CpuState does not hold it (the caller raises #GP(0)). */
    public static Msr byNumber(int number) {
        for (Msr m : ALL) {
            if (m.number == number) return m;
        }
        return null;
    }

    // EFER bits (SDM Vol. 3A, 2.2.1)
    public static final long EFER_SCE = 1L, EFER_LME = 1L << 8, EFER_LMA = 1L << 10, EFER_NXE = 1L << 11;
    /** The EFER bits that exist here; WRMSR with any other bit set is #GP(0). */
    public static final long EFER_DEFINED = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;

    // IA32_APIC_BASE bits (SDM Vol. 3A, 12.4.4)
    public static final long APIC_BSP = 1L << 8, APIC_EXTD = 1L << 10, APIC_ENABLE = 1L << 11;
    public static final long APIC_BASE_DEFAULT_BSP = 0xFEE0_0900L, APIC_BASE_DEFAULT_AP = 0xFEE0_0800L;

    /** IA32_PAT after power-up or reset: WB WT UC- UC, twice (SDM Vol. 3A, 13.12.4). */
    public static final long PAT_DEFAULT = 0x0007_0406_0007_0406L;
}
