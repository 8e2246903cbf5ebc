package org.jvmx.monitor;

import org.jvmx.vm.Vcpu;
import org.jvmx.vmx.exit.VmExit;

/**
 * The one place a vCPU is driven: enter the guest ({@link Vcpu#run()}), hand the VM exit to
 * the monitor, repeat while the monitor wants it to run. Each vCPU of a {@link Machine} runs this
 * loop on a thread of its own for now; a scheduler that runs vCPUs on worker threads takes its
 * place with the same per-exit contract ({@link ExitHandler}).
 */
final class VcpuLoop {
    private VcpuLoop() {
    }

    /** Serves one VM exit of {@code v}; false when {@code v} must not run again. */
    @FunctionalInterface
    interface ExitHandler {
        boolean handle(Vcpu v, VmExit x);
    }

    static void run(Vcpu v, ExitHandler handler) {
        while (handler.handle(v, v.run())) {
            // the handler prepared the next entry
        }
    }
}
