package org.jvmx.linux;

import org.jvmx.linux.fs.Fcntl;
import org.jvmx.linux.fs.OpenFile;
import org.jvmx.linux.fs.StreamFile;

/**
 * poll, ppoll, select, pselect6 (fs/select.c). Readiness comes from each file
 * ({@link OpenFile#poll}): regular files and devices are always ready, pipes by their buffer
 * and ends, streams by {@code available()}. The monitor re-checks with a short sleep until
 * something is ready or the timeout passes. A Java input stream cannot show end of file
 * without a read, so when a wait would otherwise be endless and the guest waits for input on
 * such a stream, that stream is reported readable (the guest's next read then blocks or sees EOF).
 * The signal mask of ppoll/pselect6 is not applied (no signal is delivered during the wait).
 */
final class LinuxFilesPoll {
    private final LinuxFiles fs;
    private final UserMemory mem;

    LinuxFilesPoll(LinuxFiles fs) {
        this.fs = fs;
        this.mem = fs.mem;
    }

    void install(SyscallTable t) {
        t.put(7, "poll", "pud", (a, b, c, d, e, f) -> poll(a, b, c < 0 ? -1 : c * 1_000_000L));
        t.put(271, "ppoll", "pupp", (a, b, c, d, e, f) -> poll(a, b, timespec(c)));
        t.put(23, "select", "dpppp", (a, b, c, d, e, f) -> select((int) a, b, c, d, timeval(e)));
        t.put(270, "pselect6", "dppppp", (a, b, c, d, e, f) -> select((int) a, b, c, d, timespec(e)));
        t.maySleep(7, 23, 270, 271); // poll, select, pselect6, ppoll
    }

    /** A struct timespec timeout in ns, -1 for NULL (wait forever); EINVAL if malformed. */
    private long timespec(long p) {
        if (p == 0) return -1;
        long s = mem.readLong(p), ns = mem.readLong(p + 8);
        if (s < 0 || ns < 0 || ns >= 1_000_000_000L) throw new LinuxError(Errno.EINVAL);
        return s > Long.MAX_VALUE / 1_000_000_000L - 1 ? Long.MAX_VALUE : s * 1_000_000_000L + ns;
    }

    private long timeval(long p) {
        if (p == 0) return -1;
        long s = mem.readLong(p), us = mem.readLong(p + 8);
        if (s < 0 || us < 0 || us >= 1_000_000L) throw new LinuxError(Errno.EINVAL);
        return s > Long.MAX_VALUE / 1_000_000_000L - 1 ? Long.MAX_VALUE : s * 1_000_000_000L + us * 1000;
    }

    /** struct pollfd { int fd; short events; short revents; }. */
    long poll(long fdsPtr, long nfds, long timeoutNs) {
        if (nfds < 0 || nfds > fs.fds.limit()) throw new LinuxError(Errno.EINVAL);
        int n = (int) nfds;
        byte[] raw = mem.read(fdsPtr, n * 8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int[] fd = new int[n], ev = new int[n], rev = new int[n];
        for (int i = 0; i < n; i++) {
            fd[i] = b.getInt(i * 8);
            ev[i] = (b.getShort(i * 8 + 4) & 0xffff) | Fcntl.POLLERR | Fcntl.POLLHUP;
        }
        long deadline = timeoutNs < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNs;
        int ready;
        for (long sleep = 1; ; sleep = Math.min(sleep * 2, 20)) {
            ready = 0;
            boolean streamInput = false;
            for (int i = 0; i < n; i++) {
                rev[i] = 0;
                if (fd[i] < 0) continue;
                if (!fs.fds.isOpen(fd[i])) {
                    rev[i] = Fcntl.POLLNVAL;
                } else {
                    OpenFile f = fs.fds.get(fd[i]);
                    rev[i] = f.poll(ev[i]) & ev[i];
                    if (f instanceof StreamFile s && s.isInput() && (ev[i] & Fcntl.POLLIN) != 0) streamInput = true;
                }
                if (rev[i] != 0) ready++;
            }
            if (ready > 0 || timeoutNs == 0) break;
            if (timeoutNs < 0 && streamInput) {
                for (int i = 0; i < n; i++) {
                    if (fd[i] >= 0 && fs.fds.isOpen(fd[i]) && fs.fds.get(fd[i]) instanceof StreamFile s && s.isInput()
                            && (ev[i] & Fcntl.POLLIN) != 0) {
                        rev[i] = Fcntl.POLLIN;
                        ready++;
                    }
                }
                break;
            }
            if (System.nanoTime() >= deadline) break;
            pause(Math.min(sleep, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
        }
        for (int i = 0; i < n; i++) b.putShort(i * 8 + 6, (short) rev[i]);
        mem.write(fdsPtr, raw);
        return ready;
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LinuxError(Errno.EINTR);
        }
    }

    /** select through poll: fd_set bit arrays of {@code nfds} bits; the sets are rewritten with the ready bits. */
    long select(int nfds, long rd, long wr, long ex, long timeoutNs) {
        if (nfds < 0) throw new LinuxError(Errno.EINVAL);
        nfds = Math.min(nfds, fs.fds.limit());
        int bytes = (nfds + 63) / 64 * 8;
        long[] r = bits(rd, bytes), w = bits(wr, bytes), x = bits(ex, bytes);
        int[] fds = new int[nfds];
        int[] ev = new int[nfds];
        int m = 0;
        for (int fd = 0; fd < nfds; fd++) {
            int e = (get(r, fd) ? Fcntl.POLLIN : 0) | (get(w, fd) ? Fcntl.POLLOUT : 0) | (get(x, fd) ? Fcntl.POLLPRI : 0);
            if (e == 0) continue;
            if (!fs.fds.isOpen(fd)) throw new LinuxError(Errno.EBADF);
            fds[m] = fd;
            ev[m++] = e;
        }
        // reuse poll on a scratch copy of the request kept in Java
        int[] rev = pollJava(fds, ev, m, timeoutNs);
        long[] r2 = new long[r == null ? 0 : r.length], w2 = new long[w == null ? 0 : w.length],
                x2 = new long[x == null ? 0 : x.length];
        int count = 0;
        for (int i = 0; i < m; i++) {
            int fd = fds[i];
            boolean in = (ev[i] & Fcntl.POLLIN) != 0 && (rev[i] & (Fcntl.POLLIN | Fcntl.POLLHUP | Fcntl.POLLERR)) != 0;
            boolean out = (ev[i] & Fcntl.POLLOUT) != 0 && (rev[i] & (Fcntl.POLLOUT | Fcntl.POLLERR)) != 0;
            boolean pri = (ev[i] & Fcntl.POLLPRI) != 0 && (rev[i] & Fcntl.POLLPRI) != 0;
            if (in) {
                r2[fd >> 6] |= 1L << fd;
                count++;
            }
            if (out) {
                w2[fd >> 6] |= 1L << fd;
                count++;
            }
            if (pri) {
                x2[fd >> 6] |= 1L << fd;
                count++;
            }
        }
        put(rd, r2);
        put(wr, w2);
        put(ex, x2);
        return count;
    }

    private int[] pollJava(int[] fds, int[] ev, int m, long timeoutNs) {
        long deadline = timeoutNs < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNs;
        int[] rev = new int[m];
        for (long sleep = 1; ; sleep = Math.min(sleep * 2, 20)) {
            boolean any = false, streamInput = false;
            for (int i = 0; i < m; i++) {
                OpenFile f = fs.fds.get(fds[i]);
                rev[i] = f.poll(ev[i] | Fcntl.POLLHUP | Fcntl.POLLERR);
                if (f instanceof StreamFile s && s.isInput() && (ev[i] & Fcntl.POLLIN) != 0) streamInput = true;
                any |= (rev[i] & (ev[i] | Fcntl.POLLHUP | Fcntl.POLLERR)) != 0;
            }
            if (any || timeoutNs == 0) return rev;
            if (timeoutNs < 0 && streamInput) {
                for (int i = 0; i < m; i++) {
                    if (fs.fds.get(fds[i]) instanceof StreamFile s && s.isInput()) rev[i] |= ev[i] & Fcntl.POLLIN;
                }
                return rev;
            }
            if (System.nanoTime() >= deadline) return rev;
            pause(Math.min(sleep, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    private long[] bits(long p, int bytes) {
        if (p == 0) return null;
        long[] l = new long[bytes / 8];
        for (int i = 0; i < l.length; i++) l[i] = mem.readLong(p + 8L * i);
        return l;
    }

    private static boolean get(long[] set, int fd) {
        return set != null && (set[fd >> 6] >>> (fd & 63) & 1) != 0;
    }

    private void put(long p, long[] set) {
        if (p == 0) return;
        for (int i = 0; i < set.length; i++) mem.writeLong(p + 8L * i, set[i]);
    }
}
