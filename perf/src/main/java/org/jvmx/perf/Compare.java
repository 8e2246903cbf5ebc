package org.jvmx.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The comparison harness: runs a fixed set of real programs ({@link CompareWorkloads}) natively,
 * under qemu-x86_64 and under {@code jvmx run} (spawned, so JVM start-up is included), alternating
 * the three for each of N runs, checks every run's output against the native one (SHA-256 of
 * stdout and the exit status), and reports median wall times, the ratios jvmx/native and
 * jvmx/qemu per workload and their geometric means as a Markdown table, which is printed and
 * appended to {@code perf/RESULTS.md} with the date and the machine. A workload that fails under
 * a tool is reported as failed with its first error line, never left out. Started by
 * {@code scripts/compare}; options:
 *
 * <pre>
 *   --runs N          runs per tool and workload (default 3)
 *   --scale F         input sizes times F (default 1; 4: gzip 16 MiB, sort 5 MiB, md5sum 48 MiB)
 *   --only REGEX      only the workloads whose name matches
 *   --warm            also the in-process jvmx figure (this JVM, warm; one warm-up run, then N)
 *   --no-qemu         skip qemu-x86_64
 *   --timeout S       limit per run in seconds (default 300)
 *   --results FILE    where the table is appended (default ROOT/perf/RESULTS.md; "-" for none)
 *   --root DIR        the jvmx checkout (its ./jvmx is run; default the current directory)
 *   --work DIR        where inputs are generated and kept between invocations (default ROOT/perf/target/compare)
 * </pre>
 */
public final class Compare {
    /** The environment every tool gets, so that output and locale handling are the same. */
    static final Map<String, String> ENV = Map.of("LC_ALL", "C", "TZ", "UTC", "PATH", "/usr/bin:/bin", "HOME", "/");

    enum Tool { NATIVE, QEMU, JVMX, JVMX_WARM }

    /** The runs of one workload under one tool. */
    static final class Runs {
        final List<CompareRun.Result> results = new ArrayList<>();
        String failure;   // first failure (status or output differing from native), null if none
        int mismatches;

        double median() {
            double[] t = results.stream().mapToDouble(CompareRun.Result::seconds).sorted().toArray();
            if (t.length == 0) return Double.NaN;
            return t.length % 2 == 1 ? t[t.length / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
        }

        boolean ok() {
            return !results.isEmpty() && failure == null;
        }
    }

    record Options(int runs, double scale, String only, boolean warm, boolean qemu, long timeout, Path results, Path root,
            Path work) {
    }

    private Compare() {
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("compare: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(o));
    }

    static Options parse(String[] args) {
        int runs = 3;
        double scale = 1;
        String only = null;
        boolean warm = false, qemu = true;
        long timeout = 300;
        Path results = null, root = Path.of("").toAbsolutePath(), work = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--warm" -> warm = true;
                case "--no-qemu" -> qemu = false;
                case "--runs", "--scale", "--only", "--timeout", "--results", "--root", "--work" -> {
                    if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                    String v = args[++i];
                    try {
                        switch (a) {
                            case "--runs" -> runs = Integer.parseInt(v);
                            case "--scale" -> scale = Double.parseDouble(v);
                            case "--only" -> only = v;
                            case "--timeout" -> timeout = Long.parseLong(v);
                            case "--results" -> results = v.equals("-") ? Path.of("-") : Path.of(v);
                            case "--root" -> root = Path.of(v).toAbsolutePath();
                            default -> work = Path.of(v).toAbsolutePath();
                        }
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(a + ": not a number: " + v);
                    }
                }
                case "-h", "--help" -> throw new IllegalArgumentException(
                        "usage: scripts/compare [--runs N] [--scale F] [--only REGEX] [--warm] [--no-qemu] [--timeout S]"
                                + " [--results FILE|-] [--work DIR]");
                default -> throw new IllegalArgumentException("unknown option " + a + " (--help lists them)");
            }
        }
        if (runs < 1 || scale <= 0 || timeout < 1) throw new IllegalArgumentException("--runs, --scale and --timeout must be positive");
        if (!Files.isExecutable(root.resolve("jvmx"))) throw new IllegalArgumentException(root + ": no ./jvmx here (--root)");
        if (results == null) results = root.resolve("perf/RESULTS.md");
        if (work == null) work = root.resolve("perf/target/compare");
        return new Options(runs, scale, only, warm, qemu, timeout, results, root, work);
    }

    static int run(Options o) throws IOException, InterruptedException {
        Files.createDirectories(o.work());
        if (!Files.isExecutable(Path.of(CompareWorkloads.BUSYBOX))) {
            System.err.println("compare: " + CompareWorkloads.BUSYBOX + " missing (scripts/oracles.sh installs busybox-static)");
            return 2;
        }
        String qemu = o.qemu() ? CompareReport.onPath("qemu-x86_64") : null;
        if (o.qemu() && qemu == null) System.err.println("compare: qemu-x86_64 not found (Debian: apt-get install qemu-user): its column is empty");
        System.err.println("compare: generating inputs in " + o.work());
        List<CompareWorkloads.Workload> workloads = CompareWorkloads.all(o.work(), o.scale(), o.only());
        Map<CompareWorkloads.Workload, Map<Tool, Runs>> all = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        for (CompareWorkloads.Workload w : workloads) {
            Map<Tool, Runs> byTool = new LinkedHashMap<>();
            all.put(w, byTool);
            for (Tool t : Tool.values()) byTool.put(t, new Runs());
            for (int r = 1; r <= o.runs(); r++) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "compare: %-8s run %d/%d:", w.name(), r, o.runs()));
                for (Tool t : List.of(Tool.NATIVE, Tool.QEMU, Tool.JVMX)) {
                    if (t == Tool.QEMU && qemu == null) continue;
                    Runs runs = byTool.get(t);
                    if (t != Tool.NATIVE && runs.failure != null && runs.results.stream().allMatch(x -> x.status() != 0)) {
                        continue; // failed every time so far: once is enough to report it
                    }
                    List<String> cmd = new ArrayList<>();
                    if (t == Tool.QEMU) cmd.add(qemu);
                    if (t == Tool.JVMX) cmd.addAll(List.of(o.root().resolve("jvmx").toString(), "run"));
                    cmd.addAll(w.argv());
                    Map<String, String> env = new LinkedHashMap<>(ENV);
                    if (t == Tool.JVMX && System.getenv("JAVA_HOME") != null) env.put("JAVA_HOME", System.getenv("JAVA_HOME"));
                    CompareRun.Result res = CompareRun.spawn(cmd, env, o.work(), w.stdin(), o.timeout());
                    record(byTool, t, res);
                    line.append(String.format(Locale.ROOT, " %s %s", t.name().toLowerCase(Locale.ROOT), describe(res, byTool.get(t))));
                }
                System.err.println(line);
            }
            if (o.warm()) warm(o, w, byTool);
        }
        String table = CompareReport.markdown(o, all, qemu, (System.nanoTime() - t0) / 1e9);
        System.out.print(table);
        if (!o.results().toString().equals("-")) {
            CompareReport.append(o.results(), table);
            System.err.println("compare: appended to " + o.results());
        }
        return 0;
    }

    /** The in-process jvmx runs: one warm-up (not counted), then N. */
    private static void warm(Options o, CompareWorkloads.Workload w, Map<Tool, Runs> byTool) throws IOException {
        Runs runs = byTool.get(Tool.JVMX_WARM);
        for (int r = 0; r <= o.runs(); r++) {
            CompareRun.Result res = CompareRun.inProcess(w.argv(), ENV, o.work(), w.stdin());
            record(byTool, Tool.JVMX_WARM, res);
            System.err.printf(Locale.ROOT, "compare: %-8s in-process %s %s%n", w.name(), r == 0 ? "warm-up" : "run " + r + "/" + o.runs(),
                    describe(res, runs));
            if (runs.failure != null) break;              // a failure is reported with the run that showed it
            if (r == 0) runs.results.removeFirst();      // the warm-up does not count
        }
    }

    /** Adds a result, judging it against the native reference (the first native run). */
    private static void record(Map<Tool, Runs> byTool, Tool t, CompareRun.Result res) {
        Runs runs = byTool.get(t);
        runs.results.add(res);
        if (t == Tool.NATIVE && runs.results.size() == 1) {
            if (res.status() != 0) runs.failure = "status " + res.status() + ": " + res.firstError();
            return;
        }
        CompareRun.Result ref = byTool.get(Tool.NATIVE).results.getFirst();
        if (res.status() != ref.status()) {
            if (runs.failure == null) {
                runs.failure = (res.timedOut() ? "" : "status " + res.status() + ": ")
                        + (res.firstError().isEmpty() ? "(no message)" : res.firstError());
            }
        } else if (!res.stdoutHash().equals(ref.stdoutHash())) {
            runs.mismatches++;
            if (runs.failure == null) runs.failure = "output differs from native (stdout SHA-256 " + res.stdoutHash().substring(0, 12) + ")";
        }
    }

    private static String describe(CompareRun.Result res, Runs runs) {
        String s = String.format(Locale.ROOT, "%.2fs", res.seconds());
        if (res.timedOut()) return s + " TIMEOUT";
        if (runs.failure != null && runs.results.getLast() == res) return s + " FAILED";
        return s;
    }
}
