package org.jvmx.perf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The fixed workload set of the comparison harness ({@link Compare}): real programs on inputs
 * generated from a fixed seed, so every machine and every run computes the same thing. Sizes
 * scale with {@code --scale}: 1 keeps the default run of the whole set (three tools, three runs)
 * under ten minutes at jvmx's present speed; 4 gives the larger sizes (gzip 16 MiB, bzip2 4 MiB,
 * sort 5 MiB, md5sum 48 MiB).
 */
final class CompareWorkloads {
    static final String BUSYBOX = "/bin/busybox";

    /**
     * One workload: {@code argv} (argv[0] the program's path) run in the work directory, with
     * {@code stdin} (null: empty) and {@code input} describing what it works on.
     */
    record Workload(String name, String input, List<String> argv, Path stdin) {
    }

    private CompareWorkloads() {
    }

    /** The workloads, their input files made in {@code work} (each once; kept while the size matches). */
    static List<Workload> all(Path work, double scale, String only) throws IOException {
        List<Workload> w = new ArrayList<>();
        long gzipBytes = (long) (4 * MIB * scale), bzipBytes = (long) (MIB * scale),
                sortBytes = (long) (1280 * KIB * scale), md5Bytes = (long) (12 * MIB * scale);
        long awkLoops = (long) (300_000 * scale), pyLoops = (long) (300_000 * scale);
        if (selected("gzip", only)) {
            Path f = text(work, "text-" + gzipBytes + ".txt", gzipBytes);
            w.add(new Workload("gzip", "gzip -c of " + size(gzipBytes) + " of text", List.of(BUSYBOX, "gzip", "-c", f.toString()), null));
        }
        if (selected("bzip2", only)) {
            Path f = text(work, "text-" + bzipBytes + ".txt", bzipBytes);
            w.add(new Workload("bzip2", "bzip2 -c of " + size(bzipBytes) + " of text", List.of(BUSYBOX, "bzip2", "-c", f.toString()), null));
        }
        if (selected("sort", only)) {
            Path f = text(work, "text-" + sortBytes + ".txt", sortBytes);
            w.add(new Workload("sort", "sort of " + size(sortBytes) + " of text", List.of(BUSYBOX, "sort", f.toString()), null));
        }
        if (selected("md5sum", only)) {
            Path f = binary(work, "data-" + md5Bytes + ".bin", md5Bytes);
            w.add(new Workload("md5sum", "md5sum of " + size(md5Bytes), List.of(BUSYBOX, "md5sum", f.toString()), null));
        }
        if (selected("awk", only)) {
            String prog = String.format(Locale.ROOT,
                    "BEGIN { s = 0; t = 1; for (i = 1; i <= %d; i++) { s += i / (i + 0.5) * 1.5; t = t * 1.0000001 + 1 / i } "
                            + "printf \"%%.6f %%.6f\\n\", s, t }",
                    awkLoops);
            w.add(new Workload("awk", "float loop, " + awkLoops + " iterations", List.of(BUSYBOX, "awk", prog), null));
        }
        if (selected("python3", only)) {
            String python = python();
            if (python != null) {
                String prog = String.format(Locale.ROOT,
                        "s = 0.0%nfor i in range(1, %d):%n    s += (i %% 7) * 0.5 / (i + 1.0)%nprint('%%.6f' %% s)%n", pyLoops);
                w.add(new Workload("python3", "float loop, " + pyLoops + " iterations (dynamic ELF)", List.of(python, "-c", prog), null));
            }
        }
        return w;
    }

    private static final long KIB = 1024, MIB = 1024 * 1024;

    private static boolean selected(String name, String only) {
        return only == null || name.matches(only);
    }

    static String size(long bytes) {
        return bytes >= MIB ? String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MIB)
                : String.format(Locale.ROOT, "%d KiB", bytes / KIB);
    }

    /**
     * The host's python3 as a real ELF file (a version manager's shim is a script that neither
     * jvmx nor qemu runs): the system's /usr/bin/python3 first, else the one on PATH; null if none.
     */
    static String python() {
        for (String c : List.of("/usr/bin/python3", "/usr/local/bin/python3")) {
            Path p = Path.of(c);
            if (Files.isExecutable(p)) {
                try {
                    return p.toRealPath().toString();
                } catch (IOException ignored) {
                    // try the next
                }
            }
        }
        try {
            Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 && !out.isEmpty() ? Path.of(out).toRealPath().toString() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Text lines of words and numbers, as logs and listings look (compressible, many distinct sort keys). */
    private static Path text(Path work, String name, long bytes) throws IOException {
        Path f = work.resolve(name);
        if (Files.exists(f) && Files.size(f) == bytes) return f;
        String[] words = {"kernel", "page", "fault", "guest", "host", "vmexit", "vmcall", "syscall", "read", "write",
            "open", "close", "mmap", "brk", "signal", "timer", "apic", "ioapic", "serial", "block", "region", "tier"};
        SplittableRandom r = new SplittableRandom(6);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(f), 1 << 16)) {
            long written = 0;
            StringBuilder line = new StringBuilder();
            while (written < bytes) {
                line.setLength(0);
                line.append(r.nextInt(100_000)).append(' ');
                int n = 2 + r.nextInt(8);
                for (int i = 0; i < n; i++) line.append(words[r.nextInt(words.length)]).append(i + 1 < n ? " " : "");
                line.append(" 0x").append(Long.toHexString(r.nextLong() & 0xFFFF_FFFFL)).append('\n');
                byte[] b = line.toString().getBytes(StandardCharsets.US_ASCII);
                int len = (int) Math.min(b.length, bytes - written);
                if (len < b.length) b[len - 1] = '\n';
                out.write(b, 0, len);
                written += len;
            }
        }
        return f;
    }

    /** Pseudo-random bytes (incompressible; what a checksum tool sees in an archive). */
    private static Path binary(Path work, String name, long bytes) throws IOException {
        Path f = work.resolve(name);
        if (Files.exists(f) && Files.size(f) == bytes) return f;
        SplittableRandom r = new SplittableRandom(6);
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(f)) {
            for (long left = bytes; left > 0; left -= buf.length) {
                for (int i = 0; i < buf.length; i += 8) {
                    long v = r.nextLong();
                    for (int k = 0; k < 8; k++) buf[i + k] = (byte) (v >>> (8 * k));
                }
                out.write(buf, 0, (int) Math.min(buf.length, left));
            }
        }
        return f;
    }
}
