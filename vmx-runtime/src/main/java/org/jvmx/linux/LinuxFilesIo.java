package org.jvmx.linux;

import org.jvmx.linux.fs.DirFile;
import org.jvmx.linux.fs.Fcntl;
import org.jvmx.linux.fs.FdTable;
import org.jvmx.linux.fs.OpenFile;
import org.jvmx.linux.fs.Pipe;
import org.jvmx.linux.fs.PipeEnd;
import org.jvmx.linux.fs.Terminal;

/**
 * Descriptor system calls: read/write and their positional and vectored forms, lseek, close,
 * pipes, dup, fcntl, ioctl, fsync, ftruncate, getdents64, sendfile, copy_file_range. Polling
 * lives in {@link LinuxFilesPoll}.
 */
final class LinuxFilesIo {
    /** The most one call moves (Linux allows MAX_RW_COUNT; a shorter count is a legal short transfer). */
    static final int MAX_IO = 1 << 24;
    static final int IOV_MAX = 1024;
    /** readv/writev: at the file position (preadv/pwritev pass an offset, where a negative one is EINVAL). */
    static final long AT_POSITION = Long.MIN_VALUE;

    private final LinuxFiles fs;
    private final UserMemory mem;

    LinuxFilesIo(LinuxFiles fs) {
        this.fs = fs;
        this.mem = fs.mem;
    }

    private FdTable fds() {
        return fs.fds;
    }

    void install(SyscallTable t) {
        t.put(0, "read", "fbu", (a, b, c, d, e, f) -> read((int) a, b, c));
        t.put(1, "write", "fbu", (a, b, c, d, e, f) -> write((int) a, b, c));
        t.put(3, "close", "f", (a, b, c, d, e, f) -> close((int) a));
        t.put(8, "lseek", "fdd", (a, b, c, d, e, f) -> fds().get((int) a).seek(b, (int) c));
        t.put(16, "ioctl", "fxx", (a, b, c, d, e, f) -> ioctl((int) a, (int) b, c));
        t.put(17, "pread64", "fbud", (a, b, c, d, e, f) -> pread((int) a, b, c, d));
        t.put(18, "pwrite64", "fbud", (a, b, c, d, e, f) -> pwrite((int) a, b, c, d));
        t.put(19, "readv", "fpd", (a, b, c, d, e, f) -> readv((int) a, b, c, AT_POSITION));
        t.put(20, "writev", "fpd", (a, b, c, d, e, f) -> writev((int) a, b, c, AT_POSITION));
        t.put(22, "pipe", "p", (a, b, c, d, e, f) -> pipe2(a, 0));
        t.put(32, "dup", "f", (a, b, c, d, e, f) -> fds().dup((int) a, 0, false));
        t.put(33, "dup2", "ff", (a, b, c, d, e, f) -> dup2((int) a, (int) b));
        t.put(40, "sendfile", "ffpu", (a, b, c, d, e, f) -> sendfile((int) a, (int) b, c, d));
        t.put(72, "fcntl", "fdx", (a, b, c, d, e, f) -> fcntl((int) a, (int) b, c));
        t.put(73, "flock", "fd", (a, b, c, d, e, f) -> {
            fds().get((int) a);
            return 0;
        });
        t.put(74, "fsync", "f", (a, b, c, d, e, f) -> sync((int) a));
        t.put(75, "fdatasync", "f", (a, b, c, d, e, f) -> sync((int) a));
        t.put(77, "ftruncate", "fd", (a, b, c, d, e, f) -> ftruncate((int) a, b));
        t.put(78, "getdents", "fpu", (a, b, c, d, e, f) -> getdents((int) a, b, c, false));
        t.put(217, "getdents64", "fpu", (a, b, c, d, e, f) -> getdents((int) a, b, c, true));
        t.put(221, "fadvise64", "fddd", (a, b, c, d, e, f) -> fadvise((int) a, (int) d));
        t.put(292, "dup3", "ffx", (a, b, c, d, e, f) -> dup3((int) a, (int) b, (int) c));
        t.put(293, "pipe2", "px", (a, b, c, d, e, f) -> pipe2(a, (int) b));
        t.put(295, "preadv", "fpdd", (a, b, c, d, e, f) -> readv((int) a, b, c, d));
        t.put(296, "pwritev", "fpdd", (a, b, c, d, e, f) -> writev((int) a, b, c, d));
        t.put(326, "copy_file_range", "fpfpux", (a, b, c, d, e, f) -> copyFileRange((int) a, b, (int) c, d, e, (int) f));
        t.put(436, "close_range", "uux", (a, b, c, d, e, f) -> closeRange((int) a, (int) b, (int) c));
        new LinuxFilesPoll(fs).install(t);
        t.maySleep(0, 1, 17, 18, 19, 20, 40, 72, 73, 74, 75, 295, 296, 326); // pipes and terminals, F_SETLKW/flock, fsync, copies
    }

    // ---- read/write ----

    private static int count(long len) {
        if (len < 0) throw new LinuxError(Errno.EINVAL);
        return (int) Math.min(len, MAX_IO);
    }

    long read(int fd, long buf, long len) {
        OpenFile f = fds().get(fd);
        if (!f.readable()) throw new LinuxError(f instanceof DirFile && !f.isPath() ? Errno.EISDIR : Errno.EBADF);
        int n = bufferFor(f, count(len));
        byte[] b = new byte[n];
        int got = f.read(b, 0, n);
        if (got > 0) mem.write(buf, b, 0, got);
        return got;
    }

    /**
     * How much a read of {@code n} bytes needs to buffer: a large read of a regular file takes no
     * more than the bytes left before end of file, other large reads at most 64 KiB (a short
     * read is what Linux gives for pipes and terminals too).
     */
    static int bufferFor(OpenFile f, int n) {
        if (n <= 1 << 16) return n;
        int avail;
        try {
            avail = f.available();
        } catch (LinuxError e) {
            avail = 0;
        }
        if (f instanceof org.jvmx.linux.fs.HostFile && avail > 0) return Math.min(n, avail);
        return 1 << 16;
    }

    long write(int fd, long buf, long len) {
        OpenFile f = fds().get(fd);
        if (!f.writable()) throw new LinuxError(Errno.EBADF);
        int n = count(len);
        byte[] b = mem.read(buf, n);
        return doWrite(f, b, n);
    }

    private long doWrite(OpenFile f, byte[] b, int n) {
        try {
            return f.write(b, 0, n);
        } catch (LinuxError e) {
            if (e.errno == Errno.EPIPE) fs.sigpipe();
            throw e;
        }
    }

    long pread(int fd, long buf, long len, long pos) {
        if (pos < 0) throw new LinuxError(Errno.EINVAL); // before the fd (ksys_pread64)
        OpenFile f = fds().get(fd);
        if (!f.readable()) throw new LinuxError(Errno.EBADF);
        int n = count(len);
        byte[] b = new byte[n];
        int got = f.pread(pos, b, 0, n);
        if (got > 0) mem.write(buf, b, 0, got);
        return got;
    }

    long pwrite(int fd, long buf, long len, long pos) {
        if (pos < 0) throw new LinuxError(Errno.EINVAL);
        OpenFile f = fds().get(fd);
        if (!f.writable()) throw new LinuxError(Errno.EBADF);
        int n = count(len);
        return f.pwrite(pos, mem.read(buf, n), 0, n);
    }

    /** The iovec array (base, len pairs of 16 bytes): EINVAL for a bad count or a total past ssize_t. */
    private long[] iovecs(long iov, long cnt) {
        if (cnt < 0 || cnt > IOV_MAX) throw new LinuxError(Errno.EINVAL);
        long[] v = new long[(int) cnt * 2];
        long total = 0;
        for (int i = 0; i < cnt; i++) {
            v[2 * i] = mem.readLong(iov + 16L * i);
            v[2 * i + 1] = mem.readLong(iov + 16L * i + 8);
            if (v[2 * i + 1] < 0) throw new LinuxError(Errno.EINVAL);
            total += v[2 * i + 1];
            if (total < 0) throw new LinuxError(Errno.EINVAL);
        }
        return v;
    }

    /** readv/preadv ({@code pos} {@link #AT_POSITION}: at the file position): one read of the total, scattered. */
    long readv(int fd, long iov, long cnt, long pos) {
        OpenFile f = fds().get(fd);
        if (!f.readable()) throw new LinuxError(Errno.EBADF);
        long[] v = iovecs(iov, cnt);
        long total = 0;
        for (int i = 1; i < v.length; i += 2) total += v[i];
        int n = bufferFor(f, (int) Math.min(total, MAX_IO));
        byte[] b = new byte[n];
        if (pos != AT_POSITION && pos < 0) throw new LinuxError(Errno.EINVAL);
        int got = pos == AT_POSITION ? f.read(b, 0, n) : f.pread(pos, b, 0, n);
        int done = 0;
        for (int i = 0; i < v.length && done < got; i += 2) {
            int k = (int) Math.min(v[i + 1], got - done);
            if (k > 0) mem.write(v[i], b, done, k);
            done += k;
        }
        return got;
    }

    long writev(int fd, long iov, long cnt, long pos) {
        OpenFile f = fds().get(fd);
        if (!f.writable()) throw new LinuxError(Errno.EBADF);
        long[] v = iovecs(iov, cnt);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < v.length && out.size() < MAX_IO; i += 2) {
            int k = (int) Math.min(v[i + 1], MAX_IO - out.size());
            if (k > 0) out.writeBytes(mem.read(v[i], k));
        }
        byte[] b = out.toByteArray();
        if (pos == AT_POSITION) return doWrite(f, b, b.length);
        if (pos < 0) throw new LinuxError(Errno.EINVAL);
        return f.pwrite(pos, b, 0, b.length);
    }

    // ---- descriptors ----

    long close(int fd) {
        fds().close(fd);
        return 0;
    }

    long closeRange(int first, int last, int flags) {
        final int cloexec = 4, unshare = 2;
        if ((flags & ~(cloexec | unshare)) != 0 || Integer.compareUnsigned(first, last) > 0) throw new LinuxError(Errno.EINVAL);
        int hi = (int) Math.min(Integer.toUnsignedLong(last), fds().limit() - 1L);
        for (int fd = first; fd >= 0 && fd <= hi; fd++) {
            if (!fds().isOpen(fd)) continue;
            if ((flags & cloexec) != 0) fds().setCloseOnExec(fd, true);
            else fds().close(fd);
        }
        return 0;
    }

    long dup2(int oldfd, int newfd) {
        if (oldfd == newfd) {
            fds().get(oldfd);
            return newfd;
        }
        return fds().dup2(oldfd, newfd, false);
    }

    long dup3(int oldfd, int newfd, int flags) {
        if ((flags & ~Fcntl.O_CLOEXEC) != 0 || oldfd == newfd) throw new LinuxError(Errno.EINVAL);
        return fds().dup2(oldfd, newfd, (flags & Fcntl.O_CLOEXEC) != 0);
    }

    long pipe2(long fdsPtr, int flags) {
        if ((flags & ~(Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK | Fcntl.O_DIRECT)) != 0) throw new LinuxError(Errno.EINVAL);
        boolean cloexec = (flags & Fcntl.O_CLOEXEC) != 0;
        PipeEnd[] ends = new Pipe().open(flags & (Fcntl.O_NONBLOCK | Fcntl.O_DIRECT));
        int r = fds().install(ends[0], cloexec);
        int w;
        try {
            w = fds().install(ends[1], cloexec);
        } catch (LinuxError e) {
            fds().close(r);
            ends[1].release();
            throw e;
        }
        try {
            mem.writeInt(fdsPtr, r);
            mem.writeInt(fdsPtr + 4, w);
        } catch (LinuxError e) {
            fds().close(r);
            fds().close(w);
            throw e;
        }
        return 0;
    }

    long fcntl(int fd, int cmd, long arg) {
        OpenFile f = fds().get(fd);
        switch (cmd) {
            case Fcntl.F_DUPFD, Fcntl.F_DUPFD_CLOEXEC -> {
                if (arg < 0 || arg >= fds().limit()) throw new LinuxError(Errno.EINVAL);
                return fds().dup(fd, (int) arg, cmd == Fcntl.F_DUPFD_CLOEXEC);
            }
            case Fcntl.F_GETFD -> {
                return fds().closeOnExec(fd) ? Fcntl.FD_CLOEXEC : 0;
            }
            case Fcntl.F_SETFD -> {
                fds().setCloseOnExec(fd, (arg & Fcntl.FD_CLOEXEC) != 0);
                return 0;
            }
            case Fcntl.F_GETFL -> {
                return f.flags();
            }
            case Fcntl.F_SETFL -> {
                if (f.isPath()) throw new LinuxError(Errno.EBADF);
                f.setStatusFlags((int) arg);
                return 0;
            }
            case Fcntl.F_GETLK, Fcntl.F_OFD_GETLK -> {
                if (f.isPath()) throw new LinuxError(Errno.EBADF);
                // struct flock { short l_type; short l_whence; off_t l_start; off_t l_len; pid_t l_pid; }:
                // no other process holds a lock, so the answer is always F_UNLCK
                byte[] type = {(byte) Fcntl.F_UNLCK, 0};
                mem.read(arg, 32);
                mem.write(arg, type);
                return 0;
            }
            case Fcntl.F_SETLK, Fcntl.F_SETLKW, Fcntl.F_OFD_SETLK, Fcntl.F_OFD_SETLKW -> {
                if (f.isPath()) throw new LinuxError(Errno.EBADF);
                mem.read(arg, 32);
                return 0; // a single process: every lock is granted
            }
            case Fcntl.F_GETOWN -> {
                return 0;
            }
            case Fcntl.F_SETOWN -> {
                return 0;
            }
            case Fcntl.F_GETPIPE_SZ -> {
                if (!(f instanceof PipeEnd)) throw new LinuxError(Errno.EBADF);
                return Pipe.CAPACITY;
            }
            case Fcntl.F_SETPIPE_SZ -> {
                if (!(f instanceof PipeEnd)) throw new LinuxError(Errno.EBADF);
                return Pipe.CAPACITY;
            }
            default -> throw new LinuxError(Errno.EINVAL);
        }
    }

    long ioctl(int fd, int cmd, long arg) {
        OpenFile f = fds().get(fd);
        if (f.isPath()) throw new LinuxError(Errno.EBADF);
        switch (cmd) {
            case Terminal.FIOCLEX -> {
                fds().setCloseOnExec(fd, true);
                return 0;
            }
            case Terminal.FIONCLEX -> {
                fds().setCloseOnExec(fd, false);
                return 0;
            }
            case Terminal.FIONBIO -> {
                int on = mem.readInt(arg);
                f.setStatusFlags(on != 0 ? f.flags() | Fcntl.O_NONBLOCK : f.flags() & ~Fcntl.O_NONBLOCK);
                return 0;
            }
            case Terminal.FIONREAD -> {
                if (f instanceof DirFile) throw new LinuxError(Errno.ENOTTY);
                mem.writeInt(arg, f.available());
                return 0;
            }
            default -> {
            }
        }
        if (!f.isTerminal()) throw new LinuxError(Errno.ENOTTY);
        Terminal t = fs.terminal;
        switch (cmd) {
            case Terminal.TCGETS -> mem.write(arg, t.termios());
            case Terminal.TCSETS, Terminal.TCSETSW, Terminal.TCSETSF -> t.setTermios(mem.read(arg, Terminal.TERMIOS_SIZE));
            case Terminal.TIOCGWINSZ -> mem.write(arg, t.winsize());
            case Terminal.TIOCSWINSZ -> t.setWinsize(mem.read(arg, Terminal.WINSIZE_SIZE));
            case Terminal.TIOCGPGRP, Terminal.TIOCGSID -> mem.writeInt(arg, fs.pid());
            case Terminal.TIOCSPGRP -> mem.readInt(arg);
            case Terminal.TCSBRK, Terminal.TCXONC, Terminal.TCFLSH, Terminal.TIOCSCTTY -> {
            }
            default -> throw new LinuxError(Errno.ENOTTY);
        }
        return 0;
    }

    long sync(int fd) {
        OpenFile f = fds().get(fd);
        if (f.isPath()) throw new LinuxError(Errno.EBADF);
        if (f instanceof PipeEnd || f instanceof org.jvmx.linux.fs.StreamFile) throw new LinuxError(Errno.EINVAL);
        f.sync();
        return 0;
    }

    long ftruncate(int fd, long len) {
        OpenFile f = fds().get(fd);
        if (f.isPath()) throw new LinuxError(Errno.EBADF);
        if (len < 0) throw new LinuxError(Errno.EINVAL);
        if (!f.writable()) throw new LinuxError(f.readable() ? Errno.EINVAL : Errno.EBADF);
        f.truncate(len);
        return 0;
    }

    long getdents(int fd, long buf, long len, boolean is64) {
        OpenFile f = fds().get(fd);
        if (!(f instanceof DirFile d)) throw new LinuxError(f.isPath() ? Errno.EBADF : Errno.ENOTDIR);
        byte[] b = d.getdents(count(Math.min(len, Integer.MAX_VALUE)), is64);
        if (b.length > 0) mem.write(buf, b);
        return b.length;
    }

    long fadvise(int fd, int advice) {
        OpenFile f = fds().get(fd);
        if (f instanceof PipeEnd) throw new LinuxError(Errno.ESPIPE);
        if (advice < 0 || advice > 5) throw new LinuxError(Errno.EINVAL);
        return 0;
    }

    // ---- copies between descriptors ----

    /** sendfile(out, in, *offset, count): from {@code offset} (then updated) or the input's position. */
    long sendfile(int out, int in, long offPtr, long count) {
        OpenFile src = fds().get(in), dst = fds().get(out);
        if (!src.readable() || !dst.writable()) throw new LinuxError(Errno.EBADF);
        if ((dst.flags() & Fcntl.O_APPEND) != 0 && !(dst instanceof PipeEnd)) throw new LinuxError(Errno.EINVAL);
        int n = count(count);
        byte[] b = new byte[n];
        long off = offPtr != 0 ? mem.readLong(offPtr) : -1;
        if (offPtr != 0 && off < 0) throw new LinuxError(Errno.EINVAL);
        int got = offPtr != 0 ? src.pread(off, b, 0, n) : src.read(b, 0, n);
        int put = got > 0 ? (int) doWrite(dst, b, got) : 0;
        if (offPtr != 0) mem.writeLong(offPtr, off + put);
        return put;
    }

    /** copy_file_range: regular files only (EINVAL otherwise), copied through the monitor. */
    long copyFileRange(int in, long offIn, int out, long offOut, long len, int flags) {
        if (flags != 0) throw new LinuxError(Errno.EINVAL);
        OpenFile src = fds().get(in), dst = fds().get(out);
        if (!src.readable() || !dst.writable()) throw new LinuxError(Errno.EBADF);
        if (!(src instanceof org.jvmx.linux.fs.HostFile) || !(dst instanceof org.jvmx.linux.fs.HostFile)) {
            throw new LinuxError(Errno.EINVAL);
        }
        if ((dst.flags() & Fcntl.O_APPEND) != 0) throw new LinuxError(Errno.EBADF);
        int n = count(len);
        long pin = offIn != 0 ? mem.readLong(offIn) : -1, pout = offOut != 0 ? mem.readLong(offOut) : -1;
        if ((offIn != 0 && pin < 0) || (offOut != 0 && pout < 0)) throw new LinuxError(Errno.EINVAL);
        byte[] b = new byte[n];
        int got = offIn != 0 ? src.pread(pin, b, 0, n) : src.read(b, 0, n);
        if (got <= 0) return 0;
        int put = offOut != 0 ? dst.pwrite(pout, b, 0, got) : dst.write(b, 0, got);
        if (offIn != 0) mem.writeLong(offIn, pin + put);
        if (offOut != 0) mem.writeLong(offOut, pout + put);
        return put;
    }
}
