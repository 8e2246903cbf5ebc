package org.jvmx.translator.sem;

import org.jvmx.translator.exec.Isa;

/**
 * The general-purpose integer instructions of 64-bit mode: moves and conversions
 * ({@link MoveOps}), arithmetic and logic ({@link IntArith}), shifts and rotates
 * ({@link IntShifts}), multiplication and division ({@link MulDivOps}), bit operations and BMI
 * ({@link BitOps}), exchanges and compare-exchanges ({@link AtomicOps}) and the flag instructions
 * ({@link IntFlagOps}).
 */
public final class IntegerOps {
    private IntegerOps() {
    }

    public static void install(Isa.Installer in) {
        MoveOps.install(in);
        IntArith.install(in);
        IntShifts.install(in);
        MulDivOps.install(in);
        BitOps.install(in);
        AtomicOps.install(in);
        IntFlagOps.install(in);
    }
}
