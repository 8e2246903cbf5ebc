package org.jvmx.linux;

import org.jvmx.vm.Vcpu;
import org.jvmx.vmx.vmcs.VmcsFields;

/**
 * The process system calls: exit (of the calling thread), exit_group, arch_prctl (FS/GS bases
 * of the calling thread, arch/x86/kernel/process_64.c), set_tid_address, set_robust_list, rseq
 * (ENOSYS: glibc then goes on without it). With a thread group ({@link #setThreads}) the
 * per-thread state lives in the calling {@link LinuxThread}; without one, in this object.
 */
public final class ProcessCalls implements SyscallTable.Group {
    static final int ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004;

    private final Vcpu cpu;
    private final UserMemory mem;
    private final int tid;
    private long clearChildTid, robustList;
    private LinuxThreads threads;

    /** Thrown by exit(2) of one thread while others go on: its run loop ends the thread. */
    public static final class ThreadExit extends RuntimeException {
        public final int code;

        ThreadExit(int code) {
            super(null, null, false, false);
            this.code = code;
        }
    }

    public ProcessCalls(Vcpu cpu, UserMemory mem, int tid) {
        this.cpu = cpu;
        this.mem = mem;
        this.tid = tid;
    }

    @Override
    public void install(SyscallTable t) {
        t.put(60, "exit", "d", (code, x1, x2, x3, x4, x5) -> {
            // exit(2) ends the calling thread; the process ends with its last thread (LinuxThreads.remove)
            if (threads != null && LinuxThread.current() != null) throw new ThreadExit((int) code & 0xFF);
            throw ProcessExit.exited(code);
        });
        t.put(231, "exit_group", "d", (code, x1, x2, x3, x4, x5) -> {
            throw ProcessExit.exited(code);
        });
        t.put(158, "arch_prctl", "xp", (code, addr, x2, x3, x4, x5) -> archPrctl((int) code, addr));
        t.put(218, "set_tid_address", "p", (addr, x1, x2, x3, x4, x5) -> {
            LinuxThread me = LinuxThread.current();
            if (me == null) {
                clearChildTid = addr;
                return tid;
            }
            me.clearChildTid = addr;
            return me.tid;
        });
        t.put(273, "set_robust_list", "pu", (head, len, x2, x3, x4, x5) -> {
            if (len != 24) throw new LinuxError(Errno.EINVAL); // sizeof(struct robust_list_head)
            LinuxThread me = LinuxThread.current();
            if (me == null) robustList = head;
            else me.robustList = head;
            return 0;
        });
        t.put(334, "rseq", "pudx", (a, l, f, s, x4, x5) -> {
            throw new LinuxError(Errno.ENOSYS, "rseq is not provided");
        });
    }

    /** Serves the calls for the threads of {@code group}. */
    void setThreads(LinuxThreads group) {
        this.threads = group;
    }

    /** The address set_tid_address gave (CLONE_CHILD_CLEARTID's word) for the calling thread, 0 when none. */
    public long clearChildTid() {
        LinuxThread me = LinuxThread.current();
        return me == null ? clearChildTid : me.clearChildTid;
    }

    public long robustList() {
        LinuxThread me = LinuxThread.current();
        return me == null ? robustList : me.robustList;
    }

    long archPrctl(int code, long addr) {
        LinuxThread me = LinuxThread.current();
        Vcpu cpu = me == null ? this.cpu : me.vcpu;
        switch (code) {
            case ARCH_SET_FS, ARCH_SET_GS -> {
                if (addr < 0 || addr >= AddressSpace.TASK_SIZE) throw new LinuxError(Errno.EPERM);
                cpu.vmwrite(code == ARCH_SET_FS ? VmcsFields.GUEST_FS_BASE : VmcsFields.GUEST_GS_BASE, addr);
                return 0;
            }
            case ARCH_GET_FS, ARCH_GET_GS -> {
                long v = cpu.vmread(code == ARCH_GET_FS ? VmcsFields.GUEST_FS_BASE : VmcsFields.GUEST_GS_BASE);
                mem.writeLong(addr, v);
                return 0;
            }
            default -> throw new LinuxError(Errno.EINVAL);
        }
    }
}
