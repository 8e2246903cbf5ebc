package org.jvmx.linux;

import org.jvmx.vm.Vcpu;
import org.jvmx.vmx.exit.VmExit;

/**
 * The one place where a Linux thread's vCPU is driven: run it to its next VM exit, hand the exit
 * to the handler, repeat while the handler says so. Until vCPUs are scheduled onto worker cores,
 * each thread's loop runs on a Java thread of its own; the handler has the scheduler's per-exit
 * shape ({@code boolean handle(Vcpu, VmExit)}: true to run the vCPU again, false when it is
 * done), so moving the loop onto workers replaces only this class.
 */
final class VcpuLoop {
    /** What to do with each VM exit of a vCPU. */
    @FunctionalInterface
    interface ExitHandler {
        /** Serves {@code x}; true when the vCPU should run again, false when its thread is finished. */
        boolean handle(Vcpu v, VmExit x);
    }

    private VcpuLoop() {
    }

    /** Runs {@code v} on the calling thread until {@code h} says it is finished. */
    static void run(Vcpu v, ExitHandler h) {
        while (h.handle(v, v.run())) {
            // the handler did the work
        }
    }

    /**
     * Runs {@code v} on a new daemon Java thread named {@code name}; {@code failed} receives an
     * error that escapes the handler (the thread ends).
     */
    static Thread start(String name, Vcpu v, ExitHandler h, java.util.function.Consumer<RuntimeException> failed) {
        Thread t = new Thread(() -> {
            try {
                run(v, h);
            } catch (RuntimeException e) {
                failed.accept(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
