package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A LinuxFiles over a temporary root directory, fake memory and captured stdio; calls by number. */
abstract class LinuxFilesFixture {
    static final int AT_FDCWD = -100;
    // x86-64 numbers used by the tests
    static final int READ = 0, WRITE = 1, OPEN = 2, CLOSE = 3, STAT = 4, FSTAT = 5, LSTAT = 6, POLL = 7,
            LSEEK = 8, IOCTL = 16, PREAD = 17, PWRITE = 18, READV = 19, WRITEV = 20, ACCESS = 21, PIPE = 22,
            SELECT = 23, DUP = 32, DUP2 = 33, SENDFILE = 40, FCNTL = 72, FTRUNCATE = 77, GETDENTS = 78,
            GETCWD = 79, CHDIR = 80, FCHDIR = 81, RENAME = 82, MKDIR = 83, RMDIR = 84, CREAT = 85, LINK = 86,
            UNLINK = 87, SYMLINK = 88, READLINK = 89, CHMOD = 90, UMASK = 95, STATFS = 137, GETXATTR = 191,
            GETDENTS64 = 217, OPENAT = 257, MKDIRAT = 258, NEWFSTATAT = 262, UNLINKAT = 263, RENAMEAT2 = 316,
            LINKAT = 265, SYMLINKAT = 266, READLINKAT = 267, FACCESSAT = 269, PSELECT6 = 270, PPOLL = 271,
            UTIMENSAT = 280, DUP3 = 292, PIPE2 = 293, COPY_FILE_RANGE = 326, STATX = 332, TRUNCATE = 76,
            FCHOWN = 93, FSYNC = 74;
    static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200, O_TRUNC = 01000,
            O_APPEND = 02000, O_NONBLOCK = 04000, O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000,
            O_CLOEXEC = 02000000, O_PATH = 010000000;

    @TempDir
    Path root;
    FakeUserMemory mem;
    LinuxFiles files;
    SyscallTable table;
    ByteArrayOutputStream out, err;

    @BeforeEach
    void setUp() throws Exception {
        mem = new FakeUserMemory(1 << 20);
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        files = new LinuxFiles(root, "/", mem, new ByteArrayInputStream("hello stdin".getBytes()), out, err);
        table = new SyscallTable();
        files.install(table);
    }

    long sys(int nr, long... a) {
        long[] v = java.util.Arrays.copyOf(a, 6);
        return table.call(nr, v[0], v[1], v[2], v[3], v[4], v[5]);
    }

    long s(String str) {
        return mem.cstr(str);
    }

    void assertErr(int errno, long result) {
        assertEquals(-errno, result, () -> "expected -" + Errno.name(errno) + " got " + (result < 0 ? Errno.name((int) -result) : result));
    }

    int open(String path, int flags, int mode) {
        long fd = sys(OPEN, s(path), flags, mode);
        if (fd < 0) throw new AssertionError("open " + path + ": " + Errno.name((int) -fd));
        return (int) fd;
    }

    long write(int fd, String text) {
        byte[] b = text.getBytes();
        long p = mem.alloc(b.length);
        mem.write(p, b);
        return sys(WRITE, fd, p, b.length);
    }

    String read(int fd, int max) {
        long p = mem.alloc(max);
        long n = sys(READ, fd, p, max);
        if (n < 0) throw new AssertionError("read: " + Errno.name((int) -n));
        return mem.string(p, (int) n);
    }
}
