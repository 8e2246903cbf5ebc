package org.jvmx.monitor.apic;

/**
 * Where a local APIC sends the interprocessor interrupts that may reach other processors (Intel SDM Vol. 3A,
 * 11.6 "Issuing Interprocessor Interrupts"). The monitor routes them between vCPUs.
 *
 * <p>Called after the sending APIC has released its lock, so an implementation may call {@link LocalApic#accept}
 * on other APICs (but must not block on the sending vCPU).
 */
@FunctionalInterface
public interface IpiSink {

    void send(Ipi ipi);

    /** A single-processor machine: IPIs to other processors go nowhere. */
    IpiSink NONE = ipi -> { };
}
