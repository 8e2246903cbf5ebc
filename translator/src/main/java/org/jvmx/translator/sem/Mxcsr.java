package org.jvmx.translator.sem;

import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.mem.GuestFault;

/**
 * The MXCSR environment of one SSE floating-point instruction (SDM Vol. 1, 10.2.3): rounding
 * control, DAZ, FTZ, and the exception flags the instruction raises, collected over all its
 * elements and committed at the end by {@link #commit}, which applies the SIMD exception rules
 * (SDM Vol. 1, 11.5.1): an unmasked pre-computation exception (IE, DE, ZE) in any element
 * suppresses the post-computation flags (OE, UE, PE); any unmasked exception raises #XM (or #UD
 * with CR4.OSXMMEXCPT clear) with the destination left unchanged, after the flags are set.
 */
public final class Mxcsr {
    public static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32;
    public static final int DAZ_BIT = 1 << 6, FTZ_BIT = 1 << 15, MASK_SHIFT = 7, RC_SHIFT = 13;
    /** Rounding control values (MXCSR.RC, also the ROUNDxx imm8[1:0]). */
    public static final int RN = 0, RD = 1, RU = 2, RZ = 3;
    /** Bits LDMXCSR accepts; the others are reserved and raise #GP(0) (MXCSR_MASK = 0xFFFF). */
    public static final int WRITABLE = 0xFFFF;
    private static final int PRE_COMPUTATION = IE | DE | ZE;

    /** Rounding mode in force (RN, RD, RU, RZ). */
    public int rc;
    /** Denormal operands are read as zero. */
    public final boolean daz;
    /** Tiny results become zero (only with UE masked, SDM Vol. 1, 10.2.3.3). */
    public final boolean ftz;
    /** The MXCSR mask bits (bits 12:7 moved down to 5:0): set = masked. */
    public final int masks;
    /** Exception flags raised so far by this instruction. */
    public int flags;

    public Mxcsr(int mxcsr) {
        rc = (mxcsr >>> RC_SHIFT) & 3;
        daz = (mxcsr & DAZ_BIT) != 0;
        masks = (mxcsr >>> MASK_SHIFT) & 0x3F;
        ftz = (mxcsr & FTZ_BIT) != 0 && (masks & UE) != 0;
    }

    /** The environment of the instruction running on {@code c}. */
    public static Mxcsr of(Cpu c) {
        return new Mxcsr(c.state.mxcsr);
    }

    public void raise(int f) {
        flags |= f;
    }

    public boolean masked(int f) {
        return (masks & f) == f;
    }

    /** Flags of the stages already ended, and whether one of them had an unmasked exception. */
    private int settled;
    private boolean unmaskedSeen;

    /**
     * Ends one stage of computation: its flags settle, without OE/UE/PE when the stage had an
     * unmasked pre-computation exception. Most instructions are one stage; DPPS/DPPD are
     * several (products, sums), each checked as its own operation.
     */
    public void endStage() {
        int f = flags;
        flags = 0;
        int unmasked = f & ~masks;
        if ((unmasked & PRE_COMPUTATION) != 0) f &= PRE_COMPUTATION;
        settled |= f;
        unmaskedSeen |= unmasked != 0;
    }

    /** Whether an ended stage had an unmasked exception (the instruction must fault now). */
    public boolean mustFault() {
        return unmaskedSeen;
    }

    /**
     * Ends the last stage and merges the flags into MXCSR; with an unmasked exception, throws
     * the SIMD exception (the caller has not written its destination yet).
     */
    public void commit(Cpu c) {
        endStage();
        c.state.mxcsr |= settled;
        if (unmaskedSeen) {
            if ((c.state.cr4 & Cpu.CR4_OSXMMEXCPT) == 0) throw GuestFault.invalidOpcode("SIMD exception with CR4.OSXMMEXCPT clear");
            throw GuestFault.simdException();
        }
    }
}
