package org.jvmx.vmx.entry;

import org.jvmx.translator.exec.Cpu;
import org.jvmx.translator.exec.Interrupts;
import org.jvmx.vmx.vmcs.Controls;
import org.jvmx.vmx.vmcs.Vmcs;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * Event injection on VM entry (SDM Vol. 3C, 27.6): the event in the VM-entry
 * interruption-information field is delivered through the guest IDT after the guest state is
 * loaded, as if it had occurred right at entry. Software interrupts and software exceptions
 * push RIP + the VM-entry instruction length, other events RIP itself. A fault while
 * delivering is combined as on hardware (Table 6-5); a triple fault is a VM exit with reason 2.
 * The valid bit is cleared on every VM exit (27.6.1), here once the event is delivered.
 */
public final class EventInjection {
    private EventInjection() {
    }

    /** What {@link #inject} did. */
    public enum Outcome { NOTHING_TO_INJECT, DELIVERED, TRIPLE_FAULT }

    public static Outcome inject(Vmcs vmcs, Cpu cpu) {
        return inject(vmcs, cpu, f -> false);
    }

    /**
     * Injects the event of the VM-entry interruption-information field; a fault during its
     * delivery that {@code intercepted} selects leaves as {@link Interrupts.InterceptedDuringDelivery}
     * (a VM exit with IDT-vectoring information, 28.2.4).
     */
    public static Outcome inject(Vmcs vmcs, Cpu cpu, java.util.function.Predicate<org.jvmx.translator.mem.GuestFault> intercepted) {
        long info = vmcs.read(VmcsFields.VM_ENTRY_INTERRUPTION_INFO);
        if ((info & Controls.INTR_INFO_VALID & 0xFFFF_FFFFL) == 0) return Outcome.NOTHING_TO_INJECT;
        int vector = (int) info & 0xFF;
        int type = (int) (info >>> 8) & 7;
        int errorCode = (info & Controls.INTR_INFO_DELIVER_ERROR_CODE) != 0
                ? (int) vmcs.read(VmcsFields.VM_ENTRY_EXCEPTION_ERROR_CODE) : -1;
        Interrupts.Kind kind = switch (type) {
            case Controls.INTR_TYPE_EXTERNAL -> Interrupts.Kind.EXTERNAL;
            case Controls.INTR_TYPE_NMI -> Interrupts.Kind.NMI;
            case Controls.INTR_TYPE_SOFTWARE_INTERRUPT -> Interrupts.Kind.SOFTWARE_INTERRUPT;
            case Controls.INTR_TYPE_PRIVILEGED_SOFTWARE_EXCEPTION -> Interrupts.Kind.PRIVILEGED_SOFTWARE_EXCEPTION;
            case Controls.INTR_TYPE_SOFTWARE_EXCEPTION -> Interrupts.Kind.SOFTWARE_EXCEPTION;
            default -> Interrupts.Kind.HARDWARE_EXCEPTION;
        };
        boolean software = type == Controls.INTR_TYPE_SOFTWARE_INTERRUPT
                || type == Controls.INTR_TYPE_PRIVILEGED_SOFTWARE_EXCEPTION || type == Controls.INTR_TYPE_SOFTWARE_EXCEPTION;
        long returnRip = cpu.state.rip + (software ? vmcs.read(VmcsFields.VM_ENTRY_INSTRUCTION_LENGTH) : 0);
        vmcs.write(VmcsFields.VM_ENTRY_INTERRUPTION_INFO, info & ~(long) Controls.INTR_INFO_VALID & 0xFFFF_FFFFL);
        try {
            Interrupts.deliver(cpu, vector, kind, errorCode, returnRip, intercepted);
            return Outcome.DELIVERED;
        } catch (Interrupts.TripleFault t) {
            return Outcome.TRIPLE_FAULT;
        }
    }
}
