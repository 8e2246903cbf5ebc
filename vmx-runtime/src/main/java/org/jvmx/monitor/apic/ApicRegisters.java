package org.jvmx.monitor.apic;

/**
 * The local APIC register map: register index = xAPIC MMIO offset / 16 = x2APIC MSR - 0x800 (Intel SDM Vol. 3A,
 * Table 11-1 "Local APIC Register Address Map" and Table 11-6 "Local APIC Register Address Map Supported by
 * x2APIC"), with each register's access in either mode and its writable bits.
 */
final class ApicRegisters {

    static final int ID = 0x02, VERSION = 0x03, TPR = 0x08, APR = 0x09, PPR = 0x0A, EOI = 0x0B, RRD = 0x0C,
            LDR = 0x0D, DFR = 0x0E, SVR = 0x0F, ISR0 = 0x10, TMR0 = 0x18, IRR0 = 0x20, ESR = 0x28,
            LVT_CMCI = 0x2F, ICR_LOW = 0x30, ICR_HIGH = 0x31, LVT_TIMER = 0x32, LVT_THERMAL = 0x33,
            LVT_PERF = 0x34, LVT_LINT0 = 0x35, LVT_LINT1 = 0x36, LVT_ERROR = 0x37, TIMER_INITIAL = 0x38,
            TIMER_CURRENT = 0x39, DIVIDE_CONFIG = 0x3E, SELF_IPI = 0x3F;

    static final int COUNT = 0x40;

    /** Access bits. */
    static final int R = 1, W = 2, RW = R | W;

    /** Per index: {xAPIC access, x2APIC access, writable bits}; rows are {first index, count, xapic, x2apic, mask}. */
    private static final long[][] TABLE = {
            {ID, 1, RW, R, 0xFF00_0000L},          // xAPIC ID in bits 31:24; the x2APIC ID is read-only
            {VERSION, 1, R, R, 0},
            {TPR, 1, RW, RW, 0xFF},
            {APR, 1, R, 0, 0},                     // no APR in x2APIC mode
            {PPR, 1, R, R, 0},
            {EOI, 1, W, W, 0},
            {RRD, 1, R, 0, 0},
            {LDR, 1, RW, R, 0xFF00_0000L},         // x2APIC LDR is derived from the ID (SDM 11.12.10.2)
            {DFR, 1, RW, 0, 0xF000_0000L},         // no DFR in x2APIC mode
            {SVR, 1, RW, RW, 0x3FF},               // vector, APIC software enable (8), focus check disable (9)
            {ISR0, 8, R, R, 0},
            {TMR0, 8, R, R, 0},
            {IRR0, 8, R, R, 0},
            {ESR, 1, RW, RW, 0},
            {LVT_CMCI, 1, RW, RW, 0x1_07FF},       // vector, delivery mode, mask
            {ICR_LOW, 1, RW, RW, 0xC_CFFF},        // vector, mode, dest mode, level, trigger, shorthand
            {ICR_HIGH, 1, RW, 0, 0xFF00_0000L},    // one 64-bit ICR MSR in x2APIC mode
            {LVT_TIMER, 1, RW, RW, 0x7_00FF},      // vector, mask, timer mode
            {LVT_THERMAL, 1, RW, RW, 0x1_07FF},
            {LVT_PERF, 1, RW, RW, 0x1_07FF},
            {LVT_LINT0, 1, RW, RW, 0x1_A7FF},      // + polarity (13), trigger (15); remote IRR (14) read-only
            {LVT_LINT1, 1, RW, RW, 0x1_A7FF},
            {LVT_ERROR, 1, RW, RW, 0x1_00FF},
            {TIMER_INITIAL, 1, RW, RW, 0xFFFF_FFFFL},
            {TIMER_CURRENT, 1, R, R, 0},
            {DIVIDE_CONFIG, 1, RW, RW, 0xB},
            {SELF_IPI, 1, 0, W, 0xFF},
    };

    private static final int[] XAPIC = new int[COUNT], X2APIC = new int[COUNT];
    private static final int[] MASK = new int[COUNT];

    static {
        for (long[] row : TABLE) {
            for (int i = (int) row[0]; i < row[0] + row[1]; i++) {
                XAPIC[i] = (int) row[2];
                X2APIC[i] = (int) row[3];
                MASK[i] = (int) row[4];
            }
        }
    }

    private ApicRegisters() {
    }

    /** Access bits of register {@code index} in the given mode (0 when it does not exist). */
    static int access(int index, boolean x2apic) {
        if (index < 0 || index >= COUNT) {
            return 0;
        }
        return x2apic ? X2APIC[index] : XAPIC[index];
    }

    /** The bits software can change in register {@code index}. */
    static int writable(int index) {
        return MASK[index];
    }

    static boolean isLvt(int index) {
        return index == LVT_CMCI || index >= LVT_TIMER && index <= LVT_ERROR;
    }
}
