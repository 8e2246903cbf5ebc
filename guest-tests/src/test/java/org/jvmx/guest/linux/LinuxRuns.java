package org.jvmx.guest.linux;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvmx.linux.Personality;
import org.jvmx.linux.LinuxProcess;
import org.jvmx.linux.ProcessLoader;
import org.jvmx.translator.exec.Engine;

/**
 * Runs one Linux program invocation natively and under jvmx with the same argv, environment,
 * working directory and stdin, and returns what each did, so a test compares them byte for byte.
 *
 * <p>jvmx runs in this JVM by default (a {@link LinuxProcess} wired as {@code jvmx run} wires it:
 * the files group over root "/", the working directory, the standard streams); with
 * {@code -Djvmx.linux.spawn=true} it runs as {@code java org.jvmx.cli.Main run ...} in a child
 * JVM on this test's class path, which exercises the command line's own wiring.
 */
final class LinuxRuns {
    /** How a run ended: exit status (128 + N for signal N) and its output bytes. */
    record Outcome(int status, byte[] stdout, byte[] stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        String err() {
            return new String(stderr, StandardCharsets.UTF_8);
        }
    }

    /** One invocation: argv (argv[0] is the program's path), environment (NAME=VALUE), cwd (a host path), stdin bytes. */
    record Invocation(List<String> argv, List<String> env, Path cwd, byte[] stdin) {
        Path program() {
            return Path.of(argv.get(0));
        }
    }

    static final boolean SPAWN = Boolean.getBoolean("jvmx.linux.spawn");
    private static final long TIMEOUT_SECONDS = Long.getLong("jvmx.linux.timeout", 300);

    private LinuxRuns() {
    }

    /** Runs {@code inv} on the host. */
    static Outcome runNative(Invocation inv) {
        return spawn(inv.argv(), inv);
    }

    /** Runs {@code inv} under jvmx (in this JVM, or a child JVM with -Djvmx.linux.spawn=true). */
    static Outcome runJvmx(Invocation inv) {
        if (SPAWN) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "org.jvmx.cli.Main", "run"));
            cmd.addAll(inv.argv());
            return spawn(cmd, inv);
        }
        return runInProcess(inv, Engine.Tier.MIXED);
    }

    /** The in-process run: the same wiring as the {@code run} command, with captured streams. */
    static Outcome runInProcess(Invocation inv, Engine.Tier tier) {
        return runInProcess(inv, tier, org.jvmx.sched.Scheduler.hostCores()); // as the run command does
    }

    /** As above, the program's threads on {@code workers} worker cores (0: a Java thread each). */
    static Outcome runInProcess(Invocation inv, Engine.Tier tier, int workers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        PrintWriter report = new PrintWriter(err, true);
        try (LinuxProcess p = LinuxProcess.load(inv.program(), inv.argv(), inv.env(), Path.of("/"), tier)) {
            Personality.install(p, Path.of("/"), inv.cwd().toAbsolutePath().toString(),
                    inv.program().toAbsolutePath().normalize().toString(), new ByteArrayInputStream(inv.stdin()), out, err,
                    new boolean[3]);
            p.setReport(report);
            p.setWorkers(workers);
            int status = p.run();
            report.flush();
            return new Outcome(status, out.toByteArray(), err.toByteArray());
        } catch (ProcessLoader.LoadException e) {
            return new Outcome(2, out.toByteArray(), ("jvmx: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            // A monitor bug (an unexpected exit, an unserved state) is a failed run with its reason, not a crashed test run.
            report.flush();
            return new Outcome(70, out.toByteArray(), (err + "jvmx internal error: " + e + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private static Outcome spawn(List<String> command, Invocation inv) {
        // env -i passes exactly the given environment in its order (a ProcessBuilder's map does not keep it)
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/env", "-i"));
        cmd.addAll(inv.env());
        cmd.addAll(command);
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
            Drain out = new Drain(p.getInputStream()), err = new Drain(p.getErrorStream());
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return new Outcome(124, out.get(), ("timed out after " + TIMEOUT_SECONDS + " s\n").getBytes(StandardCharsets.UTF_8));
            }
            feeder.join();
            return new Outcome(p.exitValue(), out.get(), err.get());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Reads a child's stream to its end on a virtual thread (so a full pipe never blocks the child). */
    private static final class Drain {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream in) {
            thread = Thread.ofVirtual().start(() -> {
                try (in) {
                    in.transferTo(buf);
                } catch (IOException ignored) {
                    // the process went away
                }
            });
        }

        byte[] get() throws InterruptedException {
            thread.join();
            return buf.toByteArray();
        }
    }
}
