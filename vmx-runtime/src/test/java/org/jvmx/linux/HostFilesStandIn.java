package org.jvmx.linux;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * Test-only stand-in for the files group: enough of openat/read/pread64/close/fstat/newfstatat/
 * access/lseek on host files (read-only) for the dynamic loader, and {@link FileMapper} for
 * file-backed mmap; read/write/writev/ioctl on fds 0-2 go to the {@link ConsoleStandIn} it wraps.
 */
final class HostFilesStandIn implements SyscallTable.Group, FileMapper {
    private final UserMemory mem;
    private final Map<Integer, RandomAccessFile> open = new HashMap<>();
    private final Map<Integer, Long> position = new HashMap<>();
    private final Map<Integer, Path> paths = new HashMap<>();
    private int next = 3;
    private final SyscallTable console = new SyscallTable();

    HostFilesStandIn(UserMemory mem, java.io.OutputStream out, java.io.OutputStream err) {
        this.mem = mem;
        new ConsoleStandIn(mem, java.io.InputStream.nullInputStream(), out, err).install(console);
    }

    private long viaConsole(int nr, long a0, long a1, long a2) {
        long r = console.call(nr, a0, a1, a2, 0, 0, 0);
        if (r < 0) throw new LinuxError((int) -r);
        return r;
    }

    @Override
    public void install(SyscallTable t) {
        t.put(0, "read", "fbu", (fd, buf, n, x3, x4, x5) -> fd <= 2 ? viaConsole(0, fd, buf, n) : read((int) fd, buf, n));
        t.put(1, "write", "fbu", (fd, buf, n, x3, x4, x5) -> viaConsole(1, fd, buf, n));
        t.put(20, "writev", "fpd", (fd, iov, n, x3, x4, x5) -> viaConsole(20, fd, iov, n));
        t.put(16, "ioctl", "fxp", (fd, req, arg, x3, x4, x5) -> viaConsole(16, fd, req, arg));
        t.put(257, "openat", "fsx", (dir, path, flags, x3, x4, x5) -> openat(mem.readCString(path, 4096), (int) flags));
        t.put(3, "close", "f", (fd, x1, x2, x3, x4, x5) -> {
            RandomAccessFile f = open.remove((int) fd);
            if (f == null) throw new LinuxError(Errno.EBADF);
            try {
                f.close();
            } catch (IOException ignored) {
                // read-only: nothing lost
            }
            return 0;
        });
        t.put(17, "pread64", "fpud", (fd, buf, n, pos, x4, x5) -> pread((int) fd, buf, n, pos));
        t.put(5, "fstat", "fp", (fd, st, x2, x3, x4, x5) -> stat(path((int) fd), st));
        t.put(262, "newfstatat", "fspx", (dir, path, st, flags, x4, x5) -> {
            String p = mem.readCString(path, 4096);
            return stat(p.isEmpty() ? path((int) dir) : Path.of(p), st);
        });
        t.put(21, "access", "so", (path, mode, x2, x3, x4, x5) -> {
            if (!Files.exists(Path.of(mem.readCString(path, 4096)))) throw new LinuxError(Errno.ENOENT);
            return 0;
        });
    }

    long read(int fd, long buf, long n) {
        long pos = position.getOrDefault(fd, 0L);
        long got = pread(fd, buf, n, pos);
        position.put(fd, pos + got);
        return got;
    }

    private Path path(int fd) {
        Path p = paths.get(fd);
        if (p == null || !open.containsKey(fd)) throw new LinuxError(Errno.EBADF);
        return p;
    }

    private long openat(String path, int flags) {
        if ((flags & 3) != 0) throw new LinuxError(Errno.EROFS);
        Path p = Path.of(path);
        if (!Files.exists(p)) throw new LinuxError(Errno.ENOENT);
        try {
            int fd = next++;
            open.put(fd, new RandomAccessFile(p.toFile(), "r"));
            paths.put(fd, p);
            return fd;
        } catch (IOException e) {
            throw new LinuxError(Errno.EACCES);
        }
    }

    private long pread(int fd, long buf, long n, long pos) {
        RandomAccessFile f = open.get(fd);
        if (f == null) throw new LinuxError(Errno.EBADF);
        try {
            byte[] b = new byte[(int) Math.min(n, 1 << 20)];
            f.seek(pos);
            int got = Math.max(0, f.read(b));
            mem.write(buf, b, 0, got);
            return got;
        } catch (IOException e) {
            throw new LinuxError(Errno.EIO);
        }
    }

    private long stat(Path p, long st) {
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
            ByteBuffer b = ByteBuffer.allocate(144).order(ByteOrder.LITTLE_ENDIAN);
            Object ino = Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            b.putLong(0, 1).putLong(8, ((Number) ino).longValue()).putLong(16, 1);
            b.putInt(24, (int) ((Number) Files.getAttribute(p, "unix:mode")).intValue());
            b.putLong(48, a.size()).putLong(56, 4096).putLong(64, (a.size() + 511) / 512);
            mem.write(st, b.array());
            return 0;
        } catch (IOException e) {
            throw new LinuxError(Errno.ENOENT);
        }
    }

    @Override
    public MappableFile mappable(int fd) {
        if (!open.containsKey(fd)) throw new LinuxError(Errno.EBADF);
        RandomAccessFile f;
        try {
            f = new RandomAccessFile(paths.get(fd).toFile(), "r"); // a mapping outlives close(fd)
        } catch (IOException e) {
            throw new LinuxError(Errno.EACCES);
        }
        return new MappableFile() {
            @Override
            public long size() {
                try {
                    return f.length();
                } catch (IOException e) {
                    return 0;
                }
            }

            @Override
            public int read(long position, byte[] dst, int off, int len) {
                try {
                    f.seek(position);
                    return Math.max(0, f.read(dst, off, len));
                } catch (IOException e) {
                    throw new LinuxError(Errno.EIO);
                }
            }

            @Override
            public boolean writable() {
                return false;
            }

            @Override
            public void write(long position, byte[] src, int off, int len) {
                throw new LinuxError(Errno.EACCES);
            }
        };
    }
}
