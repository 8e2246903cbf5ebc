package org.jvmx.linux.fs;

import java.io.IOException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import org.jvmx.linux.LinuxError;

/**
 * What stat(2) reports of a file, in the kernel's units. Host files are read through the JDK's
 * {@code unix:*} attributes (st_dev, st_ino, st_mode, st_nlink, st_uid, st_gid, st_rdev, st_size
 * and the three timestamps with nanoseconds) come from the host's statx ({@link HostStatx}), the
 * only source of st_blksize and st_blocks; when the JVM has no native access the JDK's
 * {@code unix:*} attributes give the rest and those two are derived (4096, and the size rounded up
 * to 4 KiB in 512-byte units).
 */
public record HostStat(long dev, long ino, int mode, long nlink, int uid, int gid, long rdev, long size,
        long blksize, long blocks, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec,
        long ctimeSec, long ctimeNsec, long btimeSec, long btimeNsec) {

    /** The host file at {@code p} (following a final symlink only when {@code follow}). */
    public static HostStat of(Path p, boolean follow) {
        if (HostStatx.available()) return HostStatx.of(p, follow);
        Map<String, Object> a;
        try {
            a = follow ? java.nio.file.Files.readAttributes(p, "unix:*")
                    : java.nio.file.Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw HostErrors.of(e);
        } catch (UnsupportedOperationException e) {
            throw new LinuxError(org.jvmx.linux.Errno.EOPNOTSUPP, "host has no unix attributes");
        }
        long size = (Long) a.get("size");
        Instant at = ((FileTime) a.get("lastAccessTime")).toInstant();
        Instant mt = ((FileTime) a.get("lastModifiedTime")).toInstant();
        Instant ct = ((FileTime) a.get("ctime")).toInstant();
        Instant bt = ((FileTime) a.get("creationTime")).toInstant();
        return new HostStat((Long) a.get("dev"), (Long) a.get("ino"), (Integer) a.get("mode"),
                ((Integer) a.get("nlink")).longValue(), (Integer) a.get("uid"), (Integer) a.get("gid"),
                (Long) a.get("rdev"), size, 4096, (size + 4095) / 4096 * 8,
                at.getEpochSecond(), at.getNano(), mt.getEpochSecond(), mt.getNano(),
                ct.getEpochSecond(), ct.getNano(), bt.getEpochSecond(), bt.getNano());
    }

    /** A file without a host inode (pipe, stream, synthesized device), times at "now". */
    public static HostStat synthetic(long ino, int mode, long rdev, int uid, int gid) {
        Instant now = Instant.now();
        long s = now.getEpochSecond(), n = now.getNano();
        return new HostStat(0x0c, ino, mode, 1, uid, gid, rdev, 0, 4096, 0, s, n, s, n, s, n, s, n);
    }

    public boolean isDirectory() {
        return (mode & Fcntl.S_IFMT) == Fcntl.S_IFDIR;
    }

    public boolean isSymlink() {
        return (mode & Fcntl.S_IFMT) == Fcntl.S_IFLNK;
    }

    public boolean isRegular() {
        return (mode & Fcntl.S_IFMT) == Fcntl.S_IFREG;
    }

    /** glibc's gnu_dev_major/minor of a user-space dev_t. */
    public static int major(long dev) {
        return (int) (((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL));
    }

    public static int minor(long dev) {
        return (int) ((dev & 0xff) | ((dev >>> 12) & ~0xffL));
    }

    public static long makedev(int major, int minor) {
        return ((major & 0xfffL) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xffL) | ((minor & ~0xffL) << 12);
    }
}
