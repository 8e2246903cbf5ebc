package org.jvmx.linux.fs;

import java.nio.file.Path;
import org.jvmx.linux.Errno;
import org.jvmx.linux.LinuxError;

/**
 * An O_PATH descriptor of a non-directory (possibly a symlink itself with O_NOFOLLOW): usable
 * for fstat, *at with AT_EMPTY_PATH, close and dup; I/O fails with EBADF (open(2), O_PATH).
 */
public final class PathOnlyFile extends OpenFile {
    private final Path host;

    public PathOnlyFile(Path host, int flags, String guestPath) {
        super(flags, guestPath);
        this.host = host;
    }

    @Override
    public Path hostPath() {
        return host;
    }

    @Override
    public int read(byte[] dst, int off, int len) {
        throw new LinuxError(Errno.EBADF);
    }

    @Override
    public int write(byte[] src, int off, int len) {
        throw new LinuxError(Errno.EBADF);
    }

    @Override
    public int pread(long p, byte[] dst, int off, int len) {
        throw new LinuxError(Errno.EBADF);
    }

    @Override
    public int pwrite(long p, byte[] src, int off, int len) {
        throw new LinuxError(Errno.EBADF);
    }

    @Override
    public long seek(long offset, int whence) {
        throw new LinuxError(Errno.EBADF);
    }

    @Override
    public HostStat stat() {
        return HostStat.of(host, false);
    }

    @Override
    public org.jvmx.linux.MappableFile mappable() {
        throw new LinuxError(Errno.EBADF);
    }
}
