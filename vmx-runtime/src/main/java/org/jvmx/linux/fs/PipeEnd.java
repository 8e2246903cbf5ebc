package org.jvmx.linux.fs;

import org.jvmx.linux.Errno;
import org.jvmx.linux.LinuxError;

/** One end of a {@link Pipe}; it is a FIFO for fstat and not seekable (ESPIPE). */
public final class PipeEnd extends OpenFile {
    private final Pipe pipe;
    private final boolean writeEnd;

    PipeEnd(Pipe pipe, int flags, boolean writeEnd) {
        super(flags, "pipe:[" + pipe.ino + "]");
        this.pipe = pipe;
        this.writeEnd = writeEnd;
    }

    @Override
    public int read(byte[] dst, int off, int len) {
        if (writeEnd) throw new LinuxError(Errno.EBADF);
        return pipe.read(dst, off, len, nonBlocking());
    }

    @Override
    public int write(byte[] src, int off, int len) {
        if (!writeEnd) throw new LinuxError(Errno.EBADF);
        return pipe.write(src, off, len, nonBlocking());
    }

    @Override
    public HostStat stat() {
        return HostStat.synthetic(pipe.ino, Fcntl.S_IFIFO | 0600, 0, 0, 0);
    }

    @Override
    public int poll(int events) {
        return pipe.poll(writeEnd, events);
    }

    @Override
    public int available() {
        return pipe.available();
    }

    @Override
    protected void close() {
        pipe.closeEnd(writeEnd);
    }
}
