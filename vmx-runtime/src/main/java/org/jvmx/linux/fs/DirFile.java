package org.jvmx.linux.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jvmx.linux.Errno;
import org.jvmx.linux.LinuxError;

/**
 * An open directory. getdents64 lists a snapshot taken at the first read (and again after a
 * rewind to 0): "." and "..", then the host entries by name. The d_off of an entry is its index
 * + 1 in that snapshot, so offsets stay stable for lseek/telldir while the snapshot lives.
 */
public final class DirFile extends OpenFile {
    private final Path host;
    private final long parentIno;
    private List<Entry> entries;
    private int pos;

    /** A listed name with its inode and d_type. */
    public record Entry(String name, long ino, int type) { }

    /** @param parentIno the inode ".." reports (the directory itself at the guest's root). */
    public DirFile(Path host, int flags, String guestPath, long parentIno) {
        super(flags, guestPath);
        this.host = host;
        this.parentIno = parentIno;
    }

    @Override
    public Path hostPath() {
        return host;
    }

    @Override
    public int read(byte[] dst, int off, int len) {
        throw new LinuxError(isPath() ? Errno.EBADF : Errno.EISDIR);
    }

    @Override
    public int pread(long p, byte[] dst, int off, int len) {
        throw new LinuxError(isPath() ? Errno.EBADF : Errno.EISDIR);
    }

    @Override
    public int write(byte[] src, int off, int len) {
        throw new LinuxError(Errno.EBADF);
    }

    @Override
    public int pwrite(long p, byte[] src, int off, int len) {
        throw new LinuxError(Errno.EBADF);
    }

    @Override
    public HostStat stat() {
        return HostStat.of(host, true);
    }

    @Override
    public synchronized long seek(long offset, int whence) {
        if (isPath()) throw new LinuxError(Errno.EBADF);
        long target = switch (whence) {
            case Fcntl.SEEK_SET -> offset;
            case Fcntl.SEEK_CUR -> pos + offset;
            default -> throw new LinuxError(Errno.EINVAL);
        };
        if (target < 0 || target > Integer.MAX_VALUE) throw new LinuxError(Errno.EINVAL);
        pos = (int) target;
        if (pos == 0) entries = null;
        return target;
    }

    /**
     * Fills at most {@code max} bytes with directory records from the position on; 0 at the end;
     * EINVAL if the buffer cannot hold the next record. {@code is64}: struct linux_dirent64
     * (u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, name, NUL, padded to 8); otherwise the old
     * struct linux_dirent (u64 d_ino, u64 d_off, u16 d_reclen, name, NUL, padding, d_type in the
     * record's last byte).
     */
    public synchronized byte[] getdents(int max, boolean is64) {
        if (isPath()) throw new LinuxError(Errno.EBADF);
        if (entries == null) entries = list();
        ByteBuffer out = ByteBuffer.allocate(Math.max(0, max)).order(ByteOrder.LITTLE_ENDIAN);
        while (pos < entries.size()) {
            Entry e = entries.get(pos);
            byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
            int reclen = is64 ? (19 + name.length + 1 + 7) & ~7 : (18 + name.length + 2 + 7) & ~7;
            if (reclen > out.remaining()) {
                if (out.position() == 0) throw new LinuxError(Errno.EINVAL);
                break;
            }
            int start = out.position();
            out.putLong(e.ino).putLong(pos + 1).putShort((short) reclen);
            if (is64) out.put((byte) e.type);
            out.put(name);
            if (!is64) out.put(start + reclen - 1, (byte) e.type);
            out.position(start + reclen);
            pos++;
        }
        byte[] r = new byte[out.position()];
        out.get(0, r);
        return r;
    }

    private List<Entry> list() {
        List<Entry> l = new ArrayList<>();
        HostStat self = HostStat.of(host, true);
        l.add(new Entry(".", self.ino(), Fcntl.dtype(Fcntl.S_IFDIR)));
        l.add(new Entry("..", parentIno, Fcntl.dtype(Fcntl.S_IFDIR)));
        List<Path> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(host)) {
            for (Path p : ds) names.add(p);
        } catch (IOException e) {
            throw HostErrors.of(e);
        }
        // The host's readdir order, as the guest's getdents64 on Linux would see it (tar, du and
        // find print in this order).
        for (Path p : names) {
            try {
                HostStat s = HostStat.of(p, false);
                l.add(new Entry(p.getFileName().toString(), s.ino(), Fcntl.dtype(s.mode())));
            } catch (LinuxError gone) {
                // removed since the listing: Linux would not have listed it either
            }
        }
        return l;
    }
}
