package org.jvmx.monitor.apic;

/**
 * One interprocessor interrupt as written to the ICR (Intel SDM Vol. 3A, 11.6.1 "Interrupt Command Register",
 * Figure 11-12).
 *
 * @param source       the sender's APIC ID
 * @param deliveryMode ICR bits 10:8: {@link #FIXED}, {@link #LOWEST_PRIORITY}, {@link #SMI}, {@link #NMI},
 *                     {@link #INIT}, {@link #STARTUP}
 * @param vector       ICR bits 7:0 (for STARTUP: the start page, the vCPU starts at vector * 0x1000)
 * @param logical      ICR bit 11: the destination is a logical (LDR-matched) one
 * @param destination  xAPIC: ICR bits 63:56; x2APIC: ICR bits 63:32
 * @param shorthand    ICR bits 19:18: {@link #NO_SHORTHAND}, {@link #SELF}, {@link #ALL_INCLUDING_SELF},
 *                     {@link #ALL_EXCLUDING_SELF}
 * @param assertLevel  ICR bit 14 (level); an INIT with level 0 and level trigger is the "INIT level de-assert"
 * @param levelTrigger ICR bit 15
 * @param x2apic       sent in x2APIC mode (32-bit destinations; broadcast is 0xFFFFFFFF instead of 0xFF)
 */
public record Ipi(int source, int deliveryMode, int vector, boolean logical, long destination, int shorthand,
                  boolean assertLevel, boolean levelTrigger, boolean x2apic) {

    public static final int FIXED = 0, LOWEST_PRIORITY = 1, SMI = 2, NMI = 4, INIT = 5, STARTUP = 6;
    public static final int NO_SHORTHAND = 0, SELF = 1, ALL_INCLUDING_SELF = 2, ALL_EXCLUDING_SELF = 3;

    /** The physical broadcast destination of the mode this IPI was sent in. */
    public boolean broadcast() {
        return !logical && destination == (x2apic ? 0xFFFF_FFFFL : 0xFF);
    }
}
