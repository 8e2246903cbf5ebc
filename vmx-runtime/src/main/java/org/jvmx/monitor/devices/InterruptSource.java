package org.jvmx.monitor.devices;

/**
 * What a vCPU sees of an external interrupt controller: the INTR pin and the interrupt-acknowledge cycle
 * (Intel SDM Vol. 3A, 6.3.1 "External Interrupts"). The vCPU checks {@link #hasInterrupt()} when RFLAGS.IF allows
 * and then runs the INTA cycle with {@link #acknowledge()} to obtain the vector it delivers.
 */
public interface InterruptSource {

    /** The INTR output is asserted. */
    boolean hasInterrupt();

    /** The INTA cycle: the vector to deliver (0..255), always valid (a spurious vector when nothing is pending). */
    int acknowledge();
}
