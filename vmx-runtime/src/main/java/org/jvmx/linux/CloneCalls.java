package org.jvmx.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jvmx.linux.signal.FxImage;
import org.jvmx.vm.Reg;
import org.jvmx.vm.Vcpu;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * clone(2) and clone3(2) for threads (kernel/fork.c): a new {@link Vcpu} in the same VM and the
 * same {@link AddressSpace} (same CR3), its registers those of the caller at the return from
 * the system call, with RAX = 0, RSP = the new stack and FS.base = the TLS argument
 * (CLONE_SETTLS); the new thread id to the parent, CLONE_PARENT_SETTID / CLONE_CHILD_SETTID
 * stores, CLONE_CHILD_CLEARTID recorded for the thread's exit.
 *
 * <p>Accepted: what a thread library passes, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
 * CLONE_THREAD with CLONE_SYSVSEM, CLONE_SETTLS, the TID flags and the ignored CLONE_DETACHED.
 * Linux's own consistency rules give EINVAL (CLONE_THREAD without CLONE_SIGHAND, CLONE_SIGHAND
 * without CLONE_VM, CLONE_FS with CLONE_NEWNS, ...); any other combination (a fork, a vfork,
 * a thread with its own fd table or namespaces) is not provided here: ENOSYS, counted
 * ({@link LinuxThreads#refusedClones()}).
 */
final class CloneCalls implements SyscallTable.Group {
    static final long CSIGNAL = 0xFF, CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
            CLONE_PIDFD = 0x1000, CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000,
            CLONE_THREAD = 0x10000, CLONE_NEWNS = 0x20000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000,
            CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000,
            CLONE_UNTRACED = 0x800000, CLONE_CHILD_SETTID = 0x1000000, CLONE_NEWCGROUP = 0x2000000,
            CLONE_NEWUTS = 0x4000000, CLONE_NEWIPC = 0x8000000, CLONE_NEWUSER = 0x10000000,
            CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000, CLONE_IO = 0x80000000L,
            CLONE_CLEAR_SIGHAND = 0x1_0000_0000L, CLONE_INTO_CGROUP = 0x2_0000_0000L;
    /** What a thread library's clone needs, and the flags that go with it harmlessly. */
    static final long THREAD = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
    static final long THREAD_OPTIONAL = CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID
            | CLONE_CHILD_SETTID | CLONE_DETACHED;
    /** struct clone_args: the first version's size (CLONE_ARGS_SIZE_VER0) and the current one's (VER2). */
    static final int CLONE_ARGS_VER0 = 64, CLONE_ARGS_VER2 = 88;

    /** Makes and starts the thread; supplied by the process. */
    interface Spawner {
        /** A new thread of the group on a new vCPU (not yet running). */
        LinuxThread newThread(LinuxThread parent);

        /** Starts the thread's run loop. */
        void start(LinuxThread t);
    }

    private final AddressSpace space;
    private final LinuxThreads threads;
    private final Spawner spawner;

    CloneCalls(AddressSpace space, LinuxThreads threads, Spawner spawner) {
        this.space = space;
        this.threads = threads;
        this.spawner = spawner;
    }

    @Override
    public void install(SyscallTable t) {
        // x86-64 argument order: flags, stack, parent_tid, child_tid, tls
        t.put(56, "clone", "xpppx", (flags, stack, ptid, ctid, tls, x5) -> clone(flags & 0xFFFF_FFFFL, stack, ptid, ctid, tls,
                flags & CSIGNAL, false));
        t.put(435, "clone3", "pu", (args, size, x2, x3, x4, x5) -> clone3(args, size));
    }

    /** clone3(2): struct clone_args, at least {@link #CLONE_ARGS_VER0} bytes; unknown trailing bytes must be zero (E2BIG). */
    long clone3(long uargs, long size) {
        if (size < CLONE_ARGS_VER0) throw new LinuxError(Errno.EINVAL);
        if (size > 4096) throw new LinuxError(Errno.E2BIG);
        byte[] raw = space.read(uargs, (int) size);
        for (int k = CLONE_ARGS_VER2; k < raw.length; k++) if (raw[k] != 0) throw new LinuxError(Errno.E2BIG);
        ByteBuffer b = ByteBuffer.allocate(CLONE_ARGS_VER2).order(ByteOrder.LITTLE_ENDIAN);
        b.put(raw, 0, Math.min(raw.length, CLONE_ARGS_VER2));
        long flags = b.getLong(0), pidfd = b.getLong(8), ctid = b.getLong(16), ptid = b.getLong(24),
                exitSignal = b.getLong(32), stack = b.getLong(40), stackSize = b.getLong(48), tls = b.getLong(56);
        long setTidSize = size >= 80 ? b.getLong(72) : 0;
        // copy_clone_args_from_user / clone3_args_valid
        if ((flags & ~(0xFFFF_FFFFL & ~CSIGNAL | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP)) != 0) {
            throw new LinuxError(Errno.EINVAL);
        }
        if ((exitSignal & ~CSIGNAL) != 0 || exitSignal > 64) throw new LinuxError(Errno.EINVAL);
        if ((flags & (CLONE_THREAD | CLONE_PARENT)) != 0 && exitSignal != 0) throw new LinuxError(Errno.EINVAL);
        if ((flags & CLONE_DETACHED) != 0) throw new LinuxError(Errno.EINVAL); // clone3 refuses the legacy flag
        if (stack == 0 && stackSize != 0 || stack != 0 && stackSize == 0) throw new LinuxError(Errno.EINVAL);
        if (setTidSize != 0) throw new LinuxError(Errno.EINVAL); // set_tid needs CAP_SYS_ADMIN in a pid namespace
        if ((flags & CLONE_PIDFD) != 0 && pidfd == 0) throw new LinuxError(Errno.EINVAL);
        long sp = stack == 0 ? 0 : stack + stackSize;
        return clone(flags, sp, ptid, ctid, tls, exitSignal, true);
    }

    /** The common part of clone and clone3 (kernel_clone/copy_process), for the thread case. */
    long clone(long flags, long sp, long ptid, long ctid, long tls, long exitSignal, boolean v3) {
        // copy_process(): the combinations Linux itself rejects
        if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS)) throw new LinuxError(Errno.EINVAL);
        if ((flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS)) throw new LinuxError(Errno.EINVAL);
        if ((flags & CLONE_THREAD) != 0 && (flags & CLONE_SIGHAND) == 0) throw new LinuxError(Errno.EINVAL);
        if ((flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0) throw new LinuxError(Errno.EINVAL);
        if ((flags & CLONE_PIDFD) != 0 && (flags & CLONE_DETACHED) != 0 && !v3) throw new LinuxError(Errno.EINVAL);
        long rest = flags & ~CSIGNAL & ~THREAD & ~THREAD_OPTIONAL;
        if ((flags & THREAD) != THREAD || rest != 0) {
            threads.refusedClone();
            throw new LinuxError(Errno.ENOSYS, String.format("clone flags 0x%x: only threads are provided", flags));
        }
        LinuxThread parent = LinuxThread.current();
        if (parent == null) throw new LinuxError(Errno.ENOSYS, "clone outside a process run");
        // The child's user-visible pointers are checked before anything is created (EFAULT, not a half-made thread).
        if ((flags & CLONE_PARENT_SETTID) != 0) space.physical(ptid, true);
        if ((flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) != 0 && (flags & CLONE_CHILD_SETTID) != 0) {
            space.physical(ctid, true);
        }
        if ((flags & CLONE_SETTLS) != 0 && (tls < 0 || tls >= AddressSpace.TASK_SIZE)) throw new LinuxError(Errno.EPERM);

        LinuxThread child = spawner.newThread(parent);
        copyUserState(parent.vcpu, child.vcpu, sp, (flags & CLONE_SETTLS) != 0 ? tls : -1);
        if ((flags & CLONE_CHILD_CLEARTID) != 0) child.clearChildTid = ctid;
        if ((flags & CLONE_PARENT_SETTID) != 0) space.writeInt(ptid, child.tid);
        if ((flags & CLONE_CHILD_SETTID) != 0) space.writeInt(ctid, child.tid);
        spawner.start(child);
        return child.tid;
    }

    /**
     * The child's registers: the caller's as the return to user mode from this system call will
     * set them (the stub's SYSRETQ: RIP from RCX, RFLAGS from R11, RCX and R11 keep those
     * values), RAX = 0, RSP = {@code sp} (the caller's when 0), FS.base = {@code tls} (the
     * caller's when -1), GS.base and the x87/SSE state copied.
     */
    private void copyUserState(Vcpu from, Vcpu to, long sp, long tls) {
        long userRip = from.reg(Reg.RCX), userFlags = from.reg(Reg.R11);
        UserModeCpu.setUpVcpu(to, space, userRip, sp != 0 ? sp : from.reg(Reg.RSP));
        for (Reg r : Reg.values()) {
            if (r == Reg.RSP) continue;
            to.setReg(r, from.reg(r));
        }
        to.setReg(Reg.RAX, 0);
        to.vmwrite(VmcsFields.GUEST_RFLAGS, (userFlags & UserContextVcpu.USER_FLAGS) | UserContextVcpu.FIXED_ON);
        to.vmwrite(VmcsFields.GUEST_FS_BASE, tls != -1 ? tls : from.vmread(VmcsFields.GUEST_FS_BASE));
        to.vmwrite(VmcsFields.GUEST_GS_BASE, from.vmread(VmcsFields.GUEST_GS_BASE));
        FxImage.load(to.cpu().state, FxImage.save(from.cpu().state));
    }
}
