package org.jvmx.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host kernel as oracle for path semantics: the same script of file operations (relative
 * paths only, so the host run stays in its directory) runs natively (ops.c, in a copy of the
 * tree) and through LinuxFiles (with a second copy as the guest's root); the results, errno
 * included, must be equal line by line.
 */
class LinuxFilesHostDiffTest extends LinuxFilesFixture {
    @TempDir
    Path work;

    private static final String[] PATHS = {"f", "f/", "f/.", "f/x", "d", "d/", "d/.", "d/..", "d/g", "d/g/", "d/e",
        "d/e/", "ls", "ls/", "ld", "ld/", "ld/g", "ld/..", "dangling", "dangling/", "loop1", "loop1/", "self",
        "nothing", "nothing/", "d/nothing/x", "ldd", "ldd/g", "-", ".", "lf_slash", "ld/e/../g", "d//g", "./f",
        "ld/./g/", "newdir/", "ls/..", "d/e/../../f", "x".repeat(256), "x".repeat(255), "ld/e/", "lf_slash/"};

    private static final String[] OPEN_FLAGS = {"0", "1", "2", "102", "302", "200000", "400000", "10000000",
        "10400000", "1001", "2001", "200001", "100", "10200000", "400100", "600000", "10600000", "1000",
        "4000", "2000000", "2002", "4001", "3"};

    private static void tree(Path r) throws IOException {
        Files.createDirectories(r.resolve("d/e"));
        Files.writeString(r.resolve("f"), "file");
        Files.writeString(r.resolve("d/g"), "gg");
        Files.createSymbolicLink(r.resolve("ls"), Path.of("f"));
        Files.createSymbolicLink(r.resolve("ld"), Path.of("d"));
        Files.createSymbolicLink(r.resolve("ldd"), Path.of("ld/"));
        Files.createSymbolicLink(r.resolve("dangling"), Path.of("nowhere"));
        Files.createSymbolicLink(r.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(r.resolve("loop2"), Path.of("loop1"));
        Files.createSymbolicLink(r.resolve("self"), Path.of("self"));
        Files.createSymbolicLink(r.resolve("lf_slash"), Path.of("f/"));
    }

    private static List<String> script() {
        List<String> s = new ArrayList<>();
        for (String p : PATHS) {
            s.add("stat|" + p);
            s.add("lstat|" + p);
            s.add("readlink|" + p);
            s.add("access|" + p + "|0");
            s.add("getdents|" + p);
        }
        for (String p : PATHS) for (String f : OPEN_FLAGS) s.add("open|" + p + "|" + f);
        s.add("chdir|ld");
        for (String p : new String[] {"g", "../f", "e/..", "..", "../ls"}) s.add("stat|" + p);
        s.add("chdir|..");
        for (String p : PATHS) s.add("truncate|" + p + "|1");
        for (String p : PATHS) s.add("mkdir|" + p);
        for (String p : PATHS) s.add("symlink|target|" + p);
        for (String a : new String[] {"f", "d", "ls", "ld", "dangling", "nothing"}) {
            for (String b : new String[] {"f2", "d", "d/e", "d/g", "ls", "nothing/x", "d/new", "f/x"}) {
                s.add("link|" + a + "|" + b);
            }
        }
        for (String a : new String[] {"d/g", "d", "ls", "ld/e", "f", "d/", "f/", "newdir/", "d/e/."}) {
            for (String b : new String[] {"d/g2", "d/e", "d/e/x", "ls", "f", "ld", "n/x", "g3", "d3/", "g4/", "d/.."}) {
                s.add("rename|" + a + "|" + b);
                s.add("rename|" + b + "|" + a);
            }
        }
        for (String p : PATHS) {
            s.add("unlink|" + p);
            s.add("rmdir|" + p);
        }
        for (String p : PATHS) s.add("lstat|" + p);
        return s;
    }

    private String jvmx(String line) {
        String[] a = line.split("\\|", -1);
        for (int i = 1; i < a.length; i++) if (a[i].equals("-")) a[i] = "";
        String op = a[0];
        String fdResult = jvmxFd(op, a);
        if (fdResult != null) return fdResult;
        long r;
        String extra = "";
        switch (op) {
            case "open" -> {
                long fd = sys(OPEN, s(a[1]), Integer.parseInt(a[2], 8), 0644);
                r = fd < 0 ? fd : 0;
                if (fd >= 0) {
                    long st = mem.alloc(144);
                    sys(FSTAT, fd, st);
                    extra = " type=" + Integer.toOctalString(mem.readInt(st + 24) & 0170000)
                            + " fl=" + Long.toOctalString(sys(FCNTL, fd, 3));
                    sys(CLOSE, fd);
                }
            }
            case "stat", "lstat" -> {
                long st = mem.alloc(144);
                r = sys(op.equals("stat") ? STAT : LSTAT, s(a[1]), st);
                if (r == 0) {
                    int mode = mem.readInt(st + 24);
                    extra = " type=" + Integer.toOctalString(mode & 0170000) + " size="
                            + ((mode & 0170000) == 0100000 ? mem.readLong(st + 48) : -1);
                }
            }
            case "readlink" -> {
                long b = mem.alloc(4096);
                r = sys(READLINK, s(a[1]), b, 4096);
                if (r >= 0) extra = " " + mem.string(b, (int) r);
            }
            case "access" -> r = sys(ACCESS, s(a[1]), Integer.parseInt(a[2]));
            case "mkdir" -> r = sys(MKDIR, s(a[1]), 0755);
            case "rmdir" -> r = sys(RMDIR, s(a[1]));
            case "unlink" -> r = sys(UNLINK, s(a[1]));
            case "rename" -> r = sys(RENAME, s(a[1]), s(a[2]));
            case "link" -> r = sys(LINK, s(a[1]), s(a[2]));
            case "symlink" -> r = sys(SYMLINK, s(a[1]), s(a[2]));
            case "chdir" -> r = sys(CHDIR, s(a[1]));
            case "truncate" -> r = sys(TRUNCATE, s(a[1]), Long.parseLong(a[2]));
            case "getdents" -> {
                long fd = sys(OPEN, s(a[1]), O_RDONLY | O_DIRECTORY);
                if (fd < 0) {
                    r = fd;
                } else {
                    long b = mem.alloc(8192), n, count = 0;
                    while ((n = sys(GETDENTS64, fd, b, 8192)) > 0) {
                        for (int off = 0; off < n; off += mem.readU16(b + off + 16)) count++;
                    }
                    r = n < 0 ? n : count;
                    sys(CLOSE, fd);
                }
            }
            default -> r = -9999;
        }
        return op + " " + r + extra;
    }

    private final List<Long> slots = new ArrayList<>();

    /** The fd-level operations of ops.c ("slot" = the n-th fd the script opened). */
    private String jvmxFd(String op, String[] a) {
        long r;
        String extra = "";
        switch (op) {
            case "fd" -> {
                long fd = sys(OPEN, s(a[1]), Integer.parseInt(a[2], 8), 0644);
                r = fd < 0 ? fd : slots.size();
                if (fd >= 0) slots.add(fd);
            }
            case "w", "pw" -> {
                long fd = slots.get(Integer.parseInt(a[1]));
                byte[] t = a[2].getBytes();
                long b = mem.alloc(Math.max(1, t.length));
                mem.write(b, t);
                r = op.equals("w") ? sys(WRITE, fd, b, t.length) : sys(PWRITE, fd, b, t.length, Long.parseLong(a[3]));
            }
            case "r", "pr" -> {
                long fd = slots.get(Integer.parseInt(a[1]));
                int n = Integer.parseInt(a[2]);
                long b = mem.alloc(Math.max(1, n));
                r = op.equals("r") ? sys(READ, fd, b, n) : sys(PREAD, fd, b, n, Long.parseLong(a[3]));
                if (r > 0) extra = " " + java.util.HexFormat.of().formatHex(mem.read(b, (int) r));
            }
            case "seek" -> r = sys(LSEEK, slots.get(Integer.parseInt(a[1])), Long.parseLong(a[2]), Integer.parseInt(a[3]));
            case "ftr" -> r = sys(FTRUNCATE, slots.get(Integer.parseInt(a[1])), Long.parseLong(a[2]));
            case "size" -> {
                long st = mem.alloc(144);
                r = sys(FSTAT, slots.get(Integer.parseInt(a[1])), st);
                if (r == 0) r = mem.readLong(st + 48);
            }
            case "dup" -> {
                long fd = sys(DUP, slots.get(Integer.parseInt(a[1])));
                r = fd < 0 ? fd : slots.size();
                if (fd >= 0) slots.add(fd);
            }
            case "setfl" -> r = sys(FCNTL, slots.get(Integer.parseInt(a[1])), 4, Integer.parseInt(a[2], 8));
            case "getfl" -> r = sys(FCNTL, slots.get(Integer.parseInt(a[1])), 3);
            default -> {
                return null;
            }
        }
        return op + " " + r + extra;
    }

    private Path compileOps() throws Exception {
        Path src = work.resolve("ops.c"), tool = work.resolve("ops");
        try (var in = getClass().getResourceAsStream("ops.c")) {
            Files.write(src, in.readAllBytes());
        }
        try {
            Process cc = new ProcessBuilder("gcc", "-O", "-o", tool.toString(), src.toString()).inheritIO().start();
            assertEquals(0, cc.waitFor());
        } catch (IOException noGcc) {
            Assumptions.abort("no gcc");
        }
        return tool;
    }

    private void compare(Path tool, Path hostDir, List<String> script) throws Exception {
        Process p = new ProcessBuilder(tool.toString()).directory(hostDir.toFile()).start();
        p.getOutputStream().write((String.join("\n", script) + "\n").getBytes());
        p.getOutputStream().close();
        List<String> host = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, p.waitFor());
        assertEquals(script.size(), host.size());
        List<String> diffs = new ArrayList<>();
        if (System.getenv("JVMX_OPS_DUMP") != null) {
            Files.write(Path.of(System.getenv("JVMX_OPS_DUMP")), script);
            Files.write(Path.of(System.getenv("JVMX_OPS_DUMP") + ".host"), host);
        }
        for (int i = 0; i < script.size(); i++) {
            String mine = jvmx(script.get(i));
            if (!mine.equals(host.get(i))) diffs.add(script.get(i) + ": host «" + host.get(i) + "» jvmx «" + mine + "»");
        }
        assertEquals(List.of(), diffs, () -> diffs.size() + " of " + script.size() + " differ:\n" + String.join("\n", diffs));
    }

    @Test
    void pathSemanticsMatchTheHostKernel() throws Exception {
        Path tool = compileOps();
        Path hostDir = work.resolve("host");
        tree(hostDir);
        tree(root);
        compare(tool, hostDir, script());
    }

    @Test
    void descriptorSemanticsMatchTheHostKernel() throws Exception {
        Path tool = compileOps();
        Path hostDir = work.resolve("host");
        tree(hostDir);
        tree(root);
        List<String> s = new ArrayList<>();
        String[] flags = {"2", "2001", "0", "2002", "1", "1002", "0", "4002"};
        for (String f : flags) s.add("fd|f|" + f);
        java.util.Random rnd = new java.util.Random(6);
        String[] texts = {"x", "abc", "0123456789", "-", "longer text for the file"};
        int slotCount = flags.length;
        for (int i = 0; i < 3000; i++) {
            int slot = rnd.nextInt(slotCount);
            switch (rnd.nextInt(11)) {
                case 0, 1 -> s.add("w|" + slot + "|" + texts[rnd.nextInt(texts.length)]);
                case 2, 3 -> s.add("r|" + slot + "|" + rnd.nextInt(40));
                case 4 -> s.add("seek|" + slot + "|" + (rnd.nextInt(80) - 20) + "|" + rnd.nextInt(4));
                case 5 -> s.add("pr|" + slot + "|" + rnd.nextInt(20) + "|" + (rnd.nextInt(60) - 2));
                case 6 -> s.add("pw|" + slot + "|" + texts[rnd.nextInt(texts.length)] + "|" + (rnd.nextInt(60) - 2));
                case 7 -> s.add("ftr|" + slot + "|" + (rnd.nextInt(70) - 3));
                case 8 -> s.add("size|" + slot);
                case 9 -> s.add("setfl|" + slot + "|" + (rnd.nextBoolean() ? "2000" : "0"));
                default -> {
                    if (slotCount < 60) {
                        s.add("dup|" + slot);
                        slotCount++;
                    } else {
                        s.add("getfl|" + slot);
                    }
                }
            }
        }
        compare(tool, hostDir, s);
    }
}
