package org.jvmx.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The comparison harness's report: a Markdown section with the date, the machine (CPUs, CPU
 * model, memory, JDK, qemu and busybox versions), the command, and one table row per workload
 * (median seconds per tool, the ratios jvmx/native and jvmx/qemu, whether the outputs matched
 * native), closed by the geometric means of the ratios over the workloads where both tools ran
 * correctly. Failures are rows too, with their first error line.
 */
final class CompareReport {
    private CompareReport() {
    }

    static String markdown(Compare.Options o, Map<CompareWorkloads.Workload, Map<Compare.Tool, Compare.Runs>> all, String qemu,
            double totalSeconds) {
        StringBuilder b = new StringBuilder();
        b.append("## ").append(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"))).append("\n\n");
        b.append("Machine: ").append(machine(qemu)).append("\n\n");
        b.append("Command: `scripts/compare --runs ").append(o.runs()).append(" --scale ").append(fmt(o.scale()))
                .append(o.only() == null ? "" : " --only '" + o.only() + "'").append(o.warm() ? " --warm" : "")
                .append(qemu == null ? " --no-qemu" : "").append("`; median wall-clock seconds of ").append(o.runs())
                .append(" runs, tools alternating; jvmx = `./jvmx run` spawned (JVM start-up included)")
                .append(o.warm() ? ", jvmx warm = in one JVM after a warm-up run" : "")
                .append(String.format(Locale.ROOT, "; total %.0f s.%n%n", totalSeconds));
        List<String> head = new ArrayList<>(List.of("workload", "input", "native s", "qemu s", "jvmx s"));
        if (o.warm()) head.add("jvmx warm s");
        head.addAll(List.of("jvmx/native", "jvmx/qemu"));
        if (o.warm()) head.add("warm/native");
        head.add("output");
        row(b, head);
        b.append('|').append("---|".repeat(head.size())).append('\n');
        List<Double> vsNative = new ArrayList<>(), vsQemu = new ArrayList<>(), warmVsNative = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (var e : all.entrySet()) {
            CompareWorkloads.Workload w = e.getKey();
            Map<Compare.Tool, Compare.Runs> t = e.getValue();
            Compare.Runs n = t.get(Compare.Tool.NATIVE), q = t.get(Compare.Tool.QEMU), j = t.get(Compare.Tool.JVMX),
                    jw = t.get(Compare.Tool.JVMX_WARM);
            List<String> cells = new ArrayList<>(List.of(w.name(), w.input(), cell(n), qemu == null ? "—" : cell(q), cell(j)));
            if (o.warm()) cells.add(cell(jw));
            cells.add(ratio(j, n, vsNative));
            cells.add(qemu == null ? "—" : ratio(j, q, vsQemu));
            if (o.warm()) cells.add(ratio(jw, n, warmVsNative));
            List<String> verdict = new ArrayList<>();
            for (Compare.Tool tool : Compare.Tool.values()) {
                Compare.Runs r = t.get(tool);
                if (r.failure == null) continue;
                String who = tool.name().toLowerCase(Locale.ROOT).replace('_', ' ');
                verdict.add(who + (r.mismatches > 0 ? " MISMATCH" : " failed"));
                failures.add("- " + w.name() + ", " + who + ": " + r.failure.replace('|', '/'));
            }
            cells.add(verdict.isEmpty() ? "same as native" : String.join(", ", verdict));
            row(b, cells);
        }
        List<String> geo = new ArrayList<>(List.of("**geometric mean**", "", "", "", ""));
        if (o.warm()) geo.add("");
        geo.add(geomean(vsNative));
        geo.add(qemu == null ? "—" : geomean(vsQemu));
        if (o.warm()) geo.add(geomean(warmVsNative));
        geo.add("");
        row(b, geo);
        if (!failures.isEmpty()) {
            b.append("\nFailures (first error line of the first failing run):\n\n");
            failures.forEach(f -> b.append(f).append('\n'));
        }
        b.append('\n');
        return b.toString();
    }

    private static void row(StringBuilder b, List<String> cells) {
        b.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }

    private static String cell(Compare.Runs r) {
        if (r.results.isEmpty()) return "—";
        if (r.failure != null && r.mismatches == 0) return "failed";
        return String.format(Locale.ROOT, "%.2f", r.median());
    }

    /** a/b of the medians when both ran correctly (the ratio also goes into {@code into}), else "—". */
    private static String ratio(Compare.Runs a, Compare.Runs b, List<Double> into) {
        if (!a.ok() || !b.ok()) return "—";
        double v = a.median() / b.median();
        into.add(v);
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String geomean(List<Double> v) {
        if (v.isEmpty()) return "—";
        double s = 0;
        for (double x : v) s += Math.log(x);
        return String.format(Locale.ROOT, "**%.1f** (%d)", Math.exp(s / v.size()), v.size());
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** CPUs, CPU model, memory, JDK, qemu and busybox versions. */
    static String machine(String qemu) {
        String model = grep(Path.of("/proc/cpuinfo"), "model name");
        String mem = grep(Path.of("/proc/meminfo"), "MemTotal");
        String memText = mem;
        try {
            long kib = Long.parseLong(mem.replaceAll("[^0-9]", ""));
            memText = String.format(Locale.ROOT, "%.1f GiB memory", kib / 1024.0 / 1024.0);
        } catch (NumberFormatException ignored) {
            // keep the raw text
        }
        String busybox = firstLine(List.of(CompareWorkloads.BUSYBOX)).replaceAll("\\s+multi-call binary\\.?", "");
        return String.format(Locale.ROOT, "%d CPUs (nproc), %s, %s; JDK %s; %s; %s",
                Runtime.getRuntime().availableProcessors(), model.isEmpty() ? "unknown CPU" : model, memText,
                System.getProperty("java.runtime.version"),
                qemu == null ? "no qemu-x86_64" : firstLine(List.of(qemu, "--version")), busybox);
    }

    private static String grep(Path file, String key) {
        try {
            for (String l : Files.readAllLines(file)) {
                if (l.startsWith(key)) return l.substring(l.indexOf(':') + 1).trim();
            }
        } catch (IOException ignored) {
            // not Linux: unknown
        }
        return "";
    }

    private static String firstLine(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().findFirst().orElse("").trim();
        } catch (IOException e) {
            return cmd.get(0) + " (no version)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The absolute path of {@code name} on PATH, or null. */
    static String onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String d : path.split(":")) {
            if (d.isEmpty()) continue;
            Path p = Path.of(d, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) return p.toString();
        }
        return null;
    }

    /** Appends {@code section} to the results file (created with a title if new). */
    static void append(Path file, String section) throws IOException {
        if (!Files.exists(file)) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, """
                    # jvmx performance comparison

                    Appended by `scripts/compare` (see README, "Performance comparison"): the same programs on the same
                    generated inputs run natively, under qemu-x86_64 (user mode) and under `jvmx run`, side by side on one
                    machine. Newest last.

                    """);
        }
        Files.writeString(file, section, StandardOpenOption.APPEND);
    }
}
