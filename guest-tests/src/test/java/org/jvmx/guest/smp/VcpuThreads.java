package org.jvmx.guest.smp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jvmx.vm.Vcpu;
import org.jvmx.vmx.exit.VmExit;
import org.jvmx.vmx.vmcs.ExitReason;

/**
 * Runs the vCPUs of one guest truly in parallel, one Java thread each, until every one stops
 * with HLT or VMCALL. The only place the smp tests drive vCPUs: when the scheduler lands, this
 * loop becomes a hand-over to it.
 *
 * <p>PAUSE exits (the tests enable PAUSE exiting) are the guest's spin-wait hint: the thread
 * yields, as a hypervisor's pause-loop exiting lets another vCPU run on the core. This matters
 * here: the tests run up to four vCPUs on a two-core machine.
 */
final class VcpuThreads {
    private VcpuThreads() {
    }

    /** Runs {@code vcpus} until each halts; returns their final exits (HLT or VMCALL) in order. */
    static List<VmExit> runAll(List<Vcpu> vcpus, long timeoutSeconds) throws InterruptedException {
        int n = vcpus.size();
        VmExit[] last = new VmExit[n];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int id = k;
            Thread t = new Thread(() -> {
                try {
                    last[id] = runOne(vcpus.get(id));
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    for (Vcpu v : vcpus) v.kick();
                }
            }, "vcpu-" + k);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                for (Vcpu v : vcpus) v.kick();
                throw new AssertionError(t.getName() + " still running after " + timeoutSeconds + " s");
            }
        }
        if (failure.get() != null) throw new AssertionError("a vCPU failed", failure.get());
        return List.of(last);
    }

    /** One vCPU's loop: run, handle the exit, run again. */
    private static VmExit runOne(Vcpu v) {
        while (true) {
            VmExit x = v.run();
            ExitReason r = x.reason();
            if (r == ExitReason.HLT || r == ExitReason.VMCALL) return x;
            if (r == ExitReason.PAUSE) {
                v.skipInstruction();
                Thread.yield();
                continue;
            }
            if (r == ExitReason.PREEMPTION_TIMER_EXPIRED || r == ExitReason.EXTERNAL_INTERRUPT) continue;
            throw new AssertionError("vCPU " + v.id() + ": unexpected exit " + x);
        }
    }
}
