package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Path metadata calls: stat family, directories, links, rename, permissions, times, truncate, statfs, xattrs. */
class LinuxFilesMetaTest extends LinuxFilesFixture {

    private int mode(String guestPath, boolean follow) {
        long buf = mem.alloc(144);
        long r = sys(follow ? STAT : LSTAT, s(guestPath), buf);
        if (r < 0) return (int) r;
        return mem.readInt(buf + 24);
    }

    @Test
    void statFamily() throws Exception {
        Files.writeString(root.resolve("f"), "12345");
        Files.createSymbolicLink(root.resolve("l"), Path.of("f"));
        assertEquals(0100000, mode("/l", true) & 0170000);
        assertEquals(0120000, mode("/l", false) & 0170000);
        assertEquals(0040000, mode("/", true) & 0170000);
        assertErr(Errno.ENOENT, mode("/missing", true));
        assertErr(Errno.ENOTDIR, mode("/f/x", true));
        long buf = mem.alloc(144);
        assertEquals(0, sys(NEWFSTATAT, AT_FDCWD, s("l"), buf, 0x100));
        assertEquals(0120000, mem.readInt(buf + 24) & 0170000);
        int fd = open("/f", O_RDONLY, 0);
        assertEquals(0, sys(NEWFSTATAT, fd, s(""), buf, 0x1000)); // AT_EMPTY_PATH
        assertEquals(5, mem.readLong(buf + 48));
        assertErr(Errno.ENOENT, sys(NEWFSTATAT, fd, s(""), buf, 0));
        assertErr(Errno.EINVAL, sys(NEWFSTATAT, AT_FDCWD, s("f"), buf, 0x1));
        assertErr(Errno.EFAULT, sys(STAT, s("/f"), 0x10));
        assertEquals(0, sys(FSTAT, fd, buf));
        assertEquals(5, mem.readLong(buf + 48));
        assertErr(Errno.EBADF, sys(FSTAT, 99, buf));
        long sx = mem.alloc(256);
        assertEquals(0, sys(STATX, fd, s(""), 0x1000, 0xfff, sx));
        assertEquals(5, mem.readLong(sx + 40));
        assertEquals(0100000, mem.readInt(sx + 28) & 0170000);
        assertErr(Errno.EINVAL, sys(STATX, AT_FDCWD, s("f"), 0x6000, 0xfff, sx));
        files.setExe("/f");
        assertEquals(0120000, mode("/proc/self/exe", false) & 0170000);
        assertEquals(0100000, mode("/proc/self/exe", true) & 0170000);
    }

    @Test
    void accessChecks() throws Exception {
        Files.writeString(root.resolve("f"), "");
        assertEquals(0, sys(ACCESS, s("/f"), 0));
        assertEquals(0, sys(ACCESS, s("/f"), 6));
        assertErr(Errno.ENOENT, sys(ACCESS, s("/g"), 0));
        assertErr(Errno.EINVAL, sys(ACCESS, s("/f"), 8));
        assertEquals(0, sys(FACCESSAT, AT_FDCWD, s("f"), 4));
        Files.setPosixFilePermissions(root.resolve("f"), PosixFilePermissions.fromString("rw-r--r--"));
        assertErr(Errno.EACCES, sys(ACCESS, s("/f"), 1)); // no x bit for anyone, even root
    }

    private List<String> listDir(int fd, int bufSize) {
        List<String> names = new ArrayList<>();
        long buf = mem.alloc(bufSize);
        long n;
        while ((n = sys(GETDENTS64, fd, buf, bufSize)) > 0) {
            ByteBuffer b = ByteBuffer.wrap(mem.read(buf, (int) n)).order(ByteOrder.LITTLE_ENDIAN);
            for (int off = 0; off < n; off += b.getShort(off + 16)) {
                int end = off + 19;
                while (b.get(end) != 0) end++;
                names.add(new String(mem.read(buf + off + 19, end - off - 19)) + ":" + b.get(off + 18) + "@" + b.getLong(off + 8));
            }
        }
        if (n < 0) throw new AssertionError(Errno.name((int) -n));
        return names;
    }

    @Test
    void getdents64OffsetsAndTypes() throws Exception {
        Files.createDirectories(root.resolve("d/sub"));
        Files.writeString(root.resolve("d/b"), "");
        Files.createSymbolicLink(root.resolve("d/c"), Path.of("b"));
        int fd = open("/d", O_RDONLY | O_DIRECTORY, 0);
        assertEquals(List.of(".:4@1", "..:4@2", "b:8@3", "c:10@4", "sub:4@5"), listDir(fd, 4096));
        assertEquals(List.of(), listDir(fd, 4096));
        // lseek to a d_off resumes after that entry; a record that does not fit is EINVAL
        assertEquals(3, sys(LSEEK, fd, 3, 0));
        assertEquals(List.of("c:10@4", "sub:4@5"), listDir(fd, 24));
        sys(LSEEK, fd, 0, 0);
        assertErr(Errno.EINVAL, sys(GETDENTS64, fd, mem.alloc(16), 16));
        assertEquals(5, listDir(fd, 32).size());
        // ".." of the root is the root itself
        int r = open("/", O_RDONLY | O_DIRECTORY, 0);
        long st = mem.alloc(144);
        sys(FSTAT, r, st);
        long rootIno = mem.readLong(st + 8);
        long buf = mem.alloc(4096);
        long n = sys(GETDENTS64, r, buf, 4096);
        assertTrue(n > 0);
        int second = mem.readU16(buf + 16);
        assertEquals(rootIno, mem.readLong(buf + second));
        assertErr(Errno.ENOTDIR, sys(GETDENTS64, open("/d/b", O_RDONLY, 0), buf, 4096));
        // the old getdents: d_type in the last byte of the record
        int fd2 = open("/d", O_RDONLY | O_DIRECTORY, 0);
        long m = sys(GETDENTS, fd2, buf, 4096);
        assertTrue(m > 0);
        int reclen = mem.readU16(buf + 16);
        assertEquals('.', mem.bytes[(int) (buf + 18 - FakeUserMemory.BASE)]);
        assertEquals(4, mem.bytes[(int) (buf + reclen - 1 - FakeUserMemory.BASE)]);
    }

    @Test
    void directories() throws Exception {
        assertEquals(0, sys(MKDIR, s("/d"), 0777));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("d"))));
        assertErr(Errno.EEXIST, sys(MKDIR, s("/d"), 0777));
        assertErr(Errno.ENOENT, sys(MKDIR, s("/x/y"), 0777));
        int d = open("/d", O_RDONLY, 0);
        assertEquals(0, sys(MKDIRAT, d, s("e"), 0700));
        assertTrue(Files.isDirectory(root.resolve("d/e")));
        assertErr(Errno.ENOTEMPTY, sys(RMDIR, s("/d")));
        assertErr(Errno.EINVAL, sys(RMDIR, s("/d/e/.")));
        assertErr(Errno.ENOTEMPTY, sys(RMDIR, s("/d/e/..")));
        Files.writeString(root.resolve("f"), "");
        assertErr(Errno.ENOTDIR, sys(RMDIR, s("/f")));
        assertErr(Errno.EBUSY, sys(RMDIR, s("/")));
        assertEquals(0, sys(UNLINKAT, d, s("e"), 0x200));
        assertEquals(0, sys(RMDIR, s("/d")));
        assertFalse(Files.exists(root.resolve("d")));
        assertErr(Errno.EISDIR, sys(UNLINK, s("/")));
        assertErr(Errno.EINVAL, sys(UNLINKAT, AT_FDCWD, s("f"), 1));
        assertEquals(0, sys(UNLINK, s("/f")));
        assertErr(Errno.ENOENT, sys(UNLINK, s("/f")));
    }

    @Test
    void linksAndSymlinks() throws Exception {
        Files.writeString(root.resolve("f"), "data");
        assertEquals(0, sys(SYMLINK, s("/f"), s("/abs")));
        assertEquals(0, sys(SYMLINKAT, s("f"), AT_FDCWD, s("rel")));
        assertEquals("/f", Files.readSymbolicLink(root.resolve("abs")).toString());
        assertEquals("data", read(open("/abs", O_RDONLY, 0), 10));
        assertErr(Errno.EEXIST, sys(SYMLINK, s("x"), s("/f")));
        assertErr(Errno.ENOENT, sys(SYMLINK, s(""), s("/y")));
        long buf = mem.alloc(16);
        assertEquals(2, sys(READLINKAT, AT_FDCWD, s("/abs"), buf, 16));
        assertEquals(0, sys(LINK, s("/f"), s("/hard")));
        long st = mem.alloc(144);
        sys(STAT, s("/f"), st);
        assertEquals(2, mem.readLong(st + 16));
        assertErr(Errno.EEXIST, sys(LINK, s("/f"), s("/hard")));
        assertErr(Errno.EPERM, sys(LINK, s("/"), s("/rootlink")));
        // link() does not follow the old symlink; linkat(AT_SYMLINK_FOLLOW) does
        assertEquals(0, sys(LINK, s("/abs"), s("/abs2")));
        assertTrue(Files.isSymbolicLink(root.resolve("abs2")));
        assertEquals(0, sys(LINKAT, AT_FDCWD, s("/abs"), AT_FDCWD, s("/viaf"), 0x400));
        assertFalse(Files.isSymbolicLink(root.resolve("viaf")));
    }

    @Test
    void rename() throws Exception {
        Files.writeString(root.resolve("a"), "A");
        Files.writeString(root.resolve("b"), "B");
        Files.createDirectories(root.resolve("d/e"));
        assertEquals(0, sys(RENAME, s("/a"), s("/c")));
        assertEquals("A", Files.readString(root.resolve("c")));
        assertEquals(0, sys(RENAME, s("/c"), s("/b")));
        assertEquals("A", Files.readString(root.resolve("b")));
        assertErr(Errno.ENOENT, sys(RENAME, s("/c"), s("/x")));
        assertErr(Errno.EISDIR, sys(RENAME, s("/b"), s("/d")));
        assertErr(Errno.ENOTDIR, sys(RENAME, s("/d"), s("/b")));
        assertErr(Errno.EINVAL, sys(RENAME, s("/d"), s("/d/e/f")));
        assertErr(Errno.ENOTEMPTY, sys(RENAME, s("/d/e"), s("/d")));
        Files.writeString(root.resolve("x"), "X");
        assertErr(Errno.EEXIST, sys(RENAMEAT2, AT_FDCWD, s("/x"), AT_FDCWD, s("/b"), 1));
        assertEquals(0, sys(RENAMEAT2, AT_FDCWD, s("/x"), AT_FDCWD, s("/b"), 2)); // RENAME_EXCHANGE
        assertEquals("X", Files.readString(root.resolve("b")));
        assertEquals("A", Files.readString(root.resolve("x")));
        assertErr(Errno.EINVAL, sys(RENAMEAT2, AT_FDCWD, s("/x"), AT_FDCWD, s("/b"), 3));
        // renaming a symlink renames the link, not its target
        Files.createSymbolicLink(root.resolve("l"), Path.of("x"));
        assertEquals(0, sys(RENAME, s("/l"), s("/l2")));
        assertTrue(Files.isSymbolicLink(root.resolve("l2")));
        assertEquals(0, sys(RENAME, s("/d"), s("/d2")));
        assertTrue(Files.isDirectory(root.resolve("d2/e")));
    }

    @Test
    void modesOwnersTimes() throws Exception {
        Files.writeString(root.resolve("f"), "data");
        assertEquals(0, sys(CHMOD, s("/f"), 0751));
        assertEquals("rwxr-x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("f"))));
        int fd = open("/f", O_RDONLY, 0);
        assertEquals(0, sys(91, fd, 0600));
        assertEquals(0600, mode("/f", true) & 07777);
        assertEquals(0, sys(268, AT_FDCWD, s("f"), 04755)); // fchmodat keeps set-id bits
        assertEquals(04755, mode("/f", true) & 07777);
        assertErr(Errno.ENOENT, sys(CHMOD, s("/none"), 0600));
        int uid = (Integer) Files.getAttribute(root.resolve("f"), "unix:uid");
        assertEquals(0, sys(FCHOWN, fd, uid, -1));
        assertEquals(0, sys(92, s("/f"), -1, -1));
        // utimensat: explicit times with nanoseconds, UTIME_OMIT, NULL path on an fd
        long ts = mem.alloc(32);
        mem.writeLong(ts, 1_000_000);
        mem.writeLong(ts + 8, 123_456_789);
        mem.writeLong(ts + 16, 2_000_000);
        mem.writeLong(ts + 24, 987_654_321);
        assertEquals(0, sys(UTIMENSAT, AT_FDCWD, s("/f"), ts, 0));
        assertEquals(FileTime.from(java.time.Instant.ofEpochSecond(2_000_000, 987_654_321)),
                Files.getLastModifiedTime(root.resolve("f")));
        long st = mem.alloc(144);
        sys(STAT, s("/f"), st);
        assertEquals(1_000_000, mem.readLong(st + 72));
        assertEquals(123_456_789, mem.readLong(st + 80));
        assertEquals(2_000_000, mem.readLong(st + 88));
        assertEquals(987_654_321, mem.readLong(st + 96));
        mem.writeLong(ts + 24, (1 << 30) - 2); // mtime UTIME_OMIT
        mem.writeLong(ts, 5);
        mem.writeLong(ts + 8, 0);
        assertEquals(0, sys(UTIMENSAT, fd, 0, ts, 0));
        sys(STAT, s("/f"), st);
        assertEquals(5, mem.readLong(st + 72));
        assertEquals(2_000_000, mem.readLong(st + 88));
        mem.writeLong(ts + 8, 1_000_000_000);
        assertErr(Errno.EINVAL, sys(UTIMENSAT, fd, 0, ts, 0));
        assertEquals(0, sys(UTIMENSAT, AT_FDCWD, s("/f"), 0, 0));
        assertTrue(Files.getLastModifiedTime(root.resolve("f")).toMillis() > System.currentTimeMillis() - 60_000);
        // a symlink's own times with AT_SYMLINK_NOFOLLOW
        Files.createSymbolicLink(root.resolve("l"), Path.of("f"));
        mem.writeLong(ts, 7);
        mem.writeLong(ts + 8, 0);
        mem.writeLong(ts + 16, 7);
        mem.writeLong(ts + 24, 0);
        assertEquals(0, sys(UTIMENSAT, AT_FDCWD, s("/l"), ts, 0x100));
        assertEquals(7, Files.getLastModifiedTime(root.resolve("l"), LinkOption.NOFOLLOW_LINKS).toMillis() / 1000);
    }

    @Test
    void truncateStatfsXattr() throws Exception {
        Files.writeString(root.resolve("f"), "0123456789");
        assertEquals(0, sys(TRUNCATE, s("/f"), 3));
        assertEquals("012", Files.readString(root.resolve("f")));
        assertEquals(0, sys(TRUNCATE, s("/f"), 6));
        assertEquals(6, Files.size(root.resolve("f")));
        assertErr(Errno.EISDIR, sys(TRUNCATE, s("/"), 0));
        assertErr(Errno.EINVAL, sys(TRUNCATE, s("/f"), -1));
        long sfs = mem.alloc(120);
        assertEquals(0, sys(STATFS, s("/"), sfs));
        assertTrue(mem.readLong(sfs + 8) > 0);
        assertEquals(255, mem.readLong(sfs + 64));
        assertEquals(0, sys(138, 1, sfs));
        assertErr(Errno.ENOENT, sys(STATFS, s("/none"), sfs));
        assertErr(Errno.ENODATA, sys(GETXATTR, s("/f"), s("user.x"), mem.alloc(8), 8));
        assertErr(Errno.ENOENT, sys(GETXATTR, s("/none"), s("user.x"), mem.alloc(8), 8));
        assertEquals(0, sys(194, s("/f"), mem.alloc(8), 8));
        assertErr(Errno.EOPNOTSUPP, sys(188, s("/f"), s("user.x"), mem.alloc(8), 8, 0));
        assertErr(Errno.EBADF, sys(193, 99, s("user.x"), mem.alloc(8), 8));
    }

    @Test
    void everyCallHasAnStraceDescription() {
        int count = 0;
        for (int nr = 0; nr < SyscallTable.MAX; nr++) {
            SyscallTable.Entry e = table.entry(nr);
            if (e == null) continue;
            count++;
            assertTrue(e.args().matches("[duxpsfob]*"), e.name());
        }
        assertTrue(count > 80, "installed " + count);
    }
}
