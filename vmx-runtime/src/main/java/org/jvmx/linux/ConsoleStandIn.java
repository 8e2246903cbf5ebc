package org.jvmx.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A stand-in for the files group until it is wired in: read on fd 0, write and writev on
 * fds 1 and 2, EBADF for every other fd; ioctl answers ENOTTY. Replaced by LinuxFiles in
 * {@code jvmx run} (one line in RunCommand); kept for tests of the process core alone.
 */
public final class ConsoleStandIn implements SyscallTable.Group {
    private final UserMemory mem;
    private final InputStream stdin;
    private final OutputStream stdout, stderr;

    public ConsoleStandIn(UserMemory mem, InputStream stdin, OutputStream stdout, OutputStream stderr) {
        this.mem = mem;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    @Override
    public void install(SyscallTable t) {
        t.put(0, "read", "fbu", (fd, buf, n, x3, x4, x5) -> read((int) fd, buf, n));
        t.put(1, "write", "fbu", (fd, buf, n, x3, x4, x5) -> write((int) fd, buf, n));
        t.put(20, "writev", "fpd", (fd, iov, cnt, x3, x4, x5) -> {
            long total = 0;
            for (int i = 0; i < cnt; i++) total += write((int) fd, mem.readLong(iov + 16L * i), mem.readLong(iov + 16L * i + 8));
            return total;
        });
        t.put(16, "ioctl", "fxp", (fd, req, arg, x3, x4, x5) -> {
            if (fd < 0 || fd > 2) throw new LinuxError(Errno.EBADF);
            throw new LinuxError(Errno.ENOTTY);
        });
    }

    private long read(int fd, long buf, long n) {
        if (fd != 0) throw new LinuxError(Errno.EBADF);
        try {
            byte[] b = new byte[(int) Math.min(n, 1 << 16)];
            int got = stdin.read(b);
            if (got <= 0) return 0;
            mem.write(buf, b, 0, got);
            return got;
        } catch (IOException e) {
            throw new LinuxError(Errno.EIO);
        }
    }

    private long write(int fd, long buf, long n) {
        OutputStream out = fd == 1 ? stdout : fd == 2 ? stderr : null;
        if (out == null) throw new LinuxError(Errno.EBADF);
        if (n < 0) throw new LinuxError(Errno.EINVAL);
        byte[] b = mem.read(buf, (int) Math.min(n, Integer.MAX_VALUE - 8));
        try {
            out.write(b);
            out.flush();
        } catch (IOException e) {
            throw new LinuxError(Errno.EPIPE);
        }
        return b.length;
    }
}
