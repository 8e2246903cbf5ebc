package org.jvmx.linux.fs;

import java.nio.file.Path;
import org.jvmx.linux.Errno;
import org.jvmx.linux.LinuxError;
import org.jvmx.linux.MappableFile;

/**
 * An open file description (the kernel's {@code struct file}): shared by every fd that dup
 * refers to it, it holds the file position and the status flags (access mode, O_APPEND,
 * O_NONBLOCK). Subclasses are the kinds of file the guest can open; an operation a kind does
 * not support fails as Linux does for it (the defaults below).
 */
public abstract class OpenFile {
    private int flags;
    private int refs = 1;
    /** The guest path it was opened by (for /proc/self/fd and fchdir), or a pseudo name like "pipe:[5]". */
    public final String guestPath;

    protected OpenFile(int flags, String guestPath) {
        this.flags = flags;
        this.guestPath = guestPath;
    }

    public final synchronized int flags() {
        return flags;
    }

    /** F_SETFL: only the status flags of {@link Fcntl#SETFL_MASK} change. */
    public final synchronized void setStatusFlags(int f) {
        flags = (flags & ~Fcntl.SETFL_MASK) | (f & Fcntl.SETFL_MASK);
    }

    public final boolean isPath() {
        return (flags() & Fcntl.O_PATH) != 0;
    }

    public final boolean readable() {
        int acc = flags() & Fcntl.O_ACCMODE;
        return !isPath() && (acc == Fcntl.O_RDONLY || acc == Fcntl.O_RDWR);
    }

    public final boolean writable() {
        int acc = flags() & Fcntl.O_ACCMODE;
        return !isPath() && (acc == Fcntl.O_WRONLY || acc == Fcntl.O_RDWR);
    }

    public final boolean nonBlocking() {
        return (flags() & Fcntl.O_NONBLOCK) != 0;
    }

    final synchronized void retain() {
        refs++;
    }

    /** Drops one reference (an fd's, or the opener's if it never got an fd); the last one closes the file. */
    public final void release() {
        boolean last;
        synchronized (this) {
            last = --refs == 0;
        }
        if (last) close();
    }

    // ---- operations (the defaults are what Linux returns for a kind without them) ----

    /** read(2) at the file position: the count, 0 at end of file. */
    public int read(byte[] dst, int off, int len) {
        throw new LinuxError(Errno.EINVAL);
    }

    public int write(byte[] src, int off, int len) {
        throw new LinuxError(Errno.EINVAL);
    }

    public int pread(long pos, byte[] dst, int off, int len) {
        throw new LinuxError(Errno.ESPIPE);
    }

    public int pwrite(long pos, byte[] src, int off, int len) {
        throw new LinuxError(Errno.ESPIPE);
    }

    /** lseek(2): the new position. */
    public long seek(long offset, int whence) {
        throw new LinuxError(Errno.ESPIPE);
    }

    public abstract HostStat stat();

    /** The host file behind it, or null (pipes, streams). */
    public Path hostPath() {
        return null;
    }

    /** Which of {@code events} (POLLIN/POLLOUT) are ready now, plus POLLHUP/POLLERR. */
    public int poll(int events) {
        return events & (Fcntl.POLLIN | Fcntl.POLLOUT | Fcntl.POLLRDNORM | Fcntl.POLLWRNORM);
    }

    /** Bytes readable without blocking (FIONREAD). */
    public int available() {
        throw new LinuxError(Errno.ENOTTY);
    }

    /** Whether it is a terminal (the tty ioctls answer; otherwise ENOTTY). */
    public boolean isTerminal() {
        return false;
    }

    public void truncate(long length) {
        throw new LinuxError(Errno.EINVAL);
    }

    public void sync() {
    }

    /** What mmap needs; ENODEV for kinds that cannot be mapped. */
    public MappableFile mappable() {
        throw new LinuxError(Errno.ENODEV);
    }

    protected void close() {
    }
}
