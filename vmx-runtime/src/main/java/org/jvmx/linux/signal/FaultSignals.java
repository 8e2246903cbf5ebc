package org.jvmx.linux.signal;

import static org.jvmx.linux.signal.SigInfo.*;
import static org.jvmx.linux.signal.SignalTable.*;

/**
 * Which signal a user-mode exception raises under Linux x86-64 (arch/x86/kernel/traps.c,
 * fault.c): the signal, si_code and si_addr, plus what sigcontext reports (trapno, err, cr2).
 */
public final class FaultSignals {
    private FaultSignals() {
    }

    public static final int DE = 0, DB = 1, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, NP = 11, SS = 12, GP = 13,
            PF = 14, MF = 16, AC = 17, XM = 19;

    /**
     * The signal for exception {@code vector} at {@code rip}. {@code cr2} matters for #PF, whose
     * error code bit 0 (P) separates SEGV_ACCERR (a present page refused the access) from
     * SEGV_MAPERR. For #MF and #XM the si_code comes from the x87 status/control words or MXCSR
     * ({@code fsw}, {@code fcw}, {@code mxcsr}). Returns null for a vector that raises no signal.
     */
    public static SigInfo of(int vector, long err, long cr2, long rip, int fsw, int fcw, int mxcsr) {
        return switch (vector) {
            case DE -> fault(SIGFPE, FPE_INTDIV, rip, vector, 0, 0);
            case DB -> fault(SIGTRAP, TRAP_TRACE, rip, vector, 0, 0);
            case BP -> fault(SIGTRAP, SI_KERNEL, 0, vector, 0, 0);
            case OF, BR, GP -> fault(SIGSEGV, SI_KERNEL, 0, vector, err, 0);
            case UD -> fault(SIGILL, ILL_ILLOPN, rip, vector, 0, 0);
            case NP, SS -> fault(SIGBUS, SI_KERNEL, 0, vector, err, 0);
            case PF -> fault(SIGSEGV, (err & 1) != 0 ? SEGV_ACCERR : SEGV_MAPERR, cr2, vector, err, cr2);
            // x87: the exceptions flagged in FSW and unmasked in FCW (math_error()).
            case MF -> fault(SIGFPE, fpeCode(fsw & ~fcw & 0x3F), rip, vector, 0, 0);
            // SSE: flags in MXCSR[5:0] whose masks MXCSR[12:7] are clear.
            case XM -> fault(SIGFPE, fpeCode(mxcsr & ~(mxcsr >>> 7) & 0x3F), rip, vector, 0, 0);
            case AC -> fault(SIGBUS, BUS_ADRALN, 0, vector, err, 0);
            default -> null;
        };
    }

    /** si_code for pending floating-point exceptions, in Linux's priority order (IE, ZE, OE, UE/DE, PE). */
    public static int fpeCode(int flags) {
        if ((flags & 0x01) != 0) return FPE_FLTINV;
        if ((flags & 0x04) != 0) return FPE_FLTDIV;
        if ((flags & 0x08) != 0) return FPE_FLTOVF;
        if ((flags & 0x12) != 0) return FPE_FLTUND;
        if ((flags & 0x20) != 0) return FPE_FLTRES;
        return 0;
    }
}
