package org.jvmx.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.function.LongSupplier;

/**
 * The process's identity and environment: ids (pid, uid, groups, sessions), uname, resource
 * limits, sysinfo/getrusage, getrandom, scheduling queries, personality and prctl. The clock,
 * sleep and futex calls are in {@link LinuxMiscTime}, installed with these.
 *
 * <p>jvmx runs one process: its pid is given (by default {@link #PID}), the thread id of its
 * first thread the same, other threads' their own ({@link LinuxThread}); it leads its own process group and is not a session leader (its session is
 * its parent's). Uids and gids are the host's.
 */
public final class LinuxMisc implements SyscallTable.Group {
    /** The default process id (and thread id) and its parent's. */
    public static final int PID = 1000, PPID = 999;

    public static final int RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
            RLIMIT_RSS = 5, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9,
            RLIMIT_LOCKS = 10, RLIMIT_SIGPENDING = 11, RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13, RLIMIT_RTPRIO = 14,
            RLIMIT_RTTIME = 15, RLIM_NLIMITS = 16;
    public static final long RLIM_INFINITY = -1;
    public static final int UTS_FIELD = 65, UTSNAME_SIZE = 6 * UTS_FIELD, SYSINFO_SIZE = 112, RUSAGE_SIZE = 144;
    public static final int GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;
    public static final int PR_SET_NAME = 15, PR_GET_NAME = 16;

    private final UserMemory mem;
    private final LinuxMiscHost host;
    private final LinuxMiscTime time;
    private final SecureRandom random = new SecureRandom();
    /** Soft and hard limits per resource (RLIM_INFINITY = all ones). */
    private final long[] soft = new long[RLIM_NLIMITS], hard = new long[RLIM_NLIMITS];
    private int ruid, euid, suid, rgid, egid, sgid;
    private long personality;
    private byte[] comm = "jvmx".getBytes(StandardCharsets.UTF_8);
    private final int pid, ppid;

    /**
     * @param mem        the process's memory
     * @param host       the host facts reported (see {@link LinuxMiscHost#probe()})
     * @param cpuNanos   the process's CPU time so far (the vCPU's executed time), for
     *                   CLOCK_PROCESS/THREAD_CPUTIME_ID, times and getrusage
     * @param programName initial {@code comm} (PR_GET_NAME), e.g. the program's file name
     */
    public LinuxMisc(UserMemory mem, LinuxMiscHost host, LongSupplier cpuNanos, String programName) {
        this(mem, host, cpuNanos, programName, PID, PPID);
    }

    /** With the process's {@code pid} (the same as the signals group's and the process's) and parent {@code ppid}. */
    public LinuxMisc(UserMemory mem, LinuxMiscHost host, LongSupplier cpuNanos, String programName, int pid,
            int ppid) {
        this.pid = pid;
        this.ppid = ppid;
        this.mem = mem;
        this.host = host;
        this.time = new LinuxMiscTime(mem, host, cpuNanos);
        ruid = euid = suid = host.uid();
        rgid = egid = sgid = host.gid();
        java.util.Arrays.fill(soft, RLIM_INFINITY);
        java.util.Arrays.fill(hard, RLIM_INFINITY);
        setDefault(RLIMIT_STACK, 8L << 20, RLIM_INFINITY);
        setDefault(RLIMIT_CORE, 0, RLIM_INFINITY);
        setDefault(RLIMIT_NOFILE, 1024, 4096);
        setDefault(RLIMIT_MEMLOCK, 8L << 20, 8L << 20);
        setDefault(RLIMIT_NPROC, 63_704, 63_704);
        setDefault(RLIMIT_SIGPENDING, 63_704, 63_704);
        setDefault(RLIMIT_MSGQUEUE, 819_200, 819_200);
        setDefault(RLIMIT_NICE, 0, 0);
        setDefault(RLIMIT_RTPRIO, 0, 0);
        if (programName != null) setComm(programName.getBytes(StandardCharsets.UTF_8));
    }

    private void setDefault(int r, long s, long h) {
        soft[r] = s;
        hard[r] = h;
    }

    /** The current soft limit of {@code resource} (the process helper sizes the stack and fd table by it). */
    public long softLimit(int resource) {
        return soft[resource];
    }

    public long hardLimit(int resource) {
        return hard[resource];
    }

    public LinuxMiscTime time() {
        return time;
    }

    @Override
    public void install(SyscallTable t) {
        t.put(39, "getpid", "", (a, b, c, d, e, f) -> pid);
        t.put(186, "gettid", "", (a, b, c, d, e, f) -> {
            LinuxThread me = LinuxThread.current();
            return me == null ? pid : me.tid;
        });
        t.put(110, "getppid", "", (a, b, c, d, e, f) -> ppid);
        t.put(102, "getuid", "", (a, b, c, d, e, f) -> ruid);
        t.put(107, "geteuid", "", (a, b, c, d, e, f) -> euid);
        t.put(104, "getgid", "", (a, b, c, d, e, f) -> rgid);
        t.put(108, "getegid", "", (a, b, c, d, e, f) -> egid);
        t.put(115, "getgroups", "dp", (a, b, c, d, e, f) -> getgroups((int) a, b));
        t.put(105, "setuid", "u", (a, b, c, d, e, f) -> setresuid(-1, (int) a, -1, true));
        t.put(106, "setgid", "u", (a, b, c, d, e, f) -> setresgid(-1, (int) a, -1, true));
        t.put(113, "setreuid", "dd", (a, b, c, d, e, f) -> setresuid((int) a, (int) b, -1, false));
        t.put(114, "setregid", "dd", (a, b, c, d, e, f) -> setresgid((int) a, (int) b, -1, false));
        t.put(117, "setresuid", "ddd", (a, b, c, d, e, f) -> setresuid((int) a, (int) b, (int) c, false));
        t.put(119, "setresgid", "ddd", (a, b, c, d, e, f) -> setresgid((int) a, (int) b, (int) c, false));
        t.put(118, "getresuid", "ppp", (a, b, c, d, e, f) -> getres(a, b, c, ruid, euid, suid));
        t.put(120, "getresgid", "ppp", (a, b, c, d, e, f) -> getres(a, b, c, rgid, egid, sgid));
        t.put(122, "setfsuid", "u", (a, b, c, d, e, f) -> euid); // returns the previous fsuid; never changes it
        t.put(123, "setfsgid", "u", (a, b, c, d, e, f) -> egid);
        t.put(111, "getpgrp", "", (a, b, c, d, e, f) -> pid);
        t.put(121, "getpgid", "d", (a, b, c, d, e, f) -> self((int) a, pid));
        t.put(124, "getsid", "d", (a, b, c, d, e, f) -> self((int) a, ppid));
        t.put(109, "setpgid", "dd", (a, b, c, d, e, f) -> setpgid((int) a, (int) b));
        t.put(112, "setsid", "", (a, b, c, d, e, f) -> {
            throw new LinuxError(Errno.EPERM, "a process group leader cannot start a session");
        });
        t.put(63, "uname", "p", (a, b, c, d, e, f) -> uname(a));
        t.put(99, "sysinfo", "p", (a, b, c, d, e, f) -> sysinfo(a));
        t.put(98, "getrusage", "dp", (a, b, c, d, e, f) -> getrusage((int) a, b));
        t.put(97, "getrlimit", "dp", (a, b, c, d, e, f) -> prlimit(0, (int) a, 0, b));
        t.put(160, "setrlimit", "dp", (a, b, c, d, e, f) -> prlimit(0, (int) a, b, 0));
        t.put(302, "prlimit64", "ddpp", (a, b, c, d, e, f) -> prlimit((int) a, (int) b, c, d));
        t.put(318, "getrandom", "pux", (a, b, c, d, e, f) -> getrandom(a, b, (int) c));
        t.put(24, "sched_yield", "", (a, b, c, d, e, f) -> {
            Thread.yield();
            return 0;
        });
        t.put(204, "sched_getaffinity", "dup", (a, b, c, d, e, f) -> schedGetaffinity((int) a, b, c));
        t.put(203, "sched_setaffinity", "dup", (a, b, c, d, e, f) -> schedSetaffinity((int) a, b, c));
        t.put(309, "getcpu", "ppp", (a, b, c, d, e, f) -> {
            if (a != 0) mem.writeInt(a, 0);
            if (b != 0) mem.writeInt(b, 0);
            return 0;
        });
        t.put(135, "personality", "x", (a, b, c, d, e, f) -> personality(a));
        t.put(157, "prctl", "dxxxx", (a, b, c, d, e, f) -> prctl((int) a, b));
        t.put(324, "membarrier", "dxd", (a, b, c, d, e, f) -> {
            // MEMBARRIER_CMD_QUERY answers "no command supported"; one thread needs no barrier.
            if (a == 0 && b == 0) return 0;
            throw new LinuxError(Errno.EINVAL);
        });
        time.install(t);
    }

    // ---- ids

    private long self(int who, long value) {
        if (who != 0 && who != pid) throw new LinuxError(Errno.ESRCH);
        return value;
    }

    private long getgroups(int size, long list) {
        int[] g = host.groups();
        if (size == 0) return g.length;
        if (size < 0 || size < g.length) throw new LinuxError(Errno.EINVAL);
        ByteBuffer b = le(4 * g.length);
        for (int k = 0; k < g.length; k++) b.putInt(4 * k, g[k]);
        if (g.length > 0) mem.write(list, b.array());
        return g.length;
    }

    private long getres(long pr, long pe, long ps, int r, int e, int s) {
        mem.writeInt(pr, r);
        mem.writeInt(pe, e);
        mem.writeInt(ps, s);
        return 0;
    }

    /**
     * setresuid(2) rules (kernel/sys.c): an unprivileged process may set each id (-1: unchanged)
     * only to one of its current real, effective or saved ids; euid 0 may set anything, and
     * setuid() by root sets all three.
     */
    private long setresuid(int r, int e, int s, boolean setuid) {
        int[] v = ids(r, e, s, ruid, euid, suid, setuid);
        ruid = v[0];
        euid = v[1];
        suid = v[2];
        return 0;
    }

    private long setresgid(int r, int e, int s, boolean setgid) {
        int[] v = ids(r, e, s, rgid, egid, sgid, setgid);
        rgid = v[0];
        egid = v[1];
        sgid = v[2];
        return 0;
    }

    private int[] ids(int r, int e, int s, int cr, int ce, int cs, boolean single) {
        boolean root = euid == 0;
        if (single) {
            if (root) return new int[] {e, e, e};
            if (e != cr && e != cs && e != ce) throw new LinuxError(Errno.EPERM);
            return new int[] {cr, e, cs};
        }
        int[] want = {r, e, s}, cur = {cr, ce, cs};
        for (int k = 0; k < 3; k++) {
            if (want[k] == -1) {
                want[k] = cur[k];
            } else if (!root && want[k] != cr && want[k] != ce && want[k] != cs) {
                throw new LinuxError(Errno.EPERM);
            }
        }
        return want;
    }

    private long setpgid(int who, int pgid) {
        if (who != 0 && who != pid) throw new LinuxError(Errno.ESRCH);
        if (pgid < 0) throw new LinuxError(Errno.EINVAL);
        if (pgid != 0 && pgid != pid) throw new LinuxError(Errno.EPERM);
        return 0;
    }

    // ---- system information

    /** struct utsname: six NUL-padded 65-byte fields. */
    public byte[] utsname() {
        String[] f = {"Linux", host.nodename(), host.release(), host.version(), "x86_64", "(none)"};
        byte[] b = new byte[UTSNAME_SIZE];
        for (int k = 0; k < f.length; k++) {
            byte[] s = f[k].getBytes(StandardCharsets.UTF_8);
            System.arraycopy(s, 0, b, k * UTS_FIELD, Math.min(s.length, UTS_FIELD - 1));
        }
        return b;
    }

    private long uname(long buf) {
        mem.write(buf, utsname());
        return 0;
    }

    /** struct sysinfo (x86-64, 112 bytes): uptime, loads[3], ram and swap sizes, procs, high memory, mem_unit. */
    private long sysinfo(long buf) {
        Runtime rt = Runtime.getRuntime();
        ByteBuffer b = le(SYSINFO_SIZE);
        b.putLong(0, time.uptimeNanos() / 1_000_000_000L);
        b.putLong(32, rt.maxMemory()).putLong(40, rt.maxMemory() - rt.totalMemory() + rt.freeMemory());
        b.putShort(80, (short) 1);
        b.putInt(104, 1);
        mem.write(buf, b.array());
        return 0;
    }

    /** struct rusage (144 bytes): user and system time as timevals, then fourteen longs (maxrss in KiB first). */
    private long getrusage(int who, long buf) {
        if (who != 0 && who != -1 && who != 1) throw new LinuxError(Errno.EINVAL);
        ByteBuffer b = le(RUSAGE_SIZE);
        if (who != -1) { // RUSAGE_CHILDREN: no children ever ran
            long ns = time.cpuNanos();
            b.putLong(0, ns / 1_000_000_000L).putLong(8, ns % 1_000_000_000L / 1000);
            Runtime rt = Runtime.getRuntime();
            b.putLong(32, (rt.totalMemory() - rt.freeMemory()) / 1024);
        }
        mem.write(buf, b.array());
        return 0;
    }

    /** prlimit64 and get/setrlimit: struct rlimit is {rlim_cur, rlim_max}, 8 bytes each, unsigned. */
    private long prlimit(int who, int resource, long newp, long oldp) {
        if (who != 0 && who != pid) throw new LinuxError(Errno.ESRCH);
        if (resource < 0 || resource >= RLIM_NLIMITS) throw new LinuxError(Errno.EINVAL);
        long ns = 0, nh = 0;
        if (newp != 0) {
            byte[] r = mem.read(newp, 16);
            ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
            ns = b.getLong(0);
            nh = b.getLong(8);
            if (Long.compareUnsigned(ns, nh) > 0) throw new LinuxError(Errno.EINVAL);
            if (Long.compareUnsigned(nh, hard[resource]) > 0 && euid != 0) throw new LinuxError(Errno.EPERM);
            if (resource == RLIMIT_NOFILE && Long.compareUnsigned(nh, 1L << 20) > 0) throw new LinuxError(Errno.EPERM);
        }
        if (oldp != 0) mem.write(oldp, le(16).putLong(0, soft[resource]).putLong(8, hard[resource]).array());
        if (newp != 0) {
            soft[resource] = ns;
            hard[resource] = nh;
        }
        return 0;
    }

    private long getrandom(long buf, long count, int flags) {
        if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) != 0
                || (flags & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE)) {
            throw new LinuxError(Errno.EINVAL);
        }
        // The entropy pool is always ready: no call blocks, GRND_RANDOM reads are short like Linux's (512 bytes).
        long n = Math.min(count, (flags & GRND_RANDOM) != 0 ? 512 : 0x1FF_FFFF);
        byte[] chunk = new byte[(int) Math.min(n, 65536)];
        for (long done = 0; done < n; ) {
            int k = (int) Math.min(chunk.length, n - done);
            random.nextBytes(chunk);
            mem.write(buf + done, chunk, 0, k);
            done += k;
        }
        return n;
    }

    // ---- scheduling, persona, process attributes

    private long schedGetaffinity(int who, long len, long mask) {
        self(who, 0);
        if (len < 8 || (len & 7) != 0) throw new LinuxError(Errno.EINVAL);
        mem.writeLong(mask, 1); // one CPU, number 0
        return 8;
    }

    private long schedSetaffinity(int who, long len, long mask) {
        self(who, 0);
        if (len < 8) throw new LinuxError(Errno.EINVAL);
        if ((mem.readLong(mask) & 1) == 0) throw new LinuxError(Errno.EINVAL);
        return 0;
    }

    private long personality(long persona) {
        long old = personality;
        if ((int) persona != -1) personality = persona & 0xFFFF_FFFFL;
        return old;
    }

    private long prctl(int option, long arg2) {
        switch (option) {
            case PR_SET_NAME -> {
                byte[] b = mem.readCString(arg2, 4096).getBytes(StandardCharsets.UTF_8);
                setComm(b);
                return 0;
            }
            case PR_GET_NAME -> {
                byte[] out = new byte[16];
                System.arraycopy(comm, 0, out, 0, comm.length);
                mem.write(arg2, out);
                return 0;
            }
            default -> throw new LinuxError(Errno.EINVAL);
        }
    }

    /** comm is at most 15 bytes plus the NUL (TASK_COMM_LEN). */
    private void setComm(byte[] b) {
        comm = java.util.Arrays.copyOf(b, Math.min(b.length, 15));
    }

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
