package org.jvmx.linux.fs;

/**
 * Linux x86-64 constants of the file system calls (asm-generic/fcntl.h, linux/stat.h,
 * linux/fcntl.h): open flags, file types, *at flags, fcntl commands. Octal as in the headers.
 */
public final class Fcntl {
    private Fcntl() {
    }

    // open(2) flags
    public static final int O_ACCMODE = 03, O_RDONLY = 0, O_WRONLY = 01, O_RDWR = 02, O_CREAT = 0100,
            O_EXCL = 0200, O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000,
            O_DSYNC = 010000, O_ASYNC = 020000, O_DIRECT = 040000, O_LARGEFILE = 0100000,
            O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_NOATIME = 01000000, O_CLOEXEC = 02000000,
            O_SYNC = 04010000, O_PATH = 010000000, O_TMPFILE = 020000000;

    /** The status flags F_SETFL may change (fs/fcntl.c SETFL_MASK, the subset jvmx honours). */
    public static final int SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

    // st_mode file types
    public static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000,
            S_IFBLK = 060000, S_IFDIR = 040000, S_IFCHR = 020000, S_IFIFO = 010000;

    // *at flags
    public static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200,
            AT_EACCESS = 0x200, AT_SYMLINK_FOLLOW = 0x400, AT_NO_AUTOMOUNT = 0x800, AT_EMPTY_PATH = 0x1000,
            AT_STATX_SYNC_TYPE = 0x6000;

    // fcntl(2) commands
    public static final int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5,
            F_SETLK = 6, F_SETLKW = 7, F_SETOWN = 8, F_GETOWN = 9, F_OFD_GETLK = 36, F_OFD_SETLK = 37,
            F_OFD_SETLKW = 38, F_DUPFD_CLOEXEC = 1030, F_GETPIPE_SZ = 1032, F_SETPIPE_SZ = 1031,
            FD_CLOEXEC = 1, F_UNLCK = 2;

    // lseek whence
    public static final int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;

    // poll events (asm-generic/poll.h)
    public static final int POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10,
            POLLNVAL = 0x20, POLLRDNORM = 0x40, POLLWRNORM = 0x100;

    // linux_dirent64 d_type (the file type bits shifted down by 12)
    public static int dtype(int mode) {
        return (mode & S_IFMT) >>> 12;
    }

    /** The longest path the kernel accepts (PATH_MAX, including the NUL) and the longest component (NAME_MAX). */
    public static final int PATH_MAX = 4096, NAME_MAX = 255;
}
