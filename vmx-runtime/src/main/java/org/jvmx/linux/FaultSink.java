package org.jvmx.linux;

/**
 * Where the process's synchronous faults go once demand paging has had its say: the signals
 * group (LinuxSignals) implements it to deliver the signal to a handler; the default kills the
 * process as the signal's default action would ({@link LinuxProcess#killedBy}).
 */
@FunctionalInterface
public interface FaultSink {
    /** Linux signal numbers for synchronous faults (asm-generic/signal.h). */
    int SIGILL = 4, SIGTRAP = 5, SIGBUS = 7, SIGFPE = 8, SIGSEGV = 11;

    /**
     * A fault of the user program.
     *
     * @param signal    SIGSEGV, SIGBUS, SIGFPE, SIGILL or SIGTRAP
     * @param code      si_code (SEGV_MAPERR 1, SEGV_ACCERR 2, FPE_INTDIV 1, ILL_ILLOPN 2, SI_KERNEL 0x80, ...)
     * @param address   si_addr: the faulting data address for SIGSEGV/SIGBUS, the instruction's for others
     * @param vector    the exception vector (#PF 14, #GP 13, #UD 6, #DE 0, ...)
     * @param errorCode the exception's error code (0 when it has none)
     * @param rip       the faulting instruction's address (registers are as before it)
     */
    record Fault(int signal, int code, long address, int vector, int errorCode, long rip) {
    }

    /**
     * Delivers {@code f}. Returns true when the process goes on (a handler frame was set up; the
     * sink changed the vCPU state as needed), false to take the default action (termination).
     */
    boolean deliver(Fault f);

    /** The default: no handler, the process dies of the signal. */
    FaultSink DEFAULT = f -> false;
}
