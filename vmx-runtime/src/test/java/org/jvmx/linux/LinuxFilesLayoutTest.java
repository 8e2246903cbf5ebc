package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jvmx.linux.fs.StatLayout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The byte layouts of struct stat, statx, statfs and linux_dirent64 against the host C
 * library's view (layout.c compiled with the host's gcc), and the values jvmx reports against
 * what the host kernel reports for the same files.
 */
class LinuxFilesLayoutTest extends LinuxFilesFixture {
    private static Path tool;

    @BeforeAll
    static void compile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path src = dir.resolve("layout.c");
        try (var in = LinuxFilesLayoutTest.class.getResourceAsStream("layout.c")) {
            Files.write(src, in.readAllBytes());
        }
        tool = dir.resolve("layout");
        Process p;
        try {
            p = new ProcessBuilder("gcc", "-O", "-o", tool.toString(), src.toString()).inheritIO().start();
        } catch (IOException noGcc) {
            Assumptions.abort("no gcc on this host");
            return;
        }
        assertEquals(0, p.waitFor());
    }

    private static List<String> run(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = tool.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, p.waitFor(), () -> String.join("\n", lines));
        return lines;
    }

    @Test
    void offsetsMatchTheCLibrary() throws Exception {
        Map<String, Integer> c = new HashMap<>();
        for (String l : run("layout")) {
            String[] kv = l.split(" ");
            c.put(kv[0], Integer.parseInt(kv[1]));
        }
        assertEquals(c.get("sizeof.stat"), StatLayout.STAT_SIZE);
        assertEquals(c.get("sizeof.statx"), StatLayout.STATX_BYTES);
        assertEquals(c.get("sizeof.statfs"), 120);
        int[][] pairs = {
            {c.get("stat.st_dev"), StatLayout.ST_DEV}, {c.get("stat.st_ino"), StatLayout.ST_INO},
            {c.get("stat.st_nlink"), StatLayout.ST_NLINK}, {c.get("stat.st_mode"), StatLayout.ST_MODE},
            {c.get("stat.st_uid"), StatLayout.ST_UID}, {c.get("stat.st_gid"), StatLayout.ST_GID},
            {c.get("stat.st_rdev"), StatLayout.ST_RDEV}, {c.get("stat.st_size"), StatLayout.ST_SIZE},
            {c.get("stat.st_blksize"), StatLayout.ST_BLKSIZE}, {c.get("stat.st_blocks"), StatLayout.ST_BLOCKS},
            {c.get("stat.st_atim"), StatLayout.ST_ATIME}, {c.get("stat.st_mtim"), StatLayout.ST_MTIME},
            {c.get("stat.st_ctim"), StatLayout.ST_CTIME},
            {c.get("statx.stx_mask"), StatLayout.STX_MASK}, {c.get("statx.stx_blksize"), StatLayout.STX_BLKSIZE},
            {c.get("statx.stx_nlink"), StatLayout.STX_NLINK}, {c.get("statx.stx_uid"), StatLayout.STX_UID},
            {c.get("statx.stx_gid"), StatLayout.STX_GID}, {c.get("statx.stx_mode"), StatLayout.STX_MODE},
            {c.get("statx.stx_ino"), StatLayout.STX_INO}, {c.get("statx.stx_size"), StatLayout.STX_SIZE},
            {c.get("statx.stx_blocks"), StatLayout.STX_BLOCKS}, {c.get("statx.stx_atime"), StatLayout.STX_ATIME},
            {c.get("statx.stx_btime"), StatLayout.STX_BTIME}, {c.get("statx.stx_ctime"), StatLayout.STX_CTIME},
            {c.get("statx.stx_mtime"), StatLayout.STX_MTIME},
            {c.get("statx.stx_rdev_major"), StatLayout.STX_RDEV_MAJOR},
            {c.get("statx.stx_dev_major"), StatLayout.STX_DEV_MAJOR},
            {c.get("statx.stx_dev_minor"), StatLayout.STX_DEV_MINOR},
            {c.get("statfs.f_namelen"), 64}, {c.get("statfs.f_frsize"), 72}, {c.get("statfs.f_flags"), 80},
            {c.get("dirent64.d_ino"), 0}, {c.get("dirent64.d_off"), 8}, {c.get("dirent64.d_reclen"), 16},
            {c.get("dirent64.d_type"), 18}, {c.get("dirent64.d_name"), 19}};
        for (int[] p : pairs) assertEquals(p[0], p[1]);
    }

    private byte[] guestStat(String guestPath) {
        long buf = mem.alloc(144);
        assertEquals(0, sys(LSTAT, s(guestPath), buf));
        return mem.read(buf, 144);
    }

    @Test
    void statMatchesTheHostKernel() throws Exception {
        Files.writeString(root.resolve("file"), "x".repeat(5000));
        Files.createDirectories(root.resolve("dir"));
        Files.createSymbolicLink(root.resolve("link"), Path.of("file"));
        for (String name : new String[] {"file", "dir", "link"}) {
            byte[] host = HexFormat.of().parseHex(run("stat", root.resolve(name).toString()).get(0));
            byte[] mine = guestStat("/" + name);
            // all but st_blksize and st_blocks (the JDK does not expose them) and the reserved tail
            assertArrayEquals(Arrays.copyOfRange(host, 0, 56), Arrays.copyOfRange(mine, 0, 56), name);
            assertArrayEquals(Arrays.copyOfRange(host, 72, 120), Arrays.copyOfRange(mine, 72, 120), name);
        }
        if (Files.exists(Path.of("/dev/null"))) {
            LinuxFiles hostRoot = new LinuxFiles(Path.of("/"), "/", mem, null, null, null);
            SyscallTable t = new SyscallTable();
            hostRoot.install(t);
            long buf = mem.alloc(144);
            assertEquals(0, t.call(LSTAT, s("/dev/null"), buf, 0, 0, 0, 0));
            byte[] host = HexFormat.of().parseHex(run("stat", "/dev/null").get(0));
            assertArrayEquals(Arrays.copyOfRange(host, 0, 56), Arrays.copyOfRange(mem.read(buf, 144), 0, 56));
        }
    }

    @Test
    void statxMatchesTheHostKernel() throws Exception {
        Files.writeString(root.resolve("file"), "hello");
        Files.createDirectories(root.resolve("dir"));
        for (String name : new String[] {"file", "dir"}) {
            ByteBuffer host = ByteBuffer.wrap(HexFormat.of().parseHex(run("statx", root.resolve(name).toString()).get(0)))
                    .order(ByteOrder.LITTLE_ENDIAN);
            long buf = mem.alloc(256);
            assertEquals(0, sys(STATX, AT_FDCWD, s("/" + name), 0x100, 0x7ff, buf));
            ByteBuffer mine = ByteBuffer.wrap(mem.read(buf, 256)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x7ff, mine.getInt(0) & 0x7ff);
            for (int off : new int[] {16, 20, 24, 32, 40, 128, 132, 136, 140}) {
                assertEquals(host.getInt(off), mine.getInt(off), name + " @" + off);
            }
            assertEquals(host.getShort(28), mine.getShort(28));
            for (int ts : new int[] {64, 96, 112}) {
                assertEquals(host.getLong(ts), mine.getLong(ts), name + " sec @" + ts);
                assertEquals(host.getInt(ts + 8), mine.getInt(ts + 8), name + " nsec @" + ts);
            }
        }
    }

    @Test
    void getdents64MatchesTheHostKernel() throws Exception {
        Files.createDirectories(root.resolve("d/sub"));
        Files.writeString(root.resolve("d/a"), "");
        Files.createSymbolicLink(root.resolve("d/l"), Path.of("a"));
        for (int i = 0; i < 40; i++) Files.writeString(root.resolve("d/file-with-a-longer-name-" + i), "");
        Set<String> host = new HashSet<>(run("dents", root.resolve("d").toString()));
        int fd = open("/d", O_RDONLY | O_DIRECTORY, 0);
        Set<String> mine = new HashSet<>();
        long buf = mem.alloc(300);
        long n;
        while ((n = sys(GETDENTS64, fd, buf, 300)) > 0) {
            ByteBuffer b = ByteBuffer.wrap(mem.read(buf, (int) n)).order(ByteOrder.LITTLE_ENDIAN);
            for (int off = 0; off < n;) {
                int reclen = b.getShort(off + 16) & 0xffff;
                assertEquals(0, reclen % 8);
                int end = off + 19;
                while (b.get(end) != 0) end++;
                String name = new String(mem.read(buf + off + 19, end - off - 19));
                mine.add(name + " " + Long.toUnsignedString(b.getLong(off)) + " " + b.get(off + 18));
                off += reclen;
            }
        }
        assertEquals(0, n);
        assertEquals(host, mine);
    }
}
