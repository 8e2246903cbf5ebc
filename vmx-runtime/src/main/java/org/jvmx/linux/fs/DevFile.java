package org.jvmx.linux.fs;

import java.security.SecureRandom;

/**
 * /dev/null, /dev/zero and /dev/urandom synthesized by the monitor when the guest's root does
 * not contain them (drivers/char/mem.c, random.c): null reads EOF, zero reads zeros, urandom
 * reads random bytes; all accept and discard writes, and lseek returns 0.
 */
public final class DevFile extends OpenFile {
    public enum Kind { NULL(3), ZERO(5), URANDOM(9);
        final int minor;

        Kind(int minor) {
            this.minor = minor;
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Kind kind;

    public DevFile(Kind kind, int flags, String guestPath) {
        super(flags, guestPath);
        this.kind = kind;
    }

    /** The kind a guest path names, or null. */
    public static Kind kindOf(String guestPath) {
        return switch (guestPath) {
            case "/dev/null" -> Kind.NULL;
            case "/dev/zero" -> Kind.ZERO;
            case "/dev/urandom", "/dev/random" -> Kind.URANDOM;
            default -> null;
        };
    }

    @Override
    public int read(byte[] dst, int off, int len) {
        if (!readable()) throw new org.jvmx.linux.LinuxError(org.jvmx.linux.Errno.EBADF);
        switch (kind) {
            case NULL -> {
                return 0;
            }
            case ZERO -> java.util.Arrays.fill(dst, off, off + len, (byte) 0);
            case URANDOM -> {
                byte[] r = new byte[len];
                RANDOM.nextBytes(r);
                System.arraycopy(r, 0, dst, off, len);
            }
        }
        return len;
    }

    @Override
    public int write(byte[] src, int off, int len) {
        if (!writable()) throw new org.jvmx.linux.LinuxError(org.jvmx.linux.Errno.EBADF);
        return len;
    }

    @Override
    public int pread(long pos, byte[] dst, int off, int len) {
        return read(dst, off, len);
    }

    @Override
    public int pwrite(long pos, byte[] src, int off, int len) {
        return write(src, off, len);
    }

    @Override
    public long seek(long offset, int whence) {
        return 0;
    }

    @Override
    public HostStat stat() {
        return HostStat.synthetic(0x100 + kind.minor, Fcntl.S_IFCHR | 0666, HostStat.makedev(1, kind.minor), 0, 0);
    }
}
