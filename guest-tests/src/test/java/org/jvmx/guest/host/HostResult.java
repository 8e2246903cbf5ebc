package org.jvmx.guest.host;

/**
 * What the host CPU did with one {@link HostCase}. {@code signal} is 0 when the code ran to its
 * end ({@code rip == CODE_BASE + code length}); otherwise it is the signal the kernel delivered
 * (SIGSEGV 11 for #GP/#PF, SIGBUS 7 for #SS and some #GP, SIGFPE 8 for #DE and unmasked SIMD
 * exceptions, SIGILL 4 for #UD, SIGTRAP 5 for INT3, SIGALRM 14 when the harness stopped a snippet
 * that ran for over ~0.2 s), {@code rip} the RIP the kernel reported (the faulting instruction
 * for a fault, the next one for a trap), {@code faultAddr} the signal's si_addr, and
 * {@code state} the state at that point (precise: the faulting instruction has not run).
 */
public record HostResult(int signal, long rip, long faultAddr, HostState state) {
    public static final int SIGILL = 4, SIGTRAP = 5, SIGBUS = 7, SIGFPE = 8, SIGSEGV = 11, SIGALRM = 14;

    public boolean faulted() { return signal != 0; }

    /** RIP as an offset from the first byte of the code. */
    public long ripOffset() { return rip - HostCpu.CODE_BASE; }

    public String signalName() {
        return switch (signal) {
            case 0 -> "none";
            case SIGILL -> "SIGILL";
            case SIGTRAP -> "SIGTRAP";
            case SIGBUS -> "SIGBUS";
            case SIGFPE -> "SIGFPE";
            case SIGSEGV -> "SIGSEGV";
            case SIGALRM -> "timeout";
            default -> "signal " + signal;
        };
    }

    @Override
    public String toString() {
        return (faulted() ? signalName() + String.format(" at +%#x (addr %#x)", ripOffset(), faultAddr)
                : String.format("ran to +%#x", ripOffset())) + "\n" + state;
    }
}
