package org.jvmx.linux;

import static org.jvmx.linux.CloneCalls.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jvmx.vm.Vm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * clone/clone3 argument checks, before any thread is made: Linux's own EINVAL rules, clone3's
 * struct size rules (EINVAL below the first version, E2BIG for non-zero unknown bytes), and
 * ENOSYS (counted) for what no thread library asks (fork, vfork, an unshared fd table).
 */
class CloneCallsTest {
    private final Vm vm = Vm.create();
    private final AddressSpace space = new AddressSpace(vm);
    private final LinuxThreads threads = new LinuxThreads(1000);
    private final SyscallTable table = new SyscallTable();
    static final long ARGS = 0x10000;
    static final long PTHREAD = THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;

    CloneCallsTest() {
        new CloneCalls(space, threads, new CloneCalls.Spawner() {
            @Override
            public LinuxThread newThread(LinuxThread parent) {
                throw new AssertionError("no thread may be made");
            }

            @Override
            public void start(LinuxThread t) {
                throw new AssertionError("no thread may be started");
            }
        }).install(table);
        space.insert(new Vma(ARGS, ARGS + 0x1000, Vma.PROT_READ | Vma.PROT_WRITE, Vma.MAP_PRIVATE | Vma.MAP_ANONYMOUS, null, 0, 0, null));
    }

    @AfterEach
    void close() {
        vm.close();
    }

    private long clone(long flags) {
        return table.call(56, flags, 0, 0, 0, 0, 0);
    }

    private long clone3(long flags, long exitSignal, int size, byte extra) {
        byte[] b = new byte[size];
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bb.putLong(0, flags).putLong(32, exitSignal);
        if (size > CLONE_ARGS_VER2) b[size - 1] = extra;
        space.write(ARGS, b);
        return table.call(435, ARGS, size, 0, 0, 0, 0);
    }

    @Test
    void linuxConsistencyRulesAreEinval() {
        assertEquals(-Errno.EINVAL, clone(CLONE_THREAD | CLONE_VM), "CLONE_THREAD needs CLONE_SIGHAND");
        assertEquals(-Errno.EINVAL, clone(CLONE_SIGHAND), "CLONE_SIGHAND needs CLONE_VM");
        assertEquals(-Errno.EINVAL, clone(CLONE_NEWNS | CLONE_FS));
        assertEquals(0, threads.refusedClones());
    }

    @Test
    void whatNoThreadLibraryAsksIsEnosysAndCounted() {
        assertEquals(-Errno.ENOSYS, clone(17), "fork: SIGCHLD only");
        assertEquals(-Errno.ENOSYS, clone(CLONE_VM | CLONE_VFORK | 17), "posix_spawn's vfork");
        assertEquals(-Errno.ENOSYS, clone(PTHREAD & ~CLONE_FILES), "a thread with its own fd table");
        assertEquals(3, threads.refusedClones());
    }

    @Test
    void outsideAProcessRunAThreadCloneIsEnosysNotCounted() {
        assertEquals(-Errno.ENOSYS, clone(PTHREAD));
        assertEquals(0, threads.refusedClones());
    }

    @Test
    void clone3ChecksItsStruct() {
        assertEquals(-Errno.EINVAL, table.call(435, ARGS, 56, 0, 0, 0, 0), "smaller than CLONE_ARGS_SIZE_VER0");
        assertEquals(-Errno.E2BIG, table.call(435, ARGS, 8192, 0, 0, 0, 0), "larger than a page");
        assertEquals(-Errno.E2BIG, clone3(PTHREAD, 0, 96, (byte) 1), "unknown trailing bytes must be zero");
        assertEquals(-Errno.EINVAL, clone3(PTHREAD | 17, 0, 88, (byte) 0), "the exit signal is not in flags");
        assertEquals(-Errno.EINVAL, clone3(PTHREAD, 17, 88, (byte) 0), "a thread has no exit signal");
        assertEquals(-Errno.EINVAL, clone3(PTHREAD | CLONE_DETACHED, 0, 88, (byte) 0), "clone3 refuses CLONE_DETACHED");
        assertEquals(-Errno.ENOSYS, clone3(0, 17, 64, (byte) 0), "fork through clone3");
        assertEquals(-Errno.EFAULT, table.call(435, 0x9000_0000L, 88, 0, 0, 0, 0));
    }
}
