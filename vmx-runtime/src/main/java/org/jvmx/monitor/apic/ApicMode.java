package org.jvmx.monitor.apic;

/**
 * The local APIC's operating mode, selected by IA32_APIC_BASE bits 11 (EN) and 10 (EXTD) (Intel SDM Vol. 3A,
 * 11.12.5 "x2APIC State Transitions", Table 11-5). EN = 0 with EXTD = 1 is the invalid combination.
 */
public enum ApicMode {
    /** EN = 0: the APIC is globally disabled; no MMIO page, no x2APIC MSRs, interrupts go straight to INTR. */
    DISABLED,
    /** EN = 1, EXTD = 0: registers in the 4 KiB page at the APIC base address. */
    XAPIC,
    /** EN = 1, EXTD = 1: registers as MSRs 0x800-0x8FF, the MMIO page is gone. */
    X2APIC
}
