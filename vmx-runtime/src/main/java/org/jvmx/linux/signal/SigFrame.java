package org.jvmx.linux.signal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jvmx.vm.Reg;

/**
 * The x86-64 {@code struct rt_sigframe} Linux pushes on signal delivery (arch/x86/include/asm/
 * sigframe.h, arch/x86/kernel/signal_64.c): the return address (sa_restorer), {@code struct
 * ucontext} (uapi asm-generic/ucontext.h with the x86-64 {@code struct sigcontext} of uapi
 * asm/sigcontext.h and an 8-byte kernel sigset), then {@code struct siginfo}. The FXSAVE-format
 * FPU state sits above the frame, 64-byte aligned, and sigcontext.fpstate points at it.
 */
public final class SigFrame {
    private SigFrame() {
    }

    // struct rt_sigframe
    public static final int PRETCODE = 0, UC = 8, INFO = 8 + 304, SIZE = INFO + SigInfo.SIZE;

    // struct ucontext
    public static final int UC_FLAGS = 0, UC_LINK = 8, UC_STACK = 16, UC_MCONTEXT = 40, UC_SIGMASK = 296,
            UCONTEXT_SIZE = 304;
    // stack_t
    public static final int SS_SP = 0, SS_FLAGS = 8, SS_SIZE = 16;

    // struct sigcontext (offsets inside uc_mcontext)
    public static final int SC_RIP = 128, SC_EFLAGS = 136, SC_CS = 144, SC_GS = 146, SC_FS = 148, SC_SS = 150,
            SC_ERR = 152, SC_TRAPNO = 160, SC_OLDMASK = 168, SC_CR2 = 176, SC_FPSTATE = 184, SIGCONTEXT_SIZE = 256;

    /** The general registers in sigcontext order, 8 bytes each from offset 0 (gregs[REG_R8..REG_RSP]). */
    public static final Reg[] GREGS = {Reg.R8, Reg.R9, Reg.R10, Reg.R11, Reg.R12, Reg.R13, Reg.R14, Reg.R15,
        Reg.RDI, Reg.RSI, Reg.RBP, Reg.RBX, Reg.RDX, Reg.RAX, Reg.RCX, Reg.RSP};

    /** uc_flags bits (arch/x86/include/uapi/asm/ucontext.h): the frame saves SS, restore it strictly. */
    public static final long UC_FP_XSTATE = 1, UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4;

    /** FXSAVE image with {@code struct _fpx_sw_bytes} in the software-available bytes 464..511. */
    public static final int FPSTATE_SIZE = 512, SW_RESERVED = 464;
    /** FP_XSTATE_MAGIC1: its presence would announce an XSAVE frame; jvmx writes plain FXSAVE frames. */
    public static final int FP_XSTATE_MAGIC1 = 0x46505853;

    /** Bytes below the user's RSP that a leaf function may use (the System V ABI red zone). */
    public static final int RED_ZONE = 128;

    /** The user state saved in (and restored from) a frame. */
    public record Saved(long[] gregs, long rip, long rflags, int cs, int ss, long err, long trapno, long oldmask,
            long cr2, long fpstate, long mask, long ucFlags, long stackSp, int stackFlags, long stackSize) { }

    /**
     * The bytes from the frame's start ({@code frame}) to the end of the FPU image at {@code fp}
     * ({@code fp >= frame + SIZE}); the gap between them is zero.
     */
    public static byte[] image(long frame, long fp, long restorer, Saved s, SigInfo info, byte[] fxsave) {
        int len = (int) (fp + FPSTATE_SIZE - frame);
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(PRETCODE, restorer);
        int uc = UC;
        b.putLong(uc + UC_FLAGS, s.ucFlags()).putLong(uc + UC_LINK, 0);
        b.putLong(uc + UC_STACK + SS_SP, s.stackSp()).putInt(uc + UC_STACK + SS_FLAGS, s.stackFlags())
                .putLong(uc + UC_STACK + SS_SIZE, s.stackSize());
        int sc = uc + UC_MCONTEXT;
        for (int k = 0; k < GREGS.length; k++) b.putLong(sc + 8 * k, s.gregs()[k]);
        b.putLong(sc + SC_RIP, s.rip()).putLong(sc + SC_EFLAGS, s.rflags());
        b.putShort(sc + SC_CS, (short) s.cs()).putShort(sc + SC_GS, (short) 0).putShort(sc + SC_FS, (short) 0)
                .putShort(sc + SC_SS, (short) s.ss());
        b.putLong(sc + SC_ERR, s.err()).putLong(sc + SC_TRAPNO, s.trapno()).putLong(sc + SC_OLDMASK, s.oldmask())
                .putLong(sc + SC_CR2, s.cr2()).putLong(sc + SC_FPSTATE, fp);
        b.putLong(uc + UC_SIGMASK, s.mask());
        b.put(INFO, info.encode());
        int f = (int) (fp - frame);
        b.put(f, fxsave, 0, 464);
        // _fpx_sw_bytes all zero: magic1 != FP_XSTATE_MAGIC1 tells user code (and sigreturn) "FXSAVE only".
        return b.array();
    }

    /** Parses the {@code struct ucontext} bytes (UCONTEXT_SIZE of them). */
    public static Saved parseUcontext(byte[] ucBytes) {
        ByteBuffer b = ByteBuffer.wrap(ucBytes).order(ByteOrder.LITTLE_ENDIAN);
        int sc = UC_MCONTEXT;
        long[] g = new long[GREGS.length];
        for (int k = 0; k < g.length; k++) g[k] = b.getLong(sc + 8 * k);
        return new Saved(g, b.getLong(sc + SC_RIP), b.getLong(sc + SC_EFLAGS), b.getShort(sc + SC_CS) & 0xFFFF,
                b.getShort(sc + SC_SS) & 0xFFFF, b.getLong(sc + SC_ERR), b.getLong(sc + SC_TRAPNO),
                b.getLong(sc + SC_OLDMASK), b.getLong(sc + SC_CR2), b.getLong(sc + SC_FPSTATE),
                b.getLong(UC_SIGMASK), b.getLong(UC_FLAGS), b.getLong(UC_STACK + SS_SP),
                b.getInt(UC_STACK + SS_FLAGS), b.getLong(UC_STACK + SS_SIZE));
    }
}
