package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** What the other groups use: mmap's view of an fd, O_TMPFILE, /proc/self/exe, fork's copy. */
class LinuxFilesMapTest extends LinuxFilesFixture {

    private int errnoOf(Runnable r) {
        return assertThrows(LinuxError.class, r::run).errno;
    }

    @Test
    void mappableFiles() throws Exception {
        Files.writeString(root.resolve("lib"), "ELF-bytes");
        int ro = open("/lib", O_RDONLY, 0);
        MappableFile m = files.mappable(ro);
        assertEquals(9, m.size());
        assertFalse(m.writable());
        // the mapping outlives the fd (the loader closes a library after mapping it)
        assertEquals(0, sys(CLOSE, ro));
        byte[] b = new byte[20];
        assertEquals(5, m.read(4, b, 0, 20));
        assertEquals("bytes", new String(b, 0, 5));
        assertEquals(0, m.read(9, b, 0, 20));
        int rw = open("/lib", O_RDWR, 0);
        MappableFile w = files.mappable(rw);
        assertTrue(w.writable());
        w.write(0, "elf".getBytes(), 0, 3);
        assertEquals("elf-bytes", Files.readString(root.resolve("lib")));
        assertEquals(Errno.EBADF, errnoOf(() -> files.mappable(99)));
        assertEquals(Errno.EACCES, errnoOf(() -> files.mappable(open("/lib", O_WRONLY, 0))));
        assertEquals(Errno.ENODEV, errnoOf(() -> files.mappable(open("/", O_RDONLY, 0))));
        assertEquals(Errno.ENODEV, errnoOf(() -> files.mappable(1)));
        long p = mem.alloc(8);
        sys(PIPE, p);
        assertEquals(Errno.ENODEV, errnoOf(() -> files.mappable(mem.readInt(p))));
        assertEquals(Errno.EBADF, errnoOf(() -> files.mappable((int) sys(OPEN, s("/lib"), O_PATH))));
    }

    @Test
    void tmpfile() throws Exception {
        int o_tmpfile = 020000000 | O_DIRECTORY;
        int fd = (int) sys(OPEN, s("/"), o_tmpfile | O_RDWR, 0600);
        assertTrue(fd >= 3, () -> Errno.name(-fd));
        assertEquals(4, write(fd, "temp"));
        assertEquals(0, sys(LSEEK, fd, 0, 0));
        assertEquals("temp", read(fd, 10));
        long st = mem.alloc(144);
        assertEquals(0, sys(FSTAT, fd, st));
        assertEquals(4, mem.readLong(st + 48));
        try (var l = Files.list(root)) {
            assertEquals(0, l.count());
        }
        assertErr(Errno.EINVAL, sys(OPEN, s("/"), o_tmpfile | O_RDONLY, 0600));
        Files.writeString(root.resolve("f"), "");
        assertErr(Errno.ENOTDIR, sys(OPEN, s("/f"), o_tmpfile | O_RDWR, 0600));
    }

    @Test
    void procSelfExeOpensTheProgram() throws Exception {
        Files.createDirectories(root.resolve("bin"));
        Files.writeString(root.resolve("bin/prog"), "\u007fELF");
        files.setExe("/bin/prog");
        assertEquals("\u007fELF", read(open("/proc/self/exe", O_RDONLY, 0), 10));
        assertEquals(root.resolve("bin/prog"), files.hostPathOf("/proc/self/exe"));
        assertErr(Errno.ELOOP, sys(OPEN, s("/proc/self/exe"), O_RDONLY | O_NOFOLLOW));
    }

    @Test
    void forkCopiesTheTable() throws Exception {
        Files.createDirectories(root.resolve("d"));
        assertEquals(0, sys(CHDIR, s("/d")));
        int fd = open("/d", O_RDONLY, 0);
        LinuxFiles child = files.fork(mem);
        SyscallTable t = new SyscallTable();
        child.install(t);
        assertEquals("/d", child.cwd());
        assertEquals(0, t.call(CLOSE, fd, 0, 0, 0, 0, 0));
        // the parent's fd stays open
        long st = mem.alloc(144);
        assertEquals(0, sys(FSTAT, fd, st));
        assertEquals(-Errno.EBADF, t.call(FSTAT, fd, st, 0, 0, 0, 0));
        // the child writes to the same stdout
        long b = mem.cstr("hi");
        assertEquals(2, t.call(WRITE, 1, b, 2, 0, 0, 0));
        assertEquals("hi", out.toString());
    }

    @Test
    void procSelfFdOfAPipe() throws Exception {
        long p = mem.alloc(8);
        sys(PIPE, p);
        int r = mem.readInt(p), w = mem.readInt(p + 4);
        long buf = mem.alloc(64);
        long n = sys(READLINK, s("/proc/self/fd/" + r), buf, 64);
        assertTrue(mem.string(buf, (int) n).startsWith("pipe:["));
        long w2 = sys(OPEN, s("/proc/self/fd/" + w), O_WRONLY);
        assertTrue(w2 >= 0);
        assertEquals(3, write((int) w2, "via"));
        assertEquals("vi", read(r, 2));
        long st = mem.alloc(144);
        assertEquals(0, sys(STAT, s("/proc/self/fd/" + r), st));
        assertEquals(0010000, mem.readInt(st + 24) & 0170000);
        assertErr(Errno.ENOTDIR, sys(OPEN, s("/proc/self/fd/" + r + "/x"), O_RDONLY));
        assertErr(Errno.ENOENT, sys(OPEN, s("/proc/self/fd/99"), O_RDONLY));
    }
}
