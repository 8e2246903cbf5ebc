package org.jvmx.linux.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.jvmx.linux.Errno;
import org.jvmx.linux.LinuxError;

/**
 * A standard stream the monitor hands to the process (fd 0, 1, 2): a Java input or output
 * stream, not seekable. When it is the host's terminal, fstat reports a character device
 * (/dev/pts, major 136) and the tty ioctls answer; otherwise it is a FIFO.
 */
public final class StreamFile extends OpenFile {
    private final InputStream in;
    private final OutputStream out;
    private final boolean terminal;
    private final long ino;

    public StreamFile(InputStream in, OutputStream out, boolean terminal, String name, long ino) {
        super(in != null && out != null ? Fcntl.O_RDWR : in != null ? Fcntl.O_RDONLY : Fcntl.O_WRONLY, name);
        this.in = in;
        this.out = out;
        this.terminal = terminal;
        this.ino = ino;
    }

    @Override
    public int read(byte[] dst, int off, int len) {
        if (in == null) throw new LinuxError(Errno.EBADF);
        if (len == 0) return 0;
        try {
            if (nonBlocking() && in.available() == 0) throw new LinuxError(Errno.EAGAIN);
            int n = in.read(dst, off, len);
            return Math.max(n, 0);
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    @Override
    public int write(byte[] src, int off, int len) {
        if (out == null) throw new LinuxError(Errno.EBADF);
        try {
            out.write(src, off, len);
            out.flush();
            return len;
        } catch (IOException e) {
            throw new LinuxError(Errno.EPIPE, e.getMessage());
        }
    }

    @Override
    public HostStat stat() {
        return terminal ? HostStat.synthetic(ino, Fcntl.S_IFCHR | 0620, HostStat.makedev(136, 0), 0, 0)
                : HostStat.synthetic(ino, Fcntl.S_IFIFO | 0600, 0, 0, 0);
    }

    @Override
    public int poll(int events) {
        int r = 0;
        if (out != null) r |= events & (Fcntl.POLLOUT | Fcntl.POLLWRNORM);
        if (in != null && available() > 0) r |= events & (Fcntl.POLLIN | Fcntl.POLLRDNORM);
        return r;
    }

    /** Whether a wait for input on it could only end by reading (poll cannot see EOF of a Java stream). */
    public boolean isInput() {
        return in != null;
    }

    @Override
    public int available() {
        if (in == null) return 0;
        try {
            return in.available();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public boolean isTerminal() {
        return terminal;
    }
}
