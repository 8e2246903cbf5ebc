package org.jvmx.translator.cpu;

/**
 * RFLAGS bits (SDM Vol. 1, 3.4.3, Figure 3-8). The six status flags are kept lazily by
 * {@link LazyFlags}; {@link CpuState} keeps the others in a plain word.
 */
public final class Rflags {
    private Rflags() {
    }

    public static final long CF = LazyFlags.CF, PF = LazyFlags.PF, AF = LazyFlags.AF, ZF = LazyFlags.ZF,
            SF = LazyFlags.SF, OF = LazyFlags.OF;
    /** Bit 1: reserved, always reads 1. */
    public static final long FIXED1 = 1L << 1;
    public static final long TF = 1L << 8, IF = 1L << 9, DF = 1L << 10, IOPL = 3L << 12, NT = 1L << 14, RF = 1L << 16,
            VM = 1L << 17, AC = 1L << 18, VIF = 1L << 19, VIP = 1L << 20, ID = 1L << 21;
    public static final int IOPL_SHIFT = 12;
    /** The status flags (lazy). */
    public static final long STATUS = LazyFlags.STATUS;
    /** The system and control flags, kept eagerly. */
    public static final long SYSTEM = TF | IF | DF | IOPL | NT | RF | VM | AC | VIF | VIP | ID;
    /** Every bit that is not reserved, including the fixed bit 1. Bits 3, 5, 15 and 22-63 are reserved 0. */
    public static final long DEFINED = STATUS | SYSTEM | FIXED1;
}
