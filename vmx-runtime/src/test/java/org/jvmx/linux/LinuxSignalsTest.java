package org.jvmx.linux;

import static org.jvmx.linux.LinuxSignals.CONTINUE;
import static org.jvmx.linux.LinuxSignals.SIG_DFL;
import static org.jvmx.linux.LinuxSignals.SIG_IGN;
import static org.jvmx.linux.LinuxSignals.SA_SIGINFO;
import static org.jvmx.linux.LinuxSignals.SA_RESTORER;
import static org.jvmx.linux.LinuxSignals.SA_ONSTACK;
import static org.jvmx.linux.LinuxSignals.SA_RESTART;
import static org.jvmx.linux.LinuxSignals.SA_NODEFER;
import static org.jvmx.linux.LinuxSignals.SA_RESETHAND;
import static org.jvmx.linux.LinuxSignals.SIG_BLOCK;
import static org.jvmx.linux.LinuxSignals.SIG_UNBLOCK;
import static org.jvmx.linux.LinuxSignals.SIG_SETMASK;
import static org.jvmx.linux.LinuxSignals.SS_ONSTACK;
import static org.jvmx.linux.LinuxSignals.SS_DISABLE;
import static org.jvmx.linux.LinuxSignals.FIX_EFLAGS;
import static org.jvmx.linux.signal.SignalTable.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.jvmx.linux.signal.FaultSignals;
import org.jvmx.linux.signal.FxImage;
import org.jvmx.linux.signal.SigFrame;
import org.jvmx.linux.signal.SigInfo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Signal system calls, the rt_sigframe and sigreturn, default actions, forced faults. */
class LinuxSignalsTest {
    static final int PID = 1000, UID = 1234;
    static final long DATA = 0x1000, STACK = 0x7000_0000L, STACK_SIZE = 0x10000, ALT = 0x9000_0000L;
    static final long HANDLER = 0x401000, RESTORER = 0x402000;

    LinuxSignalsFakes.Memory mem;
    LinuxSignalsFakes.Context ctx;
    ByteArrayOutputStream diag;
    LinuxSignals sig;
    SyscallTable t;

    @BeforeEach
    void setUp() {
        mem = new LinuxSignalsFakes.Memory().map(DATA, 0x1000).map(STACK, (int) STACK_SIZE).map(ALT, 0x4000);
        ctx = new LinuxSignalsFakes.Context();
        for (int k = 0; k < 16; k++) ctx.regs[k] = 0x1111_0000_0000_0000L * (k + 1) + k;
        ctx.regs[4] = STACK + 0xF000 - 0x38; // RSP, deliberately not 16-aligned
        ctx.rip = 0x400123;
        ctx.rflags = 0x202 | 0x400 | 0x1 | 0x100; // IF, DF, CF, TF
        ctx.fx = FxImage.initial();
        for (int k = 160; k < 416; k++) ctx.fx[k] = (byte) (k * 7);
        diag = new ByteArrayOutputStream();
        sig = new LinuxSignals(mem, () -> ctx, PID, UID, new PrintStream(diag, true));
        t = new SyscallTable();
        sig.install(t);
    }

    long sigaction(int s, long handler, long flags, long restorer, long mask) {
        mem.write(DATA, ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putLong(handler).putLong(flags)
                .putLong(restorer).putLong(mask).array());
        return t.call(13, s, DATA, 0, 8, 0, 0);
    }

    long procmask(int how, long set) {
        mem.writeLong(DATA + 0x200, set);
        return t.call(14, how, DATA + 0x200, DATA + 0x208, 8, 0, 0);
    }

    long kill(int s) {
        return t.call(62, PID, s, 0, 0, 0, 0);
    }

    @Test
    void sigactionRoundTripsAndDropsUnknownFlagsAndUnblockableMaskBits() {
        long flags = SA_SIGINFO | SA_RESTORER | SA_ONSTACK | SA_NODEFER | SA_RESETHAND | SA_RESTART | 0x0200_0000L;
        assertEquals(0, sigaction(SIGUSR1, HANDLER, flags, RESTORER, bit(SIGUSR2) | bit(SIGKILL) | bit(SIGSTOP)));
        assertEquals(0, t.call(13, SIGUSR1, 0, DATA + 0x100, 8, 0, 0));
        ByteBuffer b = ByteBuffer.wrap(mem.read(DATA + 0x100, 32)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(HANDLER, b.getLong(0));
        assertEquals(flags & ~0x0200_0000L, b.getLong(8));
        assertEquals(RESTORER, b.getLong(16));
        assertEquals(bit(SIGUSR2), b.getLong(24));
        // old action returned while setting the new one
        assertEquals(0, t.call(13, SIGUSR1, DATA, DATA + 0x100, 8, 0, 0));
        assertEquals(HANDLER, mem.readLong(DATA + 0x100));
    }

    @Test
    void sigactionErrors() {
        assertEquals(-Errno.EINVAL, t.call(13, 0, DATA, 0, 8, 0, 0));
        assertEquals(-Errno.EINVAL, t.call(13, 65, DATA, 0, 8, 0, 0));
        assertEquals(-Errno.EINVAL, t.call(13, SIGUSR1, DATA, 0, 4, 0, 0));
        assertEquals(-Errno.EINVAL, sigaction(SIGKILL, HANDLER, SA_RESTORER, RESTORER, 0));
        assertEquals(-Errno.EINVAL, sigaction(SIGSTOP, SIG_IGN, 0, 0, 0));
        assertEquals(0, t.call(13, SIGKILL, 0, DATA + 0x100, 8, 0, 0)); // querying is fine
        assertEquals(-Errno.EFAULT, t.call(13, SIGUSR1, 0xDEAD_0000L, 0, 8, 0, 0));
        assertEquals(-Errno.EFAULT, t.call(13, SIGUSR1, 0, 0xDEAD_0000L, 8, 0, 0));
    }

    @Test
    void procmaskBlocksUnblocksSetsAndNeverBlocksKillOrStop() {
        assertEquals(0, procmask(SIG_BLOCK, bit(SIGUSR1) | bit(SIGKILL) | bit(SIGSTOP)));
        assertEquals(0, mem.readLong(DATA + 0x208));
        assertEquals(bit(SIGUSR1), sig.blocked());
        assertEquals(0, procmask(SIG_BLOCK, bit(SIGUSR2)));
        assertEquals(bit(SIGUSR1), mem.readLong(DATA + 0x208));
        assertEquals(0, procmask(SIG_UNBLOCK, bit(SIGUSR1)));
        assertEquals(bit(SIGUSR2), sig.blocked());
        assertEquals(0, procmask(SIG_SETMASK, -1L));
        assertEquals(-1L & ~UNBLOCKABLE, sig.blocked());
        assertEquals(-Errno.EINVAL, procmask(3, 0));
        assertEquals(0, t.call(14, 3, 0, DATA + 0x208, 8, 0, 0)); // how is only checked with a set
        assertEquals(-Errno.EINVAL, t.call(14, SIG_BLOCK, DATA + 0x200, 0, 16, 0, 0));
        assertEquals(-Errno.EFAULT, t.call(14, SIG_BLOCK, 8, 0, 8, 0, 0));
    }

    @Test
    void defaultActionsTerminateWith128PlusSignalOrIgnore() {
        assertEquals(0, kill(SIGCHLD));
        assertEquals(0, kill(SIGWINCH));
        assertEquals(0, kill(SIGURG));
        assertEquals(CONTINUE, sig.deliverPending(ctx));
        assertEquals(0, kill(SIGTERM));
        assertEquals(128 + SIGTERM, sig.deliverPending(ctx));
        assertEquals("jvmx: killed by SIGTERM", diag.toString().strip());
        for (int s : new int[] {SIGSEGV, SIGABRT, SIGKILL, SIGUSR1, 40, 64}) {
            setUp();
            assertEquals(0, kill(s));
            assertEquals(128 + s, sig.deliverPending(ctx), name(s));
        }
    }

    @Test
    void killAndTgkillTargetOnlyThisProcess() {
        assertEquals(0, t.call(62, PID, 0, 0, 0, 0, 0));
        assertEquals(0, t.call(62, 0, 0, 0, 0, 0, 0));
        assertEquals(-Errno.ESRCH, t.call(62, 1, SIGTERM, 0, 0, 0, 0));
        assertEquals(-Errno.ESRCH, t.call(62, -1, SIGTERM, 0, 0, 0, 0));
        assertEquals(-Errno.EINVAL, t.call(62, PID, 65, 0, 0, 0, 0));
        assertEquals(-Errno.EINVAL, t.call(234, 0, PID, SIGTERM, 0, 0, 0));
        assertEquals(-Errno.ESRCH, t.call(234, PID, PID + 1, SIGTERM, 0, 0, 0));
        assertEquals(-Errno.ESRCH, t.call(200, 77, SIGTERM, 0, 0, 0, 0));
        assertEquals(0, sig.pending());
        assertEquals(0, t.call(234, PID, PID, SIGUSR2, 0, 0, 0));
        assertEquals(bit(SIGUSR2), sig.pending());
    }

    @Test
    void blockedSignalsWaitAndShowInSigpending() {
        procmask(SIG_BLOCK, bit(SIGTERM));
        kill(SIGTERM);
        kill(SIGUSR1);
        assertEquals(128 + SIGUSR1, sig.deliverPending(ctx)); // the unblocked one acts
        setUp();
        procmask(SIG_BLOCK, bit(SIGTERM));
        kill(SIGTERM);
        assertEquals(CONTINUE, sig.deliverPending(ctx));
        assertEquals(0, t.call(127, DATA + 0x300, 8, 0, 0, 0, 0));
        assertEquals(bit(SIGTERM), mem.readLong(DATA + 0x300));
        assertEquals(-Errno.EINVAL, t.call(127, DATA + 0x300, 9, 0, 0, 0, 0));
        // an ignored-but-blocked signal still waits (its action may change before it is unblocked)
        sigaction(SIGUSR2, SIG_IGN, 0, 0, 0);
        procmask(SIG_BLOCK, bit(SIGUSR2));
        kill(SIGUSR2);
        assertEquals(bit(SIGTERM) | bit(SIGUSR2), sig.pending());
        sigaction(SIGUSR2, SIG_IGN, 0, 0, 0); // setting SIG_IGN discards it
        assertEquals(bit(SIGTERM), sig.pending());
        assertEquals(0, procmask(SIG_UNBLOCK, bit(SIGTERM)));
        assertEquals(128 + SIGTERM, sig.deliverPending(ctx));
    }

    /** Everything a handler's frame holds, checked byte by byte against the UAPI layout. */
    @Test
    void deliveryBuildsTheRtSigframeAndSigreturnRestoresEverything() {
        sigaction(SIGUSR1, HANDLER, SA_SIGINFO | SA_RESTORER, RESTORER, bit(SIGUSR2));
        procmask(SIG_BLOCK, bit(SIGHUP));
        LinuxSignalsFakes.Context before = ctx.copy();
        assertEquals(0, kill(SIGUSR1));
        assertEquals(CONTINUE, sig.deliverPending(ctx));

        long frame = ctx.reg(org.jvmx.vm.Reg.RSP);
        assertEquals(8, frame & 15, "(RSP + 8) % 16 == 0 at handler entry");
        assertTrue(frame + SigFrame.SIZE <= before.regs[4] - 128, "below the red zone");
        assertEquals(HANDLER, ctx.rip);
        assertEquals(SIGUSR1, ctx.regs[7]);
        assertEquals(frame + 312, ctx.regs[6]);
        assertEquals(frame + 8, ctx.regs[2]);
        assertEquals(0, ctx.regs[0]);
        assertEquals(0x202 | 0x1, ctx.rflags, "DF and TF cleared for the handler");
        assertArrayEquals(FxImage.initial(), ctx.fx);
        assertEquals(bit(SIGHUP) | bit(SIGUSR1) | bit(SIGUSR2), sig.blocked());

        assertEquals(RESTORER, mem.readLong(frame));
        long uc = frame + 8, sc = uc + 40;
        assertEquals(6, mem.readLong(uc)); // UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS
        assertEquals(0, mem.readLong(uc + 8));
        assertEquals(0, mem.readLong(uc + 16));
        assertEquals(SS_DISABLE, mem.readInt(uc + 24));
        assertEquals(0, mem.readLong(uc + 32));
        int[] order = {8, 9, 10, 11, 12, 13, 14, 15, 7, 6, 5, 3, 2, 0, 1, 4};
        for (int k = 0; k < 16; k++) assertEquals(before.regs[order[k]], mem.readLong(sc + 8 * k), "greg " + k);
        assertEquals(before.rip, mem.readLong(sc + 128));
        assertEquals(before.rflags, mem.readLong(sc + 136));
        assertEquals(0x33, mem.readShort(sc + 144));
        assertEquals(0x2b, mem.readShort(sc + 150));
        assertEquals(bit(SIGHUP), mem.readLong(sc + 168)); // oldmask
        long fp = mem.readLong(sc + 184);
        assertEquals(0, fp & 63);
        assertTrue(fp >= frame + SigFrame.SIZE && fp + 512 <= before.regs[4] - 128);
        assertArrayEquals(Arrays.copyOf(before.fx, 464), mem.read(fp, 464));
        assertArrayEquals(new byte[48], mem.read(fp + 464, 48), "sw_reserved: no FP_XSTATE_MAGIC1");
        assertEquals(bit(SIGHUP), mem.readLong(uc + 296));
        long info = frame + 312;
        assertEquals(SIGUSR1, mem.readInt(info));
        assertEquals(0, mem.readInt(info + 4));
        assertEquals(SigInfo.SI_USER, mem.readInt(info + 8));
        assertEquals(PID, mem.readInt(info + 16));
        assertEquals(UID, mem.readInt(info + 20));

        ctx.regs[4] += 8; // the handler's ret pops pretcode; the restorer does rt_sigreturn
        ctx.regs[0] = 15;
        long rax = t.call(15, 0, 0, 0, 0, 0, 0);
        ctx.regs[0] = rax;
        assertArrayEquals(before.regs, ctx.regs);
        assertEquals(before.rip, ctx.rip);
        assertEquals(before.rflags, ctx.rflags);
        assertArrayEquals(before.fx, ctx.fx);
        assertEquals(bit(SIGHUP), sig.blocked());
    }

    @Test
    void sigreturnTakesOnlyUserFlagsAndRejectsBadFpuState() {
        sigaction(SIGUSR1, HANDLER, SA_RESTORER, RESTORER, 0);
        kill(SIGUSR1);
        sig.deliverPending(ctx);
        long sc = ctx.regs[4] + 48;
        mem.writeLong(sc + 136, -1L); // every RFLAGS bit set in the frame
        ctx.regs[4] += 8;
        ctx.rflags = 0x202;
        t.call(15, 0, 0, 0, 0, 0, 0);
        assertEquals(0x202 | FIX_EFLAGS, ctx.rflags, "IF/IOPL/VM... not taken from the frame");

        setUp();
        sigaction(SIGUSR1, HANDLER, SA_RESTORER, RESTORER, 0);
        kill(SIGUSR1);
        sig.deliverPending(ctx);
        long fp = mem.readLong(ctx.regs[4] + 48 + 184);
        mem.writeInt(fp + 24, 0x1_0000); // reserved MXCSR bit
        ctx.regs[4] += 8;
        t.call(15, 0, 0, 0, 0, 0, 0);
        assertEquals(128 + SIGSEGV, sig.deliverPending(ctx));
    }

    @Test
    void nodeferAndResethand() {
        sigaction(SIGUSR1, HANDLER, SA_RESTORER | SA_NODEFER | SA_RESETHAND, RESTORER, 0);
        kill(SIGUSR1);
        assertEquals(CONTINUE, sig.deliverPending(ctx));
        assertEquals(0, sig.blocked());
        assertEquals(SIG_DFL, sig.action(SIGUSR1).handler());
    }

    @Test
    void withoutRestorerOrWritableStackTheProcessGetsSigsegv() {
        sigaction(SIGUSR1, HANDLER, SA_SIGINFO, 0, 0);
        kill(SIGUSR1);
        assertEquals(128 + SIGSEGV, sig.deliverPending(ctx));
        setUp();
        sigaction(SIGUSR1, HANDLER, SA_RESTORER, RESTORER, 0);
        ctx.regs[4] = 0x5000_0000L;
        kill(SIGUSR1);
        assertEquals(128 + SIGSEGV, sig.deliverPending(ctx));
    }

    @Test
    void severalPendingSignalsStackFramesLowestFirst() {
        sigaction(SIGUSR1, HANDLER, SA_RESTORER, RESTORER, 0);
        sigaction(SIGUSR2, HANDLER + 0x100, SA_RESTORER, RESTORER, 0);
        kill(SIGUSR2);
        kill(SIGUSR1);
        assertEquals(CONTINUE, sig.deliverPending(ctx));
        assertEquals(HANDLER + 0x100, ctx.rip, "SIGUSR2's frame is on top: its handler runs first");
        assertEquals(SIGUSR2, ctx.regs[7]);
        long inner = ctx.regs[4];
        assertEquals(HANDLER, mem.readLong(inner + 48 + 128), "it returns into SIGUSR1's handler");
        assertEquals(bit(SIGUSR1) | bit(SIGUSR2), sig.blocked());
    }

    @Test
    void faultsAreForcedAndCarryTheirSiginfo() {
        sigaction(SIGSEGV, HANDLER, SA_SIGINFO | SA_RESTORER, RESTORER, 0);
        assertEquals(CONTINUE, sig.deliverException(ctx, FaultSignals.PF, 0x6, 0xBAD0));
        long f = ctx.regs[4], sc = f + 48, info = f + 312;
        assertEquals(SIGSEGV, mem.readInt(info));
        assertEquals(SigInfo.SEGV_MAPERR, mem.readInt(info + 8));
        assertEquals(0xBAD0, mem.readLong(info + 16));
        assertEquals(0x6, mem.readLong(sc + 152));
        assertEquals(14, mem.readLong(sc + 160));
        assertEquals(0xBAD0, mem.readLong(sc + 176));
        // a second fault inside the handler: SIGSEGV is blocked there, so the process dies
        assertEquals(128 + SIGSEGV, sig.deliverException(ctx, FaultSignals.PF, 0x7, 0xBAD0));

        setUp();
        sigaction(SIGILL, SIG_IGN, 0, 0, 0);
        assertEquals(128 + SIGILL, sig.deliverException(ctx, FaultSignals.UD, 0, 0));
        setUp();
        sigaction(SIGILL, HANDLER, SA_RESTORER, RESTORER, 0);
        long rip = ctx.rip;
        assertEquals(CONTINUE, sig.deliverFault(ctx, SIGILL, SigInfo.ILL_ILLOPN, rip, 6, 0, 0));
        assertEquals(rip, mem.readLong(ctx.regs[4] + 312 + 16));
        assertEquals(SigInfo.ILL_ILLOPN, mem.readInt(ctx.regs[4] + 312 + 8));
        setUp();
        assertEquals(128 + SIGFPE, sig.deliverException(ctx, FaultSignals.DE, 0, 0));
        assertEquals("jvmx: killed by SIGFPE", diag.toString().strip());
    }

    @Test
    void faultMapping() {
        assertEquals(SigInfo.SEGV_ACCERR, FaultSignals.of(14, 7, 0x10, 0x400000, 0, 0, 0).code());
        SigInfo gp = FaultSignals.of(13, 0, 0, 0x400000, 0, 0, 0);
        assertEquals(SIGSEGV, gp.signo());
        assertEquals(SigInfo.SI_KERNEL, gp.code());
        assertEquals(0, gp.addr());
        assertEquals(SIGTRAP, FaultSignals.of(3, 0, 0, 0, 0, 0, 0).signo());
        assertEquals(SIGBUS, FaultSignals.of(17, 0, 0, 0, 0, 0, 0).signo());
        assertEquals(SigInfo.FPE_INTDIV, FaultSignals.of(0, 0, 0, 5, 0, 0, 0).code());
        // MXCSR: ZE flagged and unmasked (ZM bit 9 clear) -> FPE_FLTDIV; a masked one does not count
        assertEquals(SigInfo.FPE_FLTDIV, FaultSignals.of(19, 0, 0, 0, 0, 0, 0x1F80 & ~0x200 | 0x4 | 0x20).code());
        assertEquals(SigInfo.FPE_FLTINV, FaultSignals.of(19, 0, 0, 0, 0, 0, 0x1F80 & ~0x80 | 0x1).code());
        assertEquals(SigInfo.FPE_FLTUND, FaultSignals.of(16, 0, 0, 0, 0x10, 0x37F & ~0x10, 0).code());
    }

    @Test
    void alternateStack() {
        long ss = DATA + 0x400, old = DATA + 0x440;
        mem.write(ss, ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(ALT).putInt(0).putInt(0)
                .putLong(0x4000).array());
        assertEquals(0, t.call(131, ss, old, 0, 0, 0, 0));
        assertEquals(SS_DISABLE, mem.readInt(old + 8));
        sigaction(SIGUSR1, HANDLER, SA_RESTORER | SA_ONSTACK, RESTORER, 0);
        kill(SIGUSR1);
        assertEquals(CONTINUE, sig.deliverPending(ctx));
        long f = ctx.regs[4];
        assertTrue(f > ALT && f < ALT + 0x4000);
        assertEquals(ALT, mem.readLong(f + 8 + 16));
        assertEquals(0, mem.readInt(f + 8 + 24));
        assertEquals(0x4000, mem.readLong(f + 8 + 32));
        // inside the handler: on the stack, which therefore cannot change
        assertEquals(0, t.call(131, 0, old, 0, 0, 0, 0));
        assertEquals(SS_ONSTACK, mem.readInt(old + 8));
        assertEquals(-Errno.EPERM, t.call(131, ss, 0, 0, 0, 0, 0));
        ctx.regs[4] += 8;
        t.call(15, 0, 0, 0, 0, 0, 0);
        assertEquals(0, t.call(131, 0, old, 0, 0, 0, 0));
        assertEquals(0, mem.readInt(old + 8));
        // errors
        mem.writeLong(ss + 16, 2047);
        assertEquals(-Errno.ENOMEM, t.call(131, ss, 0, 0, 0, 0, 0));
        mem.writeInt(ss + 8, 4);
        assertEquals(-Errno.EINVAL, t.call(131, ss, 0, 0, 0, 0, 0));
        mem.writeInt(ss + 8, SS_DISABLE);
        assertEquals(0, t.call(131, ss, 0, 0, 0, 0, 0));
        assertEquals(0, t.call(131, 0, old, 0, 0, 0, 0));
        assertEquals(SS_DISABLE, mem.readInt(old + 8));
    }

    @Test
    void sigsuspendRunsTheHandlerUnderTheTemporaryMaskAndRestoresTheOldOne() {
        sigaction(SIGUSR1, HANDLER, SA_RESTORER, RESTORER, 0);
        procmask(SIG_BLOCK, bit(SIGUSR1));
        kill(SIGUSR1);
        assertEquals(CONTINUE, sig.deliverPending(ctx));
        mem.writeLong(DATA + 0x200, bit(SIGUSR2));
        assertEquals(-Errno.EINTR, t.call(130, DATA + 0x200, 8, 0, 0, 0, 0));
        assertEquals(CONTINUE, sig.deliverPending(ctx));
        assertEquals(HANDLER, ctx.rip);
        assertEquals(bit(SIGUSR1) | bit(SIGUSR2), sig.blocked());
        assertEquals(bit(SIGUSR1), mem.readLong(ctx.regs[4] + 8 + 296));
        ctx.regs[4] += 8;
        t.call(15, 0, 0, 0, 0, 0, 0);
        assertEquals(bit(SIGUSR1), sig.blocked());
    }

    @Test
    void sigtimedwaitTakesPendingSignalsOfTheSet() {
        procmask(SIG_BLOCK, bit(SIGUSR1) | bit(40));
        kill(SIGUSR1);
        kill(40);
        kill(40); // real-time signals queue
        mem.writeLong(DATA + 0x200, bit(40));
        mem.write(DATA + 0x210, new byte[16]);
        assertEquals(40, t.call(128, DATA + 0x200, DATA + 0x300, 0, 8, 0, 0));
        assertEquals(40, mem.readInt(DATA + 0x300));
        assertEquals(PID, mem.readInt(DATA + 0x310));
        assertEquals(40, t.call(128, DATA + 0x200, 0, DATA + 0x210, 8, 0, 0));
        assertEquals(-Errno.EAGAIN, t.call(128, DATA + 0x200, 0, DATA + 0x210, 8, 0, 0));
        assertEquals(-Errno.EDEADLK, t.call(128, DATA + 0x200, 0, 0, 8, 0, 0));
        assertEquals(-Errno.EINVAL, t.call(128, DATA + 0x200, 0, 0, 4, 0, 0));
        assertEquals(bit(SIGUSR1), sig.pending());
    }

    @Test
    void realTimeSignalsQueueStandardOnesCoalesce() {
        sigaction(SIGUSR1, HANDLER, SA_RESTORER | SA_NODEFER, RESTORER, 0);
        sigaction(40, HANDLER + 0x40, SA_RESTORER | SA_NODEFER, RESTORER, 0);
        procmask(SIG_BLOCK, bit(SIGUSR1) | bit(40));
        kill(SIGUSR1);
        kill(SIGUSR1);
        kill(40);
        kill(40);
        procmask(SIG_SETMASK, 0);
        long rsp = ctx.regs[4];
        assertTrue(sig.hasDeliverable());
        assertEquals(CONTINUE, sig.deliverPending(ctx));
        assertEquals(false, sig.hasDeliverable());
        // three frames (SIGUSR1 once, signal 40 twice), each saving the RSP of the one it interrupted
        int frames = 0;
        for (long f = ctx.regs[4]; frames < 5; frames++) {
            long saved = mem.readLong(f + 48 + 120);
            if (saved == rsp) {
                frames++;
                break;
            }
            f = saved;
        }
        assertEquals(3, frames);
    }

    @Test
    void raiseAndAFaultReplacingAPendingSignal() {
        sig.raise(SIGPIPE);
        assertEquals(128 + SIGPIPE, sig.deliverPending(ctx));
        setUp();
        sigaction(SIGSEGV, HANDLER, SA_RESTORER | SA_SIGINFO, RESTORER, 0);
        procmask(SIG_BLOCK, bit(SIGSEGV));
        kill(SIGSEGV);
        procmask(SIG_UNBLOCK, bit(SIGSEGV));
        assertEquals(CONTINUE, sig.deliverFault(ctx, SIGSEGV, SigInfo.SEGV_ACCERR, 0x1234, 14, 7, 0x1234));
        assertEquals(SigInfo.SEGV_ACCERR, mem.readInt(ctx.regs[4] + 312 + 8));
        assertEquals(0, sig.pending());
    }

    @Test
    void alarmAndItimerRaiseSigalrmForPauseSigsuspendAndSigtimedwait() {
        assertEquals(-Errno.EDEADLK, t.call(34, 0, 0, 0, 0, 0, 0), "pause with nothing that could wake it");
        assertEquals(0, t.call(37, 0, 0, 0, 0, 0, 0));
        assertEquals(0, t.call(37, 100, 0, 0, 0, 0, 0));
        assertTrue(sig.alarmArmed());
        assertEquals(100, t.call(37, 0, 0, 0, 0, 0, 0), "remaining seconds, rounded");
        assertTrue(!sig.alarmArmed());
        // setitimer(ITIMER_REAL, {interval 0, value 20 ms}); pause sleeps until SIGALRM, whose default kills
        mem.write(DATA + 0x400, ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(0).putLong(0)
                .putLong(20_000).array());
        assertEquals(0, t.call(38, 0, DATA + 0x400, DATA + 0x420, 0, 0, 0));
        assertEquals(0, mem.readLong(DATA + 0x430));
        assertEquals(0, t.call(36, 0, DATA + 0x440, 0, 0, 0, 0));
        assertTrue(mem.readLong(DATA + 0x458) > 0 && mem.readLong(DATA + 0x458) <= 20_000);
        long t0 = System.nanoTime();
        assertEquals(-Errno.EINTR, t.call(34, 0, 0, 0, 0, 0, 0));
        assertTrue(System.nanoTime() - t0 >= 15_000_000L);
        assertEquals(128 + SIGALRM, sig.deliverPending(ctx));
        assertEquals(-Errno.EINVAL, t.call(38, 3, DATA + 0x400, 0, 0, 0, 0));
        mem.writeLong(DATA + 0x418, 1_000_000);
        assertEquals(-Errno.EINVAL, t.call(38, 0, DATA + 0x400, 0, 0, 0, 0));

        // a periodic timer (5 ms) and sigtimedwait for the blocked SIGALRM: twice
        setUp();
        procmask(SIG_BLOCK, bit(SIGALRM));
        mem.write(DATA + 0x400, ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(5_000).putLong(0)
                .putLong(5_000).array());
        assertEquals(0, t.call(38, 0, DATA + 0x400, 0, 0, 0, 0));
        mem.writeLong(DATA + 0x200, bit(SIGALRM));
        assertEquals(SIGALRM, t.call(128, DATA + 0x200, DATA + 0x300, 0, 8, 0, 0));
        assertEquals(SigInfo.SI_KERNEL, mem.readInt(DATA + 0x308));
        assertEquals(SIGALRM, t.call(128, DATA + 0x200, 0, 0, 8, 0, 0));
        // sigsuspend waits for it too, and the handler runs under the temporary mask
        sigaction(SIGALRM, HANDLER, SA_RESTORER, RESTORER, 0);
        mem.writeLong(DATA + 0x200, 0);
        assertEquals(-Errno.EINTR, t.call(130, DATA + 0x200, 8, 0, 0, 0, 0));
        assertEquals(CONTINUE, sig.deliverPending(ctx));
        assertEquals(HANDLER, ctx.rip);
        assertEquals(bit(SIGALRM), mem.readLong(ctx.regs[4] + 8 + 296));
    }
}
