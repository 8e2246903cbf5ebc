package org.jvmx.linux;

import org.jvmx.vm.Reg;

/**
 * The user-mode register state of the process's thread as signal delivery and
 * {@code rt_sigreturn} see it (Linux's {@code struct pt_regs} plus the FPU image): the values the
 * user code had (or will have on return to user mode), whatever the guest is doing right now.
 *
 * <p>The process's run loop implements it over its vCPU ({@link UserContextVcpu} is one such
 * implementation). Inside a system call, the user's RIP and RFLAGS are what SYSCALL saved in RCX
 * and R11 (SDM Vol. 2B, SYSCALL): an implementation maps {@link #rip()}/{@link #rflags()} to the
 * values the return to user mode will load.
 */
public interface UserContext {
    /** A user general-purpose register (RSP is the user stack pointer). */
    long reg(Reg r);

    void setReg(Reg r, long value);

    long rip();

    void setRip(long rip);

    long rflags();

    /** Sets the user RFLAGS (only the user-modifiable bits matter; IF stays set in user mode). */
    void setRflags(long rflags);

    /** The 512-byte FXSAVE image of the x87/MMX/SSE state (SDM Vol. 1, Table 10-2). */
    byte[] fxsave();

    /** Loads a 512-byte FXSAVE image (the caller has checked MXCSR's reserved bits). */
    void fxrstor(byte[] image);

    /** The user code selector saved in sigcontext ({@code __USER_CS}, 0x33 under Linux). */
    default int cs() {
        return 0x33;
    }

    /** The user stack selector saved in sigcontext ({@code __USER_DS}, 0x2b under Linux). */
    default int ss() {
        return 0x2b;
    }
}
