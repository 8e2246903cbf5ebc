package org.jvmx.linux.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.jvmx.linux.Errno;
import org.jvmx.linux.LinuxError;
import org.jvmx.linux.MappableFile;

/**
 * A host file opened through a {@link FileChannel}: regular files and, under root "/", host
 * devices such as /dev/null or /dev/urandom. The position is the channel's; O_APPEND is applied
 * per write (so F_SETFL can change it), as the kernel does under the inode lock.
 */
public final class HostFile extends OpenFile {
    private final FileChannel ch;
    private final Path host;
    private final boolean regular;
    /** Set once mmap took the file: the channel then outlives the fds (a mapping stays valid after close). */
    private volatile boolean mapped;
    /** A host terminal device (/dev/tty, /dev/pts/N, /dev/ttyN): the tty ioctls answer for it. */
    private final boolean terminal;
    /** Shared file mappings of the process, kept coherent with this file's reads and writes. */
    private final MappedPages mappedPages;
    /** The inode this file is ({@link #identity()}), learnt when first needed. */
    private Object identity;

    public HostFile(FileChannel ch, Path host, int flags, String guestPath, boolean regular) {
        this(ch, host, flags, guestPath, regular, MappedPages.NONE);
    }

    public HostFile(FileChannel ch, Path host, int flags, String guestPath, boolean regular, MappedPages mappedPages) {
        super(flags, guestPath);
        this.ch = ch;
        this.host = host;
        this.regular = regular;
        this.terminal = !regular && host != null && isTerminalDevice(host);
        this.mappedPages = mappedPages;
    }

    /** A host inode: what makes two opens of one file the same file. */
    private record Inode(long dev, long ino) {
    }

    /** The file as MAP_SHARED pages name it: its host inode, or this object for an unnamed file. */
    private synchronized Object identity() {
        if (identity == null) {
            HostStat s = null;
            try {
                if (host != null) s = HostStat.of(host, true);
            } catch (LinuxError gone) {
                // renamed or unlinked since it was opened: this open alone is the file
            }
            identity = s == null ? this : new Inode(s.dev(), s.ino());
        }
        return identity;
    }

    /** Whether this file's I/O must be told to the shared mappings (a regular file while any is resident). */
    private boolean coherent() {
        return regular && mappedPages.any();
    }

    /** Character devices of the tty majors (Documentation/admin-guide/devices.txt: 4 tty, 5 /dev/tty, 136-143 pts). */
    private static boolean isTerminalDevice(Path host) {
        try {
            HostStat s = HostStat.of(host, true);
            int major = HostStat.major(s.rdev());
            return (s.mode() & Fcntl.S_IFMT) == Fcntl.S_IFCHR && (major == 4 || major == 5 || (major >= 136 && major <= 143));
        } catch (org.jvmx.linux.LinuxError e) {
            return false;
        }
    }

    @Override
    public boolean isTerminal() {
        return terminal;
    }

    @Override
    public Path hostPath() {
        return host;
    }

    @Override
    public int read(byte[] dst, int off, int len) {
        if (!readable()) throw new LinuxError(Errno.EBADF);
        try {
            if (coherent()) mappedPages.flush(identity(), ch.position(), len);
            int n = ch.read(ByteBuffer.wrap(dst, off, len));
            return Math.max(n, 0);
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    @Override
    public int write(byte[] src, int off, int len) {
        if (!writable()) throw new LinuxError(Errno.EBADF);
        if (len == 0) return 0; // nothing moves, not even an O_APPEND position (generic_write_checks)
        try {
            synchronized (this) {
                if (regular && (flags() & Fcntl.O_APPEND) != 0) ch.position(ch.size());
                long at = regular ? ch.position() : 0;
                ByteBuffer b = ByteBuffer.wrap(src, off, len);
                while (b.hasRemaining()) ch.write(b);
                if (coherent()) mappedPages.written(identity(), at, src, off, len);
            }
            return len;
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    @Override
    public int pread(long pos, byte[] dst, int off, int len) {
        if (!readable()) throw new LinuxError(Errno.EBADF);
        if (pos < 0) throw new LinuxError(Errno.EINVAL);
        if (!regular) return read(dst, off, len);
        try {
            if (coherent()) mappedPages.flush(identity(), pos, len);
            int n = ch.read(ByteBuffer.wrap(dst, off, len), pos);
            return Math.max(n, 0);
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    /** pwrite(2); like Linux, O_APPEND makes it append regardless of {@code pos}. */
    @Override
    public int pwrite(long pos, byte[] src, int off, int len) {
        if (!writable()) throw new LinuxError(Errno.EBADF);
        if (pos < 0) throw new LinuxError(Errno.EINVAL);
        if (!regular) return write(src, off, len);
        try {
            synchronized (this) {
                long p = (flags() & Fcntl.O_APPEND) != 0 ? ch.size() : pos, at = p;
                ByteBuffer b = ByteBuffer.wrap(src, off, len);
                while (b.hasRemaining()) p += ch.write(b, p);
                if (coherent()) mappedPages.written(identity(), at, src, off, len);
            }
            return len;
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    @Override
    public synchronized long seek(long offset, int whence) {
        if (isPath()) throw new LinuxError(Errno.EBADF);
        if (terminal) throw new LinuxError(Errno.ESPIPE);
        if (!regular) return 0; // other character devices: the position is meaningless (drivers/char/mem.c null_lseek)
        try {
            long size = ch.size(), cur = ch.position(), target;
            switch (whence) {
                case Fcntl.SEEK_SET -> target = offset;
                case Fcntl.SEEK_CUR -> target = cur + offset;
                case Fcntl.SEEK_END -> target = size + offset;
                case Fcntl.SEEK_DATA -> {
                    if (offset < 0 || offset >= size) throw new LinuxError(Errno.ENXIO);
                    target = offset;
                }
                case Fcntl.SEEK_HOLE -> {
                    if (offset < 0 || offset >= size) throw new LinuxError(Errno.ENXIO);
                    target = size;
                }
                default -> throw new LinuxError(Errno.EINVAL);
            }
            if (target < 0) throw new LinuxError(Errno.EINVAL);
            ch.position(target);
            return target;
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    /** fstat: the host file's; an unnamed file (O_TMPFILE, {@code host} null) reports its size and a private inode. */
    @Override
    public HostStat stat() {
        if (host != null) return HostStat.of(host, true);
        try {
            HostStat s = HostStat.synthetic(0x400000L + System.identityHashCode(this), Fcntl.S_IFREG | 0600, 0, 0, 0);
            long size = ch.size();
            return new HostStat(s.dev(), s.ino(), s.mode(), 0, s.uid(), s.gid(), 0, size, 4096, (size + 4095) / 4096 * 8,
                    s.atimeSec(), s.atimeNsec(), s.mtimeSec(), s.mtimeNsec(), s.ctimeSec(), s.ctimeNsec(),
                    s.btimeSec(), s.btimeNsec());
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    @Override
    public int available() {
        if (!regular) return 0;
        try {
            return (int) Math.max(0, Math.min(Integer.MAX_VALUE, ch.size() - ch.position()));
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    @Override
    public void truncate(long length) {
        if (!writable() || !regular) throw new LinuxError(Errno.EINVAL);
        try {
            truncate(ch, length);
            if (coherent()) mappedPages.truncated(identity(), length);
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    /**
     * ftruncate on a channel: FileChannel only shrinks, so growing writes a zero byte at the new
     * end; and FileChannel.truncate pulls the position back to the new size, which ftruncate(2)
     * does not, so the position is restored.
     */
    static void truncate(FileChannel ch, long length) throws IOException {
        synchronized (ch) {
            long size = ch.size(), pos = ch.position();
            if (length < size) ch.truncate(length);
            else if (length > size) ch.write(ByteBuffer.allocate(1), length - 1);
            ch.position(pos);
        }
    }

    @Override
    public void sync() {
        try {
            if (regular) ch.force(true);
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
    }

    @Override
    public MappableFile mappable() {
        if (!regular) throw new LinuxError(Errno.ENODEV);
        if (!readable()) throw new LinuxError(Errno.EACCES);
        boolean w = writable();
        mapped = true;
        Object id = identity();
        return new MappableFile() {
            @Override
            public Object identity() {
                return id;
            }

            @Override
            public long size() {
                try {
                    return ch.size();
                } catch (IOException e) {
                    throw HostErrors.of(e);
                }
            }

            @Override
            public int read(long position, byte[] dst, int off, int len) {
                try {
                    int n = ch.read(ByteBuffer.wrap(dst, off, len), position);
                    return Math.max(n, 0);
                } catch (IOException e) {
                    throw HostErrors.of(e);
                }
            }

            @Override
            public boolean writable() {
                return w;
            }

            @Override
            public void write(long position, byte[] src, int off, int len) {
                try {
                    ByteBuffer b = ByteBuffer.wrap(src, off, len);
                    long p = position;
                    while (b.hasRemaining()) p += ch.write(b, p);
                } catch (IOException e) {
                    throw HostErrors.of(e);
                }
            }
        };
    }

    /**
     * The last fd is gone. A mapped file's channel stays open for its mappings (mmap keeps a
     * reference to the file in Linux too); the JDK's cleaner closes it once nothing refers to it.
     */
    @Override
    protected void close() {
        if (mapped) return;
        try {
            ch.close();
        } catch (IOException ignored) {
            // close(2) of a host file has nothing to report to the guest
        }
    }
}
