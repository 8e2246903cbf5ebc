package org.jvmx.guest.smp;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvmx.sched.Scheduler;
import org.jvmx.vm.Vcpu;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.ExitReason;

/**
 * Runs the vCPUs of one guest truly in parallel on the vCPU scheduler ({@link Scheduler}: one
 * worker thread — one core with its own host state — per vCPU, so that every vCPU can run at the
 * same time as in hardware), until every one stops with HLT or VMCALL. The only place the smp
 * tests drive vCPUs.
 *
 * <p>PAUSE exits (the tests enable PAUSE exiting) are the guest's spin-wait hint: the vCPU goes
 * back to the run queue, as a hypervisor's pause-loop exiting lets another vCPU run on the core.
 * This matters here: the tests run up to four vCPUs on a two-core machine.
 */
final class ScheduledVcpus {
    private ScheduledVcpus() {
    }

    /** Runs {@code vcpus} until each halts; returns their final exits (HLT or VMCALL) in order. */
    static List<VmExit> runAll(List<Vcpu> vcpus, long timeoutSeconds) throws InterruptedException {
        int n = vcpus.size();
        VmExit[] last = new VmExit[n];
        try (Scheduler s = new Scheduler(n, Scheduler.Options.defaults())) {
            for (int k = 0; k < n; k++) {
                int id = k;
                s.add(vcpus.get(k), (v, x) -> {
                    ExitReason r = x.reason();
                    if (r == ExitReason.HLT || r == ExitReason.VMCALL) {
                        last[id] = x;
                        return false;
                    }
                    if (r == ExitReason.PAUSE) {
                        // pause-loop exiting: give the host core to another vCPU's worker (more
                        // workers than host cores here, so the vCPU being waited for may be off-core)
                        v.skipInstruction();
                        Thread.yield();
                        return true;
                    }
                    if (r == ExitReason.EXTERNAL_INTERRUPT) return true;
                    throw new AssertionError("vCPU " + v.id() + ": unexpected exit " + x);
                });
            }
            if (!s.await(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError("vCPUs still running after " + timeoutSeconds + " s");
            }
        }
        return List.of(last);
    }
}
