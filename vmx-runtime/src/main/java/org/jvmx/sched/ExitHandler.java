package org.jvmx.sched;

import org.jvmx.vm.Vcpu;
import org.jvmx.vmx.exit.VmExit;

/**
 * The monitor's answer to a VM exit of a scheduled vCPU, called on the worker thread (the core)
 * that took the exit, with the vCPU's VMCS current there. VMX-preemption-timer exits (the
 * scheduler's time slices) and halts waiting for an event never reach it.
 */
@FunctionalInterface
public interface ExitHandler {
    /** Handles {@code exit}; returns false when the vCPU is finished and leaves the scheduler. */
    boolean handle(Vcpu vcpu, VmExit exit);

    /**
     * The same contract without a scheduler: runs {@code v} on the calling thread ({@link Vcpu#run()},
     * its private core) and hands every exit to {@code h} until it returns false — how a monitor
     * drives a single vCPU on its own thread.
     */
    static void runOnCallingThread(Vcpu v, ExitHandler h) {
        while (h.handle(v, v.run())) {
            // the handler prepared the next entry
        }
    }
}
