package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** Path lookup in the guest's view: root confinement, symlinks, errno of lookups, open flags, cwd and dirfd. */
class LinuxFilesPathTest extends LinuxFilesFixture {

    @Test
    void absoluteAndRelativePaths() throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/f"), "data");
        int fd = open("/a/b/f", O_RDONLY, 0);
        assertEquals("data", read(fd, 100));
        assertEquals(0, sys(CHDIR, s("a")));
        assertEquals("data", read(open("b/f", O_RDONLY, 0), 100));
        assertEquals("data", read(open("./b/../b/./f", O_RDONLY, 0), 100));
        long buf = mem.alloc(64);
        assertEquals(3, sys(79, buf, 64)); // getcwd: "/a" + NUL
        assertEquals("/a", mem.string(buf, 2));
        assertErr(Errno.ERANGE, sys(79, buf, 2));
        assertEquals(0, sys(CHDIR, s("../../../..")));
        assertEquals(2, sys(79, buf, 64));
        assertEquals("/", mem.string(buf, 1));
    }

    @Test
    void lookupErrors() throws Exception {
        Files.writeString(root.resolve("f"), "x");
        assertErr(Errno.ENOENT, sys(OPEN, s("/nope"), O_RDONLY));
        assertErr(Errno.ENOENT, sys(OPEN, s("/nope/x"), O_RDONLY | O_CREAT, 0644));
        assertErr(Errno.ENOENT, sys(OPEN, s(""), O_RDONLY));
        assertErr(Errno.ENOTDIR, sys(OPEN, s("/f/x"), O_RDONLY));
        assertErr(Errno.ENOTDIR, sys(OPEN, s("/f/"), O_RDONLY));
        assertErr(Errno.ENOTDIR, sys(OPEN, s("/f/.."), O_RDONLY));
        assertErr(Errno.ENOTDIR, sys(OPEN, s("/f"), O_RDONLY | O_DIRECTORY));
        assertErr(Errno.EISDIR, sys(OPEN, s("/"), O_WRONLY));
        assertErr(Errno.EISDIR, sys(OPEN, s("/g/"), O_WRONLY | O_CREAT, 0644));
        assertErr(Errno.ENAMETOOLONG, sys(OPEN, s("/" + "n".repeat(256)), O_RDONLY));
        assertErr(Errno.ENOENT, sys(OPEN, s("/" + "n".repeat(255)), O_RDONLY));
        assertErr(Errno.ENAMETOOLONG, sys(OPEN, s("/" + "a/".repeat(2048)), O_RDONLY));
        assertErr(Errno.EFAULT, sys(OPEN, 0x10, O_RDONLY));
        // access mode 3: permission to read and write is checked, neither is granted
        long ioctlOnly = sys(OPEN, s("/f"), 3);
        assertTrue(ioctlOnly >= 3);
        assertErr(Errno.EBADF, sys(READ, ioctlOnly, mem.alloc(4), 4));
        assertErr(Errno.EBADF, sys(WRITE, ioctlOnly, mem.alloc(4), 4));
    }

    @Test
    void dotDotNeverLeavesTheRoot() throws Exception {
        // the host's /etc/passwd exists; the guest's does not
        assertTrue(Files.exists(Path.of("/etc/passwd")));
        assertErr(Errno.ENOENT, sys(OPEN, s("/../../../../etc/passwd"), O_RDONLY));
        assertErr(Errno.ENOENT, sys(OPEN, s("../../../../../etc/passwd"), O_RDONLY));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "guest");
        assertEquals("guest", read(open("/../../../etc/passwd", O_RDONLY, 0), 100));
    }

    @Test
    void symlinksAreResolvedInsideTheRoot() throws Exception {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), "guest");
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/etc"));
        Files.createSymbolicLink(root.resolve("rel"), Path.of("../../../../../../etc/passwd"));
        Files.createSymbolicLink(root.resolve("hostabs"), root.resolve("etc/passwd"));
        Files.createDirectories(root.resolve("d/e"));
        Files.createSymbolicLink(root.resolve("d/e/up"), Path.of("../../etc"));
        assertEquals("guest", read(open("/abs/passwd", O_RDONLY, 0), 100));
        assertEquals("guest", read(open("/rel", O_RDONLY, 0), 100));
        assertEquals("guest", read(open("/d/e/up/passwd", O_RDONLY, 0), 100));
        // a link holding a host path is read as a guest path: it names nothing inside the root
        assertErr(Errno.ENOENT, sys(OPEN, s("/hostabs"), O_RDONLY));
        // a link to the host's /etc finds the guest's
        Files.delete(root.resolve("etc/passwd"));
        assertErr(Errno.ENOENT, sys(OPEN, s("/abs/passwd"), O_RDONLY));
        assertErr(Errno.ENOENT, sys(OPEN, s("/rel"), O_RDONLY));
        assertErr(Errno.ENOENT, sys(STAT, s("/abs/passwd"), mem.alloc(144)));
        // creating through a dangling link creates inside the root
        assertTrue(sys(OPEN, s("/rel"), O_WRONLY | O_CREAT, 0644) >= 0);
        assertTrue(Files.exists(root.resolve("etc/passwd")));
    }

    @Test
    void symlinkLoopsAndLimits() throws Exception {
        Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(root.resolve("b"), Path.of("a"));
        Files.createSymbolicLink(root.resolve("self"), Path.of("self/x"));
        assertErr(Errno.ELOOP, sys(OPEN, s("/a"), O_RDONLY));
        assertErr(Errno.ELOOP, sys(OPEN, s("/self"), O_RDONLY));
        Files.writeString(root.resolve("t"), "end");
        // a chain of 40 links resolves, 41 does not
        Files.createSymbolicLink(root.resolve("l0"), Path.of("t"));
        for (int i = 1; i <= 40; i++) Files.createSymbolicLink(root.resolve("l" + i), Path.of("l" + (i - 1)));
        assertEquals("end", read(open("/l39", O_RDONLY, 0), 10));
        assertErr(Errno.ELOOP, sys(OPEN, s("/l40"), O_RDONLY));
        Files.createSymbolicLink(root.resolve("empty"), Path.of("nothing"));
        assertErr(Errno.ENOENT, sys(OPEN, s("/empty"), O_RDONLY));
        assertErr(Errno.ENOENT, sys(OPEN, s("/empty/"), O_RDONLY));
    }

    @Test
    void noFollowAndPath() throws Exception {
        Files.writeString(root.resolve("t"), "x");
        Files.createSymbolicLink(root.resolve("l"), Path.of("t"));
        assertErr(Errno.ELOOP, sys(OPEN, s("/l"), O_RDONLY | O_NOFOLLOW));
        int fd = (int) sys(OPEN, s("/l"), O_PATH | O_NOFOLLOW);
        assertTrue(fd >= 3);
        long st = mem.alloc(144);
        assertEquals(0, sys(FSTAT, fd, st));
        assertEquals(0120000, mem.readInt(st + 24) & 0170000);
        assertErr(Errno.EBADF, sys(READ, fd, mem.alloc(4), 4));
        // O_CREAT|O_EXCL never follows a final link
        assertErr(Errno.EEXIST, sys(OPEN, s("/l"), O_RDWR | O_CREAT | O_EXCL, 0644));
        int dfd = (int) sys(OPEN, s("/"), O_PATH | O_DIRECTORY);
        assertEquals("x", read(open("/t", O_RDONLY, 0), 4));
        assertTrue(sys(OPENAT, dfd, s("t"), O_RDONLY) >= 0);
    }

    @Test
    void dirfdAndAtFdcwd() throws Exception {
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/f"), "in d");
        Files.writeString(root.resolve("top"), "top");
        int d = open("/d", O_RDONLY | O_DIRECTORY, 0);
        int f = open("/top", O_RDONLY, 0);
        long r = sys(OPENAT, d, s("f"), O_RDONLY);
        assertEquals("in d", read((int) r, 10));
        assertEquals("top", read((int) sys(OPENAT, d, s("../top"), O_RDONLY), 10));
        assertEquals("top", read((int) sys(OPENAT, 999, s("/top"), O_RDONLY), 10));
        assertEquals("top", read((int) sys(OPENAT, AT_FDCWD, s("top"), O_RDONLY), 10));
        assertErr(Errno.ENOTDIR, sys(OPENAT, f, s("x"), O_RDONLY));
        assertErr(Errno.EBADF, sys(OPENAT, 999, s("x"), O_RDONLY));
        assertEquals(0, sys(FCHDIR, d));
        assertEquals("in d", read(open("f", O_RDONLY, 0), 10));
        assertErr(Errno.ENOTDIR, sys(FCHDIR, f));
        assertErr(Errno.ENOTDIR, sys(CHDIR, s("/top")));
        assertErr(Errno.ENOENT, sys(CHDIR, s("/none")));
    }

    @Test
    void createModeAndExclusive() throws Exception {
        assertEquals(022, sys(UMASK, 027));
        int fd = open("/new", O_RDWR | O_CREAT | O_EXCL, 0666);
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("new"))));
        assertEquals(4, write(fd, "abcd"));
        assertErr(Errno.EEXIST, sys(OPEN, s("/new"), O_RDWR | O_CREAT | O_EXCL, 0666));
        // O_CREAT without O_EXCL opens the existing file and O_TRUNC empties it
        int fd2 = open("/new", O_RDWR | O_CREAT | O_TRUNC, 0600);
        assertEquals("", read(fd2, 10));
        assertEquals(0, Files.size(root.resolve("new")));
        // a read-only mode still lets the creating open write (the check is at open time)
        sys(UMASK, 0);
        int ro = (int) sys(CREAT, s("/ro"), 0444);
        assertEquals(2, write(ro, "ok"));
        assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("ro"))));
    }

    @Test
    void procSelfLinks() throws Exception {
        files.setExe("/bin/prog");
        long buf = mem.alloc(64);
        assertEquals(9, sys(READLINK, s("/proc/self/exe"), buf, 64));
        assertEquals("/bin/prog", mem.string(buf, 9));
        assertEquals(4, sys(READLINK, s("/proc/self/exe"), buf, 4));
        Files.createDirectories(root.resolve("d"));
        int fd = open("/d", O_RDONLY, 0);
        long n = sys(READLINK, s("/proc/self/fd/" + fd), buf, 64);
        assertEquals("/d", mem.string(buf, (int) n));
        assertEquals(1, sys(READLINK, s("/proc/self/cwd"), buf, 64));
        assertErr(Errno.EINVAL, sys(READLINK, s("/d"), buf, 64));
        assertErr(Errno.EINVAL, sys(READLINK, s("/proc/self/exe"), buf, 0));
        assertErr(Errno.ENOENT, sys(READLINK, s("/proc/self/fd/77"), buf, 64));
    }

    @Test
    void devicesAreSynthesizedWhenTheRootHasNone() {
        int z = open("/dev/zero", O_RDONLY, 0);
        assertEquals("\0\0\0", read(z, 3));
        int nul = open("/dev/null", O_RDWR, 0);
        assertEquals("", read(nul, 3));
        assertEquals(5, write(nul, "12345"));
        int u = open("/dev/urandom", O_RDONLY, 0);
        assertEquals(16, read(u, 16).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1).length > 0 ? 16 : 0);
    }

    @Test
    void hostRootSeesTheHostFileSystem() throws Exception {
        Files.writeString(root.resolve("here"), "cwd file");
        LinuxFiles host = new LinuxFiles(Path.of("/"), root.toString(), mem, null, out, err);
        SyscallTable t = new SyscallTable();
        host.install(t);
        host.setExe(root.resolve("here").toString());
        long buf = mem.alloc(4096);
        long fd = t.call(OPEN, s("here"), O_RDONLY, 0, 0, 0, 0);
        assertEquals(0, fd); // fd 0 was not given: it starts closed and is the lowest free
        assertEquals(8, t.call(READ, fd, buf, 100, 0, 0, 0));
        assertTrue(t.call(OPEN, s("/etc/passwd"), O_RDONLY, 0, 0, 0, 0) >= 0);
        long n = t.call(79, buf, 4096, 0, 0, 0, 0);
        assertEquals(root.toString(), mem.string(buf, (int) n - 1));
        // /proc/self/exe is the guest program, not the JVM
        n = t.call(READLINK, s("/proc/self/exe"), buf, 4096, 0, 0, 0);
        assertEquals(root.resolve("here").toString(), mem.string(buf, (int) n));
        long dn = t.call(OPEN, s("/dev/null"), O_WRONLY, 0, 0, 0, 0);
        assertEquals(3, t.call(WRITE, dn, buf, 3, 0, 0, 0));
        assertEquals(0, t.call(CHDIR, s("/"), 0, 0, 0, 0, 0));
        assertEquals(0, t.call(CHDIR, s(".."), 0, 0, 0, 0, 0));
        assertEquals(2, t.call(79, buf, 4096, 0, 0, 0, 0));
    }
}
