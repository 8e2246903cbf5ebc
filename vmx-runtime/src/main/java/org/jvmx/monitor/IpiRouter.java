package org.jvmx.monitor;

import java.util.List;
import org.jvmx.monitor.apic.Ipi;
import org.jvmx.monitor.apic.IpiSink;

/**
 * The interrupt-command bus between the machine's local APICs (SDM Vol. 3A 11.6): an IPI a
 * processor's APIC sends reaches the processors its destination names: a physical APIC ID or
 * broadcast, a logical destination matched against each LDR (flat or cluster, 11.6.2.2), or a
 * shorthand (self, all including self, all excluding self, 11.6.1). By delivery mode:
 * <ul>
 * <li>fixed: the vector enters each destination APIC's IRR, and the vCPU is kicked so that the
 *     monitor injects it (a halted vCPU wakes, SDM 11.8.4);
 * <li>lowest priority: one destination only (11.6.2.4 leaves the choice to the chipset; here the
 *     lowest APIC ID among the matches), then as fixed;
 * <li>NMI: an NMI at each destination vCPU;
 * <li>INIT (level assert): an INIT signal, a VM exit in VMX non-root operation; the INIT level
 *     de-assert message does nothing on processors since the Pentium 4 (11.6.1);
 * <li>STARTUP: a SIPI with the vector, a VM exit for a vCPU waiting for one;
 * <li>SMI: not modelled, dropped.
 * </ul>
 * The sending APIC has already accepted a fixed IPI it addressed to itself (it does not come
 * back here for that processor).
 */
final class IpiRouter implements IpiSink {
    private volatile List<Processor> processors = List.of();

    void connect(List<Processor> all) {
        this.processors = List.copyOf(all);
    }

    @Override
    public void send(Ipi ipi) {
        boolean fixed = ipi.deliveryMode() == Ipi.FIXED || ipi.deliveryMode() == Ipi.LOWEST_PRIORITY;
        Processor chosen = null;
        for (Processor p : processors) {
            boolean self = p.apicId() == ipi.source();
            boolean reached = switch (ipi.shorthand()) {
                case Ipi.SELF -> self;
                case Ipi.ALL_INCLUDING_SELF -> true;
                case Ipi.ALL_EXCLUDING_SELF -> !self;
                default -> p.lapic.matches(ipi.destination(), ipi.logical());
            };
            if (!reached) continue;
            if (ipi.deliveryMode() == Ipi.LOWEST_PRIORITY) {
                if (self) return; // the sender took it (LocalApic accepts its own share): one processor only
                if (chosen == null) chosen = p;
                continue;
            }
            if (fixed && self) continue; // accepted by the sending APIC already
            deliver(p, ipi);
        }
        if (chosen != null) deliver(chosen, ipi);
    }

    private static void deliver(Processor p, Ipi ipi) {
        switch (ipi.deliveryMode()) {
            case Ipi.FIXED, Ipi.LOWEST_PRIORITY -> {
                if (p.lapic.accept(ipi.vector(), ipi.levelTrigger())) p.cpu.kick();
            }
            case Ipi.NMI -> p.cpu.nmi();
            case Ipi.INIT -> {
                if (ipi.assertLevel() || !ipi.levelTrigger()) p.cpu.init();
            }
            case Ipi.STARTUP -> p.cpu.startupIpi(ipi.vector());
            default -> { } // SMI
        }
    }
}
