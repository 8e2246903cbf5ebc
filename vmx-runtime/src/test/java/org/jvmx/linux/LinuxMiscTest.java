package org.jvmx.linux;

import static org.jvmx.linux.LinuxMisc.*;
import static org.jvmx.linux.LinuxMiscTime.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Ids, uname, limits, clocks, sleeps, futex, getrandom: layouts and errno cases. */
class LinuxMiscTest {
    static final long D = 0x1000;
    LinuxSignalsFakes.Memory mem;
    SyscallTable t;
    LinuxMisc misc;
    final AtomicLong cpu = new AtomicLong(3_250_000_000L);
    final LinuxMiscHost host = new LinuxMiscHost(1234, 2345, new int[] {2345, 27}, "hostbox", "6.8.0-45-generic",
            "#45 SMP", 5000.5);

    @BeforeEach
    void setUp() {
        mem = new LinuxSignalsFakes.Memory().map(D, 0x2000);
        misc = new LinuxMisc(mem, host, cpu::get, "a-very-long-program-name", PID, PPID);
        t = new SyscallTable();
        misc.install(t);
    }

    long call(int nr, long... a) {
        long[] x = java.util.Arrays.copyOf(a, 6);
        return t.call(nr, x[0], x[1], x[2], x[3], x[4], x[5]);
    }

    String field(long va) {
        byte[] b = mem.read(va, UTS_FIELD);
        int n = 0;
        while (b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    @Test
    void ids() {
        assertEquals(PID, call(39));
        assertEquals(PID, call(186));
        assertEquals(PPID, call(110));
        assertEquals(1234, call(102));
        assertEquals(1234, call(107));
        assertEquals(2345, call(104));
        assertEquals(2345, call(108));
        assertEquals(2, call(115, 0, 0));
        assertEquals(-Errno.EINVAL, call(115, 1, D));
        assertEquals(2, call(115, 2, D));
        assertEquals(27, mem.readInt(D + 4));
        assertEquals(0, call(105, 1234));
        assertEquals(-Errno.EPERM, call(105, 0));
        assertEquals(-Errno.EPERM, call(117, -1, 99, -1));
        assertEquals(0, call(117, -1, -1, -1));
        assertEquals(0, call(118, D, D + 4, D + 8));
        assertEquals(1234, mem.readInt(D + 8));
        assertEquals(PID, call(111));
        assertEquals(PID, call(121, 0));
        assertEquals(-Errno.ESRCH, call(121, 7));
        assertEquals(PPID, call(124, PID));
        assertEquals(0, call(109, 0, 0));
        assertEquals(-Errno.EPERM, call(109, 0, 5));
        assertEquals(-Errno.EPERM, call(112));
    }

    @Test
    void rootMaySetAnyId() {
        LinuxMisc root = new LinuxMisc(mem, new LinuxMiscHost(0, 0, new int[0], "h", "r", "v", 1), cpu::get, null);
        SyscallTable rt = new SyscallTable();
        root.install(rt);
        assertEquals(0, rt.call(105, 500, 0, 0, 0, 0, 0));
        assertEquals(500, rt.call(102, 0, 0, 0, 0, 0, 0));
        assertEquals(-Errno.EPERM, rt.call(105, 0, 0, 0, 0, 0, 0), "gone for good after setuid by root");
    }

    @Test
    void uname() {
        assertEquals(0, call(63, D));
        assertEquals("Linux", field(D));
        assertEquals("hostbox", field(D + 65));
        assertEquals("6.8.0-45-generic", field(D + 130));
        assertEquals("#45 SMP", field(D + 195));
        assertEquals("x86_64", field(D + 260));
        assertEquals("(none)", field(D + 325));
        assertEquals(-Errno.EFAULT, call(63, D + 0x2000 - 100));
    }

    @Test
    void limits() {
        assertEquals(0, call(97, RLIMIT_STACK, D));
        assertEquals(8L << 20, mem.readLong(D));
        assertEquals(RLIM_INFINITY, mem.readLong(D + 8));
        assertEquals(0, call(302, 0, RLIMIT_NOFILE, 0, D));
        assertEquals(1024, mem.readLong(D));
        assertEquals(4096, mem.readLong(D + 8));
        mem.writeLong(D + 16, 2048);
        mem.writeLong(D + 24, 4096);
        assertEquals(0, call(302, PID, RLIMIT_NOFILE, D + 16, D + 32));
        assertEquals(1024, mem.readLong(D + 32));
        assertEquals(2048, misc.softLimit(RLIMIT_NOFILE));
        mem.writeLong(D + 16, 5000); // soft above hard
        assertEquals(-Errno.EINVAL, call(160, RLIMIT_NOFILE, D + 16));
        mem.writeLong(D + 16, 100);
        mem.writeLong(D + 24, 8192); // raising the hard limit unprivileged
        assertEquals(-Errno.EPERM, call(160, RLIMIT_NOFILE, D + 16));
        assertEquals(-Errno.EINVAL, call(97, 16, D));
        assertEquals(-Errno.ESRCH, call(302, 4, 0, 0, D));
        mem.writeLong(D + 24, 1000); // lowering both is fine
        assertEquals(0, call(160, RLIMIT_NOFILE, D + 16));
        assertEquals(1000, misc.hardLimit(RLIMIT_NOFILE));
    }

    @Test
    void sysinfoRusageTimes() {
        assertEquals(0, call(99, D));
        assertTrue(mem.readLong(D) >= 5000);
        assertTrue(mem.readLong(D + 32) > 0);
        assertEquals(1, mem.readShort(D + 80));
        assertEquals(1, mem.readInt(D + 104));
        assertEquals(0, call(98, 0, D));
        assertEquals(3, mem.readLong(D));
        assertEquals(250_000, mem.readLong(D + 8));
        assertEquals(-Errno.EINVAL, call(98, 2, D));
        long ticks = call(100, D + 0x200);
        assertTrue(ticks >= 500_050);
        assertEquals(325, mem.readLong(D + 0x200));
        assertTrue(call(100, 0) > 0);
    }

    @Test
    void clocks() {
        long before = System.currentTimeMillis() / 1000;
        assertEquals(0, call(228, CLOCK_REALTIME, D));
        long s = mem.readLong(D);
        assertTrue(s >= before && s <= before + 2);
        assertTrue(mem.readLong(D + 8) >= 0 && mem.readLong(D + 8) < 1_000_000_000L);
        assertEquals(0, call(228, CLOCK_MONOTONIC, D));
        assertTrue(mem.readLong(D) >= 5000);
        assertEquals(0, call(228, CLOCK_PROCESS_CPUTIME_ID, D));
        assertEquals(3, mem.readLong(D));
        assertEquals(250_000_000, mem.readLong(D + 8));
        assertEquals(0, call(228, CLOCK_MONOTONIC_COARSE, D));
        assertEquals(0, mem.readLong(D + 8) % COARSE_NS);
        assertEquals(-Errno.EINVAL, call(228, 10, D));
        assertEquals(-Errno.EINVAL, call(228, -5, D));
        assertEquals(-Errno.EFAULT, call(228, CLOCK_REALTIME, 8));
        assertEquals(0, call(229, CLOCK_MONOTONIC, D));
        assertEquals(0, mem.readLong(D));
        assertEquals(1, mem.readLong(D + 8));
        assertEquals(0, call(229, CLOCK_REALTIME_COARSE, D));
        assertEquals(COARSE_NS, mem.readLong(D + 8));
        assertEquals(0, call(229, CLOCK_BOOTTIME, 0));
        assertEquals(0, call(96, D, D + 16));
        assertTrue(mem.readLong(D) >= before && mem.readLong(D + 8) < 1_000_000);
        long now = call(201, D + 32);
        assertTrue(now >= before);
        assertEquals(now, mem.readLong(D + 32));
    }

    @Test
    void sleeps() {
        mem.write(D, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(20_000_000).array());
        long t0 = System.nanoTime();
        assertEquals(0, call(35, D, 0));
        assertTrue(System.nanoTime() - t0 >= 20_000_000);
        mem.writeLong(D + 8, 1_000_000_000L);
        assertEquals(-Errno.EINVAL, call(35, D, 0));
        mem.writeLong(D + 8, 0);
        mem.writeLong(D, -1);
        assertEquals(-Errno.EINVAL, call(35, D, 0));
        // absolute deadline in the past: returns at once
        mem.writeLong(D, 1);
        assertEquals(0, call(230, CLOCK_MONOTONIC, TIMER_ABSTIME, D, 0));
        assertEquals(-Errno.EINVAL, call(230, CLOCK_THREAD_CPUTIME_ID, 0, D, 0));
        assertEquals(-Errno.EFAULT, call(35, 8, 0));
    }

    @Test
    void futexWithOneThread() {
        mem.writeInt(D, 5);
        assertEquals(-Errno.EAGAIN, call(202, D, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 4, 0));
        assertEquals(-Errno.EDEADLK, call(202, D, FUTEX_WAIT, 5, 0));
        mem.write(D + 16, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0).putLong(1_000_000).array());
        assertEquals(-Errno.ETIMEDOUT, call(202, D, FUTEX_WAIT, 5, D + 16));
        assertEquals(0, call(202, D, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1));
        assertEquals(-Errno.EINVAL, call(202, D + 2, FUTEX_WAKE, 1));
        assertEquals(-Errno.EINVAL, call(202, D, FUTEX_WAIT_BITSET, 5, 0, 0, 0));
        assertEquals(-Errno.EAGAIN, call(202, D, FUTEX_CMP_REQUEUE, 1, 0, D + 4, 6));
        assertEquals(0, call(202, D, FUTEX_CMP_REQUEUE, 1, 0, D + 4, 5));
        // FUTEX_WAKE_OP: *uaddr2 += 3 (op ADD = 1, oparg 3, cmp EQ 0)
        mem.writeInt(D + 4, 10);
        assertEquals(0, call(202, D, FUTEX_WAKE_OP, 1, 1, D + 4, (1 << 28) | (3 << 12)));
        assertEquals(13, mem.readInt(D + 4));
        assertEquals(-Errno.ENOSYS, call(202, D, 6 /* FUTEX_LOCK_PI */, 0));
        assertEquals(-Errno.EFAULT, call(202, 0x10, FUTEX_WAIT, 0, 0));
    }

    @Test
    void getrandomAndProcessAttributes() {
        assertEquals(64, call(318, D, 64, 0));
        assertNotEquals(0, mem.readLong(D) | mem.readLong(D + 8));
        assertEquals(512, call(318, D, 1000, GRND_RANDOM | GRND_NONBLOCK));
        assertEquals(-Errno.EINVAL, call(318, D, 8, GRND_RANDOM | GRND_INSECURE));
        assertEquals(-Errno.EINVAL, call(318, D, 8, 8));
        assertEquals(-Errno.EFAULT, call(318, 8, 8, 0));
        assertEquals(8, call(204, 0, 128, D));
        assertEquals(1, mem.readLong(D));
        assertEquals(-Errno.EINVAL, call(204, 0, 4, D));
        assertEquals(-Errno.ESRCH, call(204, 5, 8, D));
        assertEquals(0, call(309, D, D + 4, 0));
        assertEquals(0, call(135, 0xFFFF_FFFFL));
        assertEquals(0, call(135, 0x0040000)); // ADDR_NO_RANDOMIZE
        assertEquals(0x0040000, call(135, 0xFFFF_FFFFL));
        assertEquals(0, call(157, PR_GET_NAME, D));
        assertEquals("a-very-long-pro", mem.readCString(D, 16));
        mem.write(D + 0x100, "worker\0".getBytes(StandardCharsets.UTF_8));
        assertEquals(0, call(157, PR_SET_NAME, D + 0x100));
        assertEquals(0, call(157, PR_GET_NAME, D));
        assertEquals("worker", mem.readCString(D, 16));
        assertEquals(-Errno.EINVAL, call(157, 0x59616d61, 0));
        assertEquals(0, call(324, 0, 0));
        assertEquals(-Errno.EINVAL, call(324, 1, 0));
        assertEquals(0, call(24));
    }

    @Test
    void probeReadsTheHost() throws Exception {
        LinuxMiscHost h = LinuxMiscHost.probe();
        java.nio.file.Path rel = java.nio.file.Path.of("/proc/sys/kernel/osrelease");
        if (java.nio.file.Files.exists(rel)) assertEquals(java.nio.file.Files.readString(rel).trim(), h.release());
        Process id = new ProcessBuilder("id", "-u").start();
        String uid = new String(id.getInputStream().readAllBytes()).trim();
        if (id.waitFor() == 0 && !uid.isEmpty()) assertEquals(Integer.parseInt(uid), h.uid());
        assertTrue(h.uptimeSeconds() >= 0);
        assertTrue(!h.nodename().isEmpty());
    }
}
