package org.jvmx.linux;

import org.jvmx.vm.Vcpu;

/**
 * One thread's signal state (struct task_struct's blocked, pending, sas_ss_*, saved_sigmask),
 * guarded by the {@link LinuxSignals} monitor.
 */
public final class ThreadSignals {
    final Vcpu vcpu;
    final SignalQueue own = new SignalQueue();
    long blocked;
    long altSp, altSize;
    int altFlags = LinuxSignals.SS_DISABLE; // SS_DISABLE when none, else the SS_AUTODISARM bit
    /** The mask to restore after rt_sigsuspend's temporary one (TIF_RESTORE_SIGMASK), or null. */
    Long savedMask;
    /** The context of the system call in progress (created on first use, dropped by finishSyscall). */
    UserContextVcpu syscallContext;
    /** The thread it belongs to (null for the state of a process without a thread group). */
    LinuxThread thread;

    ThreadSignals(Vcpu vcpu) {
        this.vcpu = vcpu;
    }
}

