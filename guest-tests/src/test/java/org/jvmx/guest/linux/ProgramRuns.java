package org.jvmx.guest.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.jvmx.linux.Personality;
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

        LinuxRuns.Invocation forLinuxRuns() {
            return new LinuxRuns.Invocation(argv, env, cwd, stdin);
        }
    }

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

    /** Runs {@code inv} on the host with exactly its environment ({@link LinuxRuns#runNative}). */
    static Outcome runNative(Invocation inv) {
        return text(LinuxRuns.runNative(inv.forLinuxRuns()));
    }

    /** As {@code jvmx run} runs it: the threads scheduled on as many workers as the host has processors. */
    static Outcome runJvmx(Invocation inv) {
        return runJvmx(inv, org.jvmx.sched.Scheduler.hostCores());
    }

    /** Under jvmx in this JVM ({@link LinuxRuns#runInProcess}), the program's threads on {@code workers} worker cores. */
    static Outcome runJvmx(Invocation inv, int workers) {
        return text(LinuxRuns.runInProcess(inv.forLinuxRuns(), Engine.Tier.MIXED, workers));
    }

    private static Outcome text(LinuxRuns.Outcome o) {
        return new Outcome(o.status(), o.out(), o.err());
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
