package org.jvmx.guest.linux;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jvmx.linux.LinuxProcess;
import org.jvmx.linux.Personality;
import org.jvmx.linux.ProcessLoader;
import org.jvmx.translator.exec.Engine;

/**
 * The acceptance runs of {@code jvmx run}: a program run natively and under jvmx (in this JVM,
 * wired as the run command wires it through {@link Personality}) with the same argv, environment,
 * working directory and stdin; C sources under {@code src/test/c/linux} built with the host's gcc
 * at test time, statically and dynamically.
 */
final class ProgramRuns {
    /** How a run ended (exit status, 128 + N for death by signal N) and what it printed. */
    record Outcome(int status, String stdout, String stderr) {
    }

    /** One invocation: argv (argv[0] is the program's host path), environment, working directory, stdin. */
    record Invocation(List<String> argv, List<String> env, Path cwd, byte[] stdin) {
        Path program() {
            return Path.of(argv.get(0));
        }
    }

    private static final long TIMEOUT_SECONDS = 120;
    private static final ConcurrentHashMap<String, Path> BUILT = new ConcurrentHashMap<>();
    private static final Path SOURCES = Path.of("src/test/c/linux").toAbsolutePath();

    private ProgramRuns() {
    }

    /** Builds {@code src/test/c/linux/NAME.c} with {@code gcc -O2 -pthread} (plus {@code -static} if asked) into {@code outDir}. */
    static Path build(String name, boolean statically, Path outDir) {
        return BUILT.computeIfAbsent(name + statically + outDir, k -> {
            Path out = outDir.resolve(name + (statically ? "-static" : "-dynamic"));
            List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-pthread", "-w", "-o", out.toString(),
                    SOURCES.resolve(name + ".c").toString(), "-lm"));
            if (statically) cmd.add(1, "-static");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (p.waitFor() != 0) throw new IllegalStateException("gcc failed for " + name + ": " + log);
                return out;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    /** Runs {@code inv} on the host with exactly its environment. */
    static Outcome runNative(Invocation inv) {
        // env -i passes the environment in exactly the given order (a ProcessBuilder's map does not).
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/env", "-i"));
        cmd.addAll(inv.env());
        cmd.addAll(inv.argv());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(inv.cwd().toFile());
        try {
            Process p = pb.start();
            Thread feeder = Thread.ofVirtual().start(() -> {
                try (OutputStream in = p.getOutputStream()) {
                    in.write(inv.stdin());
                } catch (IOException ignored) {
                    // the program did not read all of its stdin
                }
            });
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            Thread o = drain(p.getInputStream(), out), e = drain(p.getErrorStream(), err);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IllegalStateException("native run timed out: " + inv.argv());
            }
            feeder.join();
            o.join();
            e.join();
            return new Outcome(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream to) {
        return Thread.ofVirtual().start(() -> {
            try (in) {
                in.transferTo(to);
            } catch (IOException ignored) {
                // the process went away
            }
        });
    }

    /** Runs {@code inv} under jvmx in this JVM: the host's files as root, fds 0-2 not terminals. */
    /** As {@code jvmx run} runs it: the threads scheduled on as many workers as the host has processors. */
    static Outcome runJvmx(Invocation inv) {
        return runJvmx(inv, org.jvmx.sched.Scheduler.hostCores());
    }

    /** With the program's threads on {@code workers} worker threads (0: a Java thread per guest thread). */
    static Outcome runJvmx(Invocation inv, int workers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintWriter report = new PrintWriter(err, true);
        try (LinuxProcess p = LinuxProcess.load(inv.program(), inv.argv(), inv.env(), Path.of("/"), Engine.Tier.MIXED)) {
            Personality.install(p, Path.of("/"), inv.cwd().toAbsolutePath().normalize().toString(),
                    inv.program().toAbsolutePath().normalize().toString(), new ByteArrayInputStream(inv.stdin()), out, err,
                    new boolean[3]);
            p.setReport(report);
            p.setWorkers(workers);
            int status = p.run();
            report.flush();
            return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (ProcessLoader.LoadException e) {
            return new Outcome(2, "", "jvmx: " + e.getMessage() + "\n");
        }
    }

    /** A fresh empty directory under {@code parent}. */
    static Path freshDir(Path parent, String name) {
        try {
            Path d = parent.resolve(name);
            if (Files.exists(d)) {
                try (var s = Files.walk(d)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
            return Files.createDirectories(d);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
