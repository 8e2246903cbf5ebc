package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Descriptor calls: stdio, read/write forms, lseek, O_APPEND, pipes, dup/fcntl/cloexec, EMFILE, poll/select, ioctl, copies. */
class LinuxFilesIoTest extends LinuxFilesFixture {
    static final int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6,
            F_DUPFD_CLOEXEC = 1030;

    @Test
    void stdio() {
        assertEquals(6, write(1, "hello\n"));
        assertEquals(3, write(2, "err"));
        assertEquals("hello\n", out.toString());
        assertEquals("err", err.toString());
        assertEquals("hello", read(0, 5));
        assertEquals(" stdin", read(0, 100));
        assertEquals("", read(0, 100));
        assertErr(Errno.ESPIPE, sys(LSEEK, 1, 0, 0));
        assertErr(Errno.EBADF, sys(READ, 1, mem.alloc(4), 4));
        assertErr(Errno.EBADF, sys(WRITE, 0, mem.alloc(4), 4));
        assertErr(Errno.EBADF, sys(WRITE, 7, mem.alloc(4), 4));
        assertErr(Errno.ENOTTY, sys(IOCTL, 1, 0x5401, mem.alloc(64)));
        assertErr(Errno.EFAULT, sys(WRITE, 1, 0x1000, 4));
        long st = mem.alloc(144);
        assertEquals(0, sys(FSTAT, 1, st));
        assertEquals(0010000, mem.readInt(st + 24) & 0170000); // a FIFO when not a terminal
    }

    @Test
    void terminalIoctls() {
        LinuxFiles tty = new LinuxFiles(root, "/", mem, new java.io.ByteArrayInputStream(new byte[0]), out, err,
                true, true, false);
        SyscallTable t = new SyscallTable();
        tty.install(t);
        tty.setPid(42);
        long p = mem.alloc(64);
        assertEquals(0, t.call(IOCTL, 1, 0x5401, p, 0, 0, 0)); // TCGETS
        assertEquals(0x8a3b, mem.readInt(p + 12)); // c_lflag of a fresh pty
        assertEquals(3, mem.bytes[(int) (p + 17 - FakeUserMemory.BASE)]); // c_cc[VINTR] = ^C
        mem.writeInt(p + 12, 0);
        assertEquals(0, t.call(IOCTL, 0, 0x5402, p, 0, 0, 0)); // TCSETS
        assertEquals(0, t.call(IOCTL, 1, 0x5401, p + 36, 0, 0, 0));
        assertEquals(0, mem.readInt(p + 36 + 12));
        assertEquals(0, t.call(IOCTL, 1, 0x5413, p, 0, 0, 0)); // TIOCGWINSZ
        assertTrue((mem.readInt(p) & 0xffff) > 0);
        assertEquals(0, t.call(IOCTL, 1, 0x540F, p, 0, 0, 0)); // TIOCGPGRP
        assertEquals(42, mem.readInt(p));
        assertEquals(-Errno.ENOTTY, t.call(IOCTL, 2, 0x5401, p, 0, 0, 0));
        assertEquals(-Errno.ENOTTY, t.call(IOCTL, 1, 0x1234, p, 0, 0, 0));
        long st = mem.alloc(144);
        assertEquals(0, t.call(FSTAT, 1, st, 0, 0, 0, 0));
        assertEquals(0020000, mem.readInt(st + 24) & 0170000);
        assertEquals(-Errno.ESPIPE, t.call(LSEEK, 1, 0, 0, 0, 0, 0));
    }

    @Test
    void readWriteSeekAndAppend() throws Exception {
        int fd = open("/f", O_RDWR | O_CREAT, 0644);
        assertEquals(10, write(fd, "0123456789"));
        assertEquals(10, sys(LSEEK, fd, 0, 1));
        assertEquals(0, sys(LSEEK, fd, 0, 0));
        assertEquals("0123", read(fd, 4));
        assertEquals(6, sys(LSEEK, fd, 2, 1));
        assertEquals("6789", read(fd, 10));
        assertEquals("", read(fd, 10));
        assertEquals(8, sys(LSEEK, fd, -2, 2));
        assertEquals(20, sys(LSEEK, fd, 10, 2));
        assertErr(Errno.EINVAL, sys(LSEEK, fd, -11, 2));
        assertErr(Errno.EINVAL, sys(LSEEK, fd, 0, 7));
        assertEquals(1, write(fd, "!"));
        assertEquals(21, Files.size(root.resolve("f")));
        assertEquals(0, Files.readAllBytes(root.resolve("f"))[15]); // the hole reads as zeros
        // pread/pwrite leave the position alone
        long b = mem.alloc(16);
        assertEquals(3, sys(PREAD, fd, b, 3, 4));
        assertEquals("456", mem.string(b, 3));
        assertEquals(21, sys(LSEEK, fd, 0, 1));
        mem.write(b, "AB".getBytes());
        assertEquals(2, sys(PWRITE, fd, b, 2, 0));
        assertEquals("AB234", Files.readString(root.resolve("f")).substring(0, 5));
        assertErr(Errno.EINVAL, sys(PREAD, fd, b, 3, -1));
        // O_APPEND writes go to the end whatever the position (also pwrite, as on Linux)
        int ap = open("/f", O_WRONLY | O_APPEND, 0);
        assertEquals(0, sys(LSEEK, ap, 0, 0));
        assertEquals(3, write(ap, "end"));
        assertTrue(Files.readString(root.resolve("f")).endsWith("!end"));
        assertEquals(3, sys(PWRITE, ap, b, 3, 0));
        assertEquals(27, Files.size(root.resolve("f")));
        // F_SETFL can drop O_APPEND
        assertEquals(0, sys(FCNTL, ap, F_SETFL, 0));
        assertEquals(0, sys(LSEEK, ap, 0, 0));
        assertEquals(1, write(ap, "Z"));
        assertEquals('Z', Files.readString(root.resolve("f")).charAt(0));
        // access mode checks
        int ro = open("/f", O_RDONLY, 0);
        assertErr(Errno.EBADF, sys(WRITE, ro, b, 1));
        assertErr(Errno.EBADF, sys(READ, ap, b, 1));
        assertErr(Errno.EINVAL, sys(FTRUNCATE, ro, 0));
        assertEquals(0, sys(FTRUNCATE, fd, 5));
        assertEquals(5, Files.size(root.resolve("f")));
        assertEquals(0, sys(FTRUNCATE, fd, 100));
        assertEquals(100, Files.size(root.resolve("f")));
        assertEquals(0, sys(FSYNC, fd));
        assertErr(Errno.EISDIR, sys(READ, open("/", O_RDONLY, 0), b, 4));
    }

    @Test
    void largeReads() throws Exception {
        byte[] data = new byte[300_000];
        new java.util.Random(1).nextBytes(data);
        Files.write(root.resolve("big"), data);
        int fd = open("/big", O_RDONLY, 0);
        long buf = mem.alloc(400_000);
        assertEquals(300_000, sys(READ, fd, buf, 400_000));
        assertEquals(java.util.Arrays.hashCode(data), java.util.Arrays.hashCode(mem.read(buf, 300_000)));
        assertEquals(0, sys(READ, fd, buf, 400_000));
        assertEquals(100, sys(PREAD, fd, buf, 100, 299_900));
        // a pipe read returns what is there
        long p = mem.alloc(8);
        sys(PIPE, p);
        assertEquals(3, write(mem.readInt(p + 4), "abc"));
        assertEquals(3, sys(READ, mem.readInt(p), buf, 400_000));
    }

    @Test
    void vectoredIo() throws Exception {
        int fd = open("/v", O_RDWR | O_CREAT, 0644);
        long iov = mem.alloc(48);
        long a = mem.cstr("abc"), c = mem.cstr("defgh");
        mem.writeLong(iov, a);
        mem.writeLong(iov + 8, 3);
        mem.writeLong(iov + 16, 0);
        mem.writeLong(iov + 24, 0);
        mem.writeLong(iov + 32, c);
        mem.writeLong(iov + 40, 5);
        assertEquals(8, sys(WRITEV, fd, iov, 3));
        assertEquals("abcdefgh", Files.readString(root.resolve("v")));
        sys(LSEEK, fd, 0, 0);
        long x = mem.alloc(2), y = mem.alloc(10);
        mem.writeLong(iov, x);
        mem.writeLong(iov + 8, 2);
        mem.writeLong(iov + 16, y);
        mem.writeLong(iov + 24, 10);
        assertEquals(8, sys(READV, fd, iov, 2));
        assertEquals("ab", mem.string(x, 2));
        assertEquals("cdefgh", mem.string(y, 6));
        assertErr(Errno.EINVAL, sys(READV, fd, iov, -1));
        assertErr(Errno.EINVAL, sys(READV, fd, iov, 1025));
        assertEquals(4, sys(295, fd, iov, 2, 4)); // preadv at 4
        assertEquals("ef", mem.string(x, 2));
    }

    @Test
    void pipes() {
        AtomicInteger sigpipes = new AtomicInteger();
        files.setSigpipeHandler(sigpipes::incrementAndGet);
        long p = mem.alloc(8);
        assertEquals(0, sys(PIPE, p));
        int r = mem.readInt(p), w = mem.readInt(p + 4);
        assertEquals(3, r);
        assertEquals(4, w);
        assertEquals(5, write(w, "hello"));
        long pfd = mem.alloc(16);
        mem.writeInt(pfd, r);
        mem.writeInt(pfd + 4, 1); // POLLIN
        assertEquals(1, sys(POLL, pfd, 1, 0));
        assertEquals(1, mem.readInt(pfd + 4) >>> 16);
        long n = mem.alloc(4);
        assertEquals(0, sys(IOCTL, r, 0x541B, n)); // FIONREAD
        assertEquals(5, mem.readInt(n));
        assertEquals("hel", read(r, 3));
        assertEquals("lo", read(r, 100));
        assertErr(Errno.ESPIPE, sys(LSEEK, r, 0, 0));
        assertErr(Errno.EBADF, sys(WRITE, r, p, 1));
        assertErr(Errno.EBADF, sys(READ, w, p, 1));
        assertEquals(0, sys(POLL, pfd, 1, 0));
        // O_NONBLOCK read of an empty pipe
        assertEquals(0, sys(FCNTL, r, F_SETFL, O_NONBLOCK));
        assertEquals(O_NONBLOCK, sys(FCNTL, r, F_GETFL));
        assertErr(Errno.EAGAIN, sys(READ, r, p, 1));
        // EOF once the writer is gone; POLLHUP
        assertEquals(0, sys(CLOSE, w));
        assertEquals("", read(r, 10));
        assertEquals(1, sys(POLL, pfd, 1, 0));
        assertEquals(0x10, mem.readInt(pfd + 4) >>> 16);
        // EPIPE (and SIGPIPE noted) once the reader is gone
        assertEquals(0, sys(293, p, O_CLOEXEC | O_NONBLOCK));
        int r2 = mem.readInt(p), w2 = mem.readInt(p + 4);
        assertEquals(1, sys(FCNTL, w2, F_GETFD));
        assertEquals(O_NONBLOCK | O_WRONLY, sys(FCNTL, w2, F_GETFL));
        assertEquals(0, sys(CLOSE, r2));
        assertErr(Errno.EPIPE, write(w2, "x"));
        assertEquals(1, sigpipes.get());
        assertErr(Errno.EINVAL, sys(293, p, 1));
        // a non-blocking writer fills the 64 KiB buffer then gets EAGAIN
        assertEquals(0, sys(293, p, O_NONBLOCK));
        int w3 = mem.readInt(p + 4);
        long big = mem.alloc(70000);
        assertEquals(65536, sys(WRITE, w3, big, 70000));
        assertErr(Errno.EAGAIN, sys(WRITE, w3, big, 1));
        long st = mem.alloc(144);
        assertEquals(0, sys(FSTAT, w3, st));
        assertEquals(0010000, mem.readInt(st + 24) & 0170000);
    }

    @Test
    void blockingPipeReadWaitsForTheWriter() throws Exception {
        long p = mem.alloc(8);
        sys(PIPE, p);
        int r = mem.readInt(p), w = mem.readInt(p + 4);
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException ignored) {
                // test thread
            }
            write(w, "late");
        });
        t.start();
        assertEquals("late", read(r, 10));
        t.join();
    }

    @Test
    void dupAndCloexec() {
        int fd = open("/", O_RDONLY | O_CLOEXEC, 0);
        assertEquals(3, fd);
        assertEquals(1, sys(FCNTL, fd, F_GETFD));
        assertEquals(4, sys(DUP, fd));
        assertEquals(0, sys(FCNTL, 4, F_GETFD)); // dup clears FD_CLOEXEC
        assertEquals(10, sys(FCNTL, fd, F_DUPFD, 10));
        assertEquals(11, sys(FCNTL, fd, F_DUPFD_CLOEXEC, 10));
        assertEquals(1, sys(FCNTL, 11, F_GETFD));
        assertEquals(0, sys(FCNTL, 11, F_SETFD, 0));
        assertEquals(0, sys(FCNTL, 11, F_GETFD));
        assertEquals(20, sys(DUP2, fd, 20));
        assertEquals(20, sys(DUP2, 20, 20));
        assertErr(Errno.EBADF, sys(DUP2, 99, 99));
        assertErr(Errno.EINVAL, sys(DUP3, 20, 20, 0));
        assertEquals(5, sys(DUP3, fd, 5, O_CLOEXEC));
        assertEquals(1, sys(FCNTL, 5, F_GETFD));
        assertErr(Errno.EINVAL, sys(DUP3, fd, 6, 1));
        // dup2 over stdout redirects it
        int f = open("/out", O_WRONLY | O_CREAT, 0644);
        assertEquals(1, sys(DUP2, f, 1));
        assertEquals(2, write(1, "to"));
        assertEquals("", out.toString());
        // shared position between duplicates
        int g = open("/out", O_RDONLY, 0);
        int h = (int) sys(DUP, g);
        assertEquals("t", read(g, 1));
        assertEquals("o", read(h, 1));
        // lowest free fd after a close
        assertEquals(0, sys(CLOSE, 4));
        assertEquals(4, sys(DUP, fd));
        assertErr(Errno.EBADF, sys(CLOSE, 4000));
        assertErr(Errno.EBADF, sys(CLOSE, -1));
        assertErr(Errno.EINVAL, sys(FCNTL, fd, 9999));
        assertErr(Errno.EINVAL, sys(FCNTL, fd, F_DUPFD, 5000));
        // F_SETFL keeps the access mode and O_LARGEFILE
        assertEquals(0100000 | O_WRONLY, sys(FCNTL, f, F_GETFL));
        long lk = mem.alloc(32);
        mem.writeInt(lk, 1);
        assertEquals(0, sys(FCNTL, f, F_SETLK, lk));
        assertEquals(0, sys(FCNTL, f, F_GETLK, lk));
        assertEquals(2, mem.readInt(lk) & 0xffff); // F_UNLCK
        // exec closes FD_CLOEXEC fds
        files.fds().execCloseOnExec();
        assertErr(Errno.EBADF, sys(FCNTL, 5, F_GETFD));
        assertEquals(0, sys(FCNTL, 20, F_GETFD));
    }

    @Test
    void emfileAtTheLimit() {
        int opened = 0;
        long r;
        while ((r = sys(DUP, 1)) >= 0) opened++;
        assertErr(Errno.EMFILE, r);
        assertEquals(1024 - 3, opened);
        assertErr(Errno.EMFILE, sys(OPEN, s("/"), O_RDONLY));
        assertErr(Errno.EMFILE, sys(PIPE, mem.alloc(8)));
        assertEquals(0, sys(CLOSE, 500));
        assertEquals(500, sys(OPEN, s("/"), O_RDONLY));
        assertErr(Errno.EBADF, sys(DUP2, 1, 1024));
    }

    @Test
    void pollAndSelect() throws Exception {
        long p = mem.alloc(8);
        sys(PIPE, p);
        int r = mem.readInt(p), w = mem.readInt(p + 4);
        int f = open("/f", O_RDWR | O_CREAT, 0644);
        long pfd = mem.alloc(32);
        mem.writeInt(pfd, r);
        mem.writeInt(pfd + 4, 1);
        mem.writeInt(pfd + 8, f);
        mem.writeInt(pfd + 12, 1 | 4);
        mem.writeInt(pfd + 16, 77);
        mem.writeInt(pfd + 20, 1);
        mem.writeInt(pfd + 24, -1);
        mem.writeInt(pfd + 28, 1);
        long t0 = System.nanoTime();
        assertEquals(2, sys(POLL, pfd, 4, 30));
        assertEquals(0, mem.readInt(pfd + 4) >>> 16);
        assertEquals(5, mem.readInt(pfd + 12) >>> 16);
        assertEquals(0x20, mem.readInt(pfd + 20) >>> 16); // POLLNVAL
        assertEquals(0, mem.readInt(pfd + 28) >>> 16);
        // a timeout with nothing ready
        assertEquals(0, sys(POLL, pfd, 1, 30));
        assertTrue(System.nanoTime() - t0 >= 25_000_000L);
        long ts = mem.alloc(16);
        mem.writeLong(ts, 0);
        mem.writeLong(ts + 8, 1_000_000);
        assertEquals(0, sys(PPOLL, pfd, 1, ts, 0, 8));
        mem.writeLong(ts + 8, 2_000_000_000L);
        assertErr(Errno.EINVAL, sys(PPOLL, pfd, 1, ts, 0, 8));
        // select: read set {r, f}, write set {w}
        long rd = mem.alloc(128), wr = mem.alloc(128);
        mem.writeLong(rd, (1L << r) | (1L << f));
        mem.writeLong(wr, 1L << w);
        long tv = mem.alloc(16);
        assertEquals(2, sys(SELECT, 10, rd, wr, 0, tv));
        assertEquals(1L << f, mem.readLong(rd));
        assertEquals(1L << w, mem.readLong(wr));
        write(w, "x");
        mem.writeLong(rd, 1L << r);
        assertEquals(1, sys(PSELECT6, 10, rd, 0, 0, 0, 0));
        assertEquals(1L << r, mem.readLong(rd));
        mem.writeLong(rd, 1L << 9);
        assertErr(Errno.EBADF, sys(SELECT, 10, rd, 0, 0, tv));
        assertErr(Errno.EINVAL, sys(SELECT, -1, rd, 0, 0, tv));
    }

    @Test
    void sendfileAndCopyFileRange() throws Exception {
        Files.writeString(root.resolve("src"), "0123456789");
        int in = open("/src", O_RDONLY, 0);
        int o = open("/dst", O_RDWR | O_CREAT, 0644);
        long off = mem.alloc(8);
        mem.writeLong(off, 2);
        assertEquals(5, sys(SENDFILE, o, in, off, 5));
        assertEquals(7, mem.readLong(off));
        assertEquals("23456", Files.readString(root.resolve("dst")));
        assertEquals(0, sys(LSEEK, in, 0, 1));
        assertEquals(4, sys(SENDFILE, 1, in, 0, 4));
        assertEquals("0123", out.toString());
        assertEquals(4, sys(LSEEK, in, 0, 1));
        mem.writeLong(off, 8);
        assertEquals(2, sys(COPY_FILE_RANGE, in, off, o, 0, 100, 0));
        assertEquals("2345689", Files.readString(root.resolve("dst")));
        assertErr(Errno.EINVAL, sys(COPY_FILE_RANGE, in, 0, o, 0, 1, 1));
        assertErr(Errno.EBADF, sys(COPY_FILE_RANGE, o, 0, in, 0, 1, 0));
        assertErr(Errno.EINVAL, sys(COPY_FILE_RANGE, in, 0, 1, 0, 1, 0));
    }
}
