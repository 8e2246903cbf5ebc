package org.jvmx.linux;

/**
 * Thrown by a system call that ends the process (exit, exit_group, a fatal signal): it unwinds
 * out of {@link SyscallTable#call} to the run loop of {@link LinuxProcess}.
 */
public final class ProcessExit extends RuntimeException {
    /** The status as a shell shows it: the exit code, or 128 + the signal number. */
    public final int status;
    /** The killing signal, or 0 for a normal exit. */
    public final int signal;

    public ProcessExit(int status, int signal) {
        super(null, null, false, false);
        this.status = status;
        this.signal = signal;
    }

    /** exit(code): the low 8 bits of the code. */
    public static ProcessExit exited(long code) {
        return new ProcessExit((int) code & 0xFF, 0);
    }

    /** Killed by {@code signal}: status 128 + signal. */
    public static ProcessExit killed(int signal) {
        return new ProcessExit(128 + signal, signal);
    }
}
