package org.jvmx.monitor.apic;

/**
 * One of the local APIC's 256-bit vector registers (IRR, ISR or TMR; Intel SDM Vol. 3A, 11.8.4 "Interrupt
 * Acceptance for Fixed Interrupts"). Software reads them as eight 32-bit registers, bit n of register k standing
 * for vector 32k + n.
 */
final class VectorBitmap {

    private final long[] words = new long[4];

    void set(int vector) {
        words[vector >>> 6] |= 1L << vector;
    }

    void clear(int vector) {
        words[vector >>> 6] &= ~(1L << vector);
    }

    boolean get(int vector) {
        return (words[vector >>> 6] & 1L << vector) != 0;
    }

    /** The highest vector set, or -1 when none is. */
    int highest() {
        for (int w = 3; w >= 0; w--) {
            if (words[w] != 0) {
                return w * 64 + 63 - Long.numberOfLeadingZeros(words[w]);
            }
        }
        return -1;
    }

    /** Register {@code k} (0..7) of the 32-bit view. */
    int register(int k) {
        return (int) (words[k >>> 1] >>> ((k & 1) * 32));
    }

    void clearAll() {
        java.util.Arrays.fill(words, 0);
    }
}
