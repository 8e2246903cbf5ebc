package org.jvmx.linux;

/**
 * A system call's failure: it returns {@code -errno} to the guest. Thrown by the handlers of
 * {@link SyscallTable} (and by {@link UserMemory} as {@link Errno#EFAULT} for a bad pointer).
 */
public final class LinuxError extends RuntimeException {
    public final int errno;

    public LinuxError(int errno) {
        super(null, null, false, false);
        this.errno = errno;
    }

    public LinuxError(int errno, String why) {
        super(why, null, false, false);
        this.errno = errno;
    }

    @Override
    public String getMessage() {
        String m = super.getMessage();
        return Errno.name(errno) + (m == null ? "" : ": " + m);
    }
}
