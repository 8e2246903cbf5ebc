package org.jvmx.linux;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jvmx.translator.exec.Engine;

/**
 * Test support for Linux programs: builds C sources with the host's gcc at test time (cached
 * per source and flags), runs a binary natively and under jvmx, and returns what each did
 * (exit status, stdout, stderr), so tests compare the two exactly. Reusable by every group's tests.
 */
public final class GuestPrograms {
    /** How a run ended and what it printed. */
    public record Outcome(int status, String stdout, String stderr) {
    }

    private static final Path DIR;
    private static final ConcurrentHashMap<String, Path> BUILT = new ConcurrentHashMap<>();

    static {
        try {
            DIR = Files.createTempDirectory("jvmx-linux-tests");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var files = Files.walk(DIR)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException ignored) {
                    // a temporary directory left behind
                }
            }));
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private GuestPrograms() {
    }

    /** The directory builds go to. */
    public static Path dir() {
        return DIR;
    }

    /** Builds {@code source} (C) with {@code gcc -O2 FLAGS} (e.g. "-static", "-static-pie", "" for dynamic). */
    public static Path build(String name, String source, String... flags) {
        String key = name + String.join(" ", flags) + source.hashCode();
        return BUILT.computeIfAbsent(key, k -> {
            try {
                Path src = DIR.resolve(name + ".c");
                Files.writeString(src, source);
                Path out = DIR.resolve(name + (flags.length == 0 ? "" : String.join("", flags).replace(' ', '_')));
                List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-w", "-o", out.toString(), src.toString()));
                for (String f : flags) if (!f.isEmpty()) cmd.add(1, f);
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor() != 0) throw new IllegalStateException("gcc failed for " + name + ": " + log);
                return out;
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** launcher PROGRAM N ARG1..ARGN ENV...: execve(PROGRAM, ARGV, ENV) with exactly the argv and environment given. */
    private static final String LAUNCHER = """
            #include <stdlib.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                int n = atoi(argv[2]);
                char *args[n + 1];
                for (int i = 0; i < n; i++) args[i] = argv[3 + i];
                args[n] = 0;
                execve(argv[1], args, argv + 3 + n); /* the environment runs to argv's closing NULL */
                return 127;
            }
            """;

    /** Runs {@code program} natively with exactly {@code argv} (argv[0] included) and {@code envp}. */
    public static Outcome runNative(Path program, List<String> argv, List<String> envp) {
        List<String> cmd = new ArrayList<>();
        cmd.add(build("launcher", LAUNCHER).toString());
        cmd.add(program.toString());
        cmd.add(Integer.toString(argv.size()));
        cmd.addAll(argv);
        cmd.addAll(envp);
        try {
            Process p = new ProcessBuilder(cmd).start();
            p.getOutputStream().close();
            var out = drain(p.getInputStream());
            var err = drain(p.getErrorStream());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("native run timed out: " + program);
            }
            int status = p.exitValue();
            return new Outcome(status, out.get(), err.get());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Drained {
        String get() throws IOException, InterruptedException;
    }

    private static Drained drain(InputStream in) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                in.transferTo(buf);
            } catch (IOException ignored) {
                // the process went away
            }
        });
        return () -> {
            t.join();
            return buf.toString(StandardCharsets.UTF_8);
        };
    }

    /** Runs a dynamically linked program with the host's files (root /). */
    public static Outcome runJvmxWithHostFiles(Path program, List<String> argv, List<String> envp) {
        return runJvmx(program, argv, envp, Engine.Tier.MIXED, null);
    }

    /** Runs {@code program} under jvmx with {@code argv}, {@code envp}; stdin empty, stdout and stderr captured. */
    public static Outcome runJvmx(Path program, List<String> argv, List<String> envp) {
        return runJvmx(program, argv, envp, Engine.Tier.MIXED, p -> { });
    }

    /**
     * As {@link #runJvmx(Path, List, List)}, with {@code setup} called on the process before it runs
     * (to install more groups; the files group, over the host's files, is installed after it unless it installed one).
     */
    public static Outcome runJvmx(Path program, List<String> argv, List<String> envp, Engine.Tier tier,
            Consumer<LinuxProcess> setup) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        java.io.PrintWriter report = new java.io.PrintWriter(err, true);
        try (LinuxProcess p = LinuxProcess.load(program, argv, envp, Path.of("/"), tier)) {
            if (setup != null) setup.accept(p);
            if (p.table().entry(1) == null) {
                Personality.install(p, Path.of("/"), Path.of("").toAbsolutePath().toString(),
                        program.toAbsolutePath().normalize().toString(), InputStream.nullInputStream(), out, err,
                        new boolean[3]);
            }
            p.setReport(report);
            int status = p.run();
            report.flush();
            return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (ProcessLoader.LoadException e) {
            return new Outcome(2, "", e.getMessage());
        }
    }
}
