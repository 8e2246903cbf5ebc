package org.jvmx.linux.signal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One queued signal with what {@code struct siginfo} reports about it (include/uapi/asm-generic/
 * siginfo.h, 128 bytes on x86-64: si_signo, si_errno, si_code, then a union at offset 16 that
 * holds si_pid/si_uid for kill and si_addr for faults). A fault also carries what sigcontext
 * reports: the trap number, the error code and CR2.
 */
public record SigInfo(int signo, int code, int pid, int uid, long addr, boolean fault, int trapno, long err,
        long cr2) {
    public static final int SIZE = 128;
    public static final int SI_SIGNO = 0, SI_ERRNO = 4, SI_CODE = 8, SI_PID = 16, SI_UID = 20, SI_ADDR = 16;

    /** si_code values (siginfo.h): sent by kill, by tkill/tgkill, by the kernel. */
    public static final int SI_USER = 0, SI_TKILL = -6, SI_KERNEL = 0x80;
    public static final int SEGV_MAPERR = 1, SEGV_ACCERR = 2, ILL_ILLOPN = 2, FPE_INTDIV = 1, FPE_INTOVF = 2,
            FPE_FLTDIV = 3, FPE_FLTOVF = 4, FPE_FLTUND = 5, FPE_FLTRES = 6, FPE_FLTINV = 7, BUS_ADRALN = 1,
            TRAP_BRKPT = 1, TRAP_TRACE = 2;

    /** A signal sent by a process ({@code kill}: SI_USER, {@code tkill}: SI_TKILL). */
    public static SigInfo sent(int signo, int code, int pid, int uid) {
        return new SigInfo(signo, code, pid, uid, 0, false, 0, 0, 0);
    }

    /** A synchronous fault: si_addr plus the trap number, error code and CR2 for sigcontext. */
    public static SigInfo fault(int signo, int code, long addr, int trapno, long err, long cr2) {
        return new SigInfo(signo, code, 0, 0, addr, true, trapno, err, cr2);
    }

    /** The 128-byte struct siginfo. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(SI_SIGNO, signo).putInt(SI_ERRNO, 0).putInt(SI_CODE, code);
        if (fault) {
            b.putLong(SI_ADDR, addr);
        } else {
            b.putInt(SI_PID, pid).putInt(SI_UID, uid);
        }
        return b.array();
    }
}
