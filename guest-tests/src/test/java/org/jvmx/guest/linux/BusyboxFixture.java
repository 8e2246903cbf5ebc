package org.jvmx.guest.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The fixed inputs of the busybox acceptance test, made in a fresh temporary directory: text
 * files generated from a fixed seed, a small binary file, a directory tree with fixed
 * modification times (set natively with {@code busybox touch -d}), and the archives and
 * compressed files made natively from them at test time — tar, gzip and bzip2 with busybox
 * itself, xz with the host's xz (busybox has only the xz decompressor).
 */
final class BusyboxFixture implements AutoCloseable {
    static final Path BUSYBOX = Path.of("/bin/busybox");
    /** The environment every run gets, natively and under jvmx. */
    static final List<String> ENV = List.of("LC_ALL=C", "TZ=UTC", "PATH=/usr/bin:/bin", "HOME=/");

    final Path dir;
    final boolean haveXz;
    /** Every fixed time is far before this; a file time after it was set by the run itself (not compared). */
    private static final java.nio.file.attribute.FileTime FIXED_BEFORE = java.nio.file.attribute.FileTime.fromMillis(1_600_000_000_000L);

    BusyboxFixture() throws IOException {
        dir = Files.createTempDirectory("jvmx-busybox");
        Random r = new Random(6);
        String[] vocabulary = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
            "lambda", "mu", "Alpha", "BETA", "x86", "jvm", "vmx", "guest", "host", "page"};
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            int n = 1 + r.nextInt(5);
            for (int w = 0; w < n; w++) words.append(w == 0 ? "" : " ").append(vocabulary[r.nextInt(vocabulary.length)]);
            words.append('\n');
        }
        Files.writeString(dir.resolve("words.txt"), words);
        StringBuilder sorted = new StringBuilder();
        words.toString().lines().sorted().forEach(l -> sorted.append(l).append('\n'));
        Files.writeString(dir.resolve("sorted.txt"), sorted);
        StringBuilder nums = new StringBuilder();
        for (int i = 0; i < 120; i++) {
            nums.append(switch (i % 4) {
                case 0 -> Integer.toString(r.nextInt(2001) - 1000);
                case 1 -> String.format("%d.%02d", r.nextInt(100), r.nextInt(100));
                case 2 -> Long.toString(r.nextLong() >> r.nextInt(60));
                default -> Integer.toString(r.nextInt(10));
            }).append('\n');
        }
        Files.writeString(dir.resolve("nums.txt"), nums);
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            csv.append(vocabulary[r.nextInt(vocabulary.length)]).append(',').append(r.nextInt(50)).append(',')
                    .append(r.nextInt(10000) / 100.0).append(',').append(i % 3 == 0 ? "yes" : "no").append('\n');
        }
        Files.writeString(dir.resolve("table.csv"), csv);
        byte[] bin = new byte[1000];
        for (int i = 0; i < bin.length; i++) bin[i] = (byte) (i < 256 ? i : r.nextInt(256));
        Files.write(dir.resolve("bin.dat"), bin);

        Path tree = Files.createDirectories(dir.resolve("tree/sub/deeper"));
        Files.writeString(dir.resolve("tree/readme.txt"), "a tree for tar, find and ls\n");
        Files.writeString(tree.getParent().resolve("notes.txt"), words.substring(0, 400));
        Files.write(tree.resolve("blob.bin"), java.util.Arrays.copyOf(bin, 300));
        Files.writeString(dir.resolve("tree/empty.txt"), "");
        // Fixed times: the deepest first, so a parent's time is not changed by touching its children afterwards.
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.sorted(Comparator.reverseOrder()).toList();
        }
        int k = 0;
        for (Path p : all) {
            if (p.equals(dir)) continue;
            host(List.of(BUSYBOX.toString(), "touch", "-d", String.format("2020-0%d-1%d 1%d:2%d:3%d", 1 + k % 9, k % 10,
                    k % 10, k % 10, k % 10), dir.relativize(p).toString()));
            k++;
        }
        host(List.of(BUSYBOX.toString(), "tar", "cf", "tree.tar", "tree"));
        Files.write(dir.resolve("words.txt.gz"), host(List.of(BUSYBOX.toString(), "gzip", "-c", "words.txt")));
        Files.write(dir.resolve("words.txt.bz2"), host(List.of(BUSYBOX.toString(), "bzip2", "-c", "words.txt")));
        Files.write(dir.resolve("bin.b64"), host(List.of(BUSYBOX.toString(), "base64", "bin.dat")));
        Files.write(dir.resolve("sums.sha256"), host(List.of(BUSYBOX.toString(), "sha256sum", "words.txt", "bin.dat", "tree.tar")));
        boolean xz;
        try {
            Files.write(dir.resolve("words.txt.xz"), host(List.of("xz", "-c", "words.txt")));
            xz = true;
        } catch (IllegalStateException e) {
            xz = false;
        }
        haveXz = xz;
        emptyRunDirs();
    }

    /** The working directories of the native and the jvmx run of an invocation that makes files, emptied. */
    void emptyRunDirs() throws IOException {
        for (String d : List.of("x-native", "x-jvmx")) {
            Path p = dir.resolve(d);
            if (Files.exists(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    for (Path f : s.sorted(Comparator.reverseOrder()).toList()) if (!f.equals(p)) Files.delete(f);
                }
            }
            Files.createDirectories(p);
        }
    }

    /** Runs a command natively in the fixture directory; returns its stdout, fails on a non-zero status. */
    byte[] host(List<String> cmd) {
        LinuxRuns.Outcome o = LinuxRuns.runNative(new LinuxRuns.Invocation(cmd, ENV, dir, new byte[0]));
        if (o.status() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": status " + o.status() + ": " + o.err());
        return o.stdout();
    }

    /**
     * A directory tree as text: relative path, type, permissions, modification time and a content
     * hash, one line each. Times are compared where the run restored a fixed time (tar x, cp -a);
     * a time the run took from the clock, and a directory's (when its last entry was made), are not.
     */
    static String describeTree(Path root) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted().toList()) {
                if (p.equals(root)) continue;
                String kind = Files.isDirectory(p) ? "d" : "f";
                String what = kind.equals("f") ? Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(p))) + " "
                        + Files.size(p) : "";
                java.nio.file.attribute.FileTime t = Files.getLastModifiedTime(p);
                String time = kind.equals("f") && t.compareTo(FIXED_BEFORE) < 0 ? t.toString() : "";
                lines.add(root.relativize(p) + " " + kind + " " + java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(p)) + " " + time + " " + what);
            }
        }
        return String.join("\n", lines) + "\n";
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
