package org.jvmx.perf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jvmx.linux.Personality;
import org.jvmx.linux.LinuxProcess;
import org.jvmx.linux.ProcessLoader;
import org.jvmx.translator.exec.Engine;

/**
 * One timed run of a workload: as a child process (native, under qemu-x86_64, or {@code jvmx run}),
 * or in this JVM through {@link LinuxProcess} (the warm jvmx figure: the JVM and its JIT already
 * warm from earlier runs, only the guest's own translation starts cold). Standard output is
 * hashed (SHA-256) as it streams, so outputs are compared with the native run's without being kept.
 */
final class CompareRun {
    /** What a run did: wall seconds, exit status (124: timed out), stdout hash, first stderr line. */
    record Result(double seconds, int status, String stdoutHash, String firstError) {
        boolean timedOut() {
            return status == TIMED_OUT;
        }
    }

    static final int TIMED_OUT = 124;

    private CompareRun() {
    }

    /** Runs {@code cmd} in {@code cwd} with exactly {@code env}; stdin from {@code stdin} (null: empty). */
    static Result spawn(List<String> cmd, Map<String, String> env, Path cwd, Path stdin, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())
                : ProcessBuilder.Redirect.from(stdin.toFile()));
        long t0 = System.nanoTime();
        Process p = pb.start();
        Hasher out = new Hasher(p.getInputStream());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread errThread = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err));
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        long t1 = System.nanoTime();
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
        String hash = out.hash();
        errThread.join();
        if (!done) return new Result((t1 - t0) / 1e9, TIMED_OUT, hash, "timed out after " + timeoutSeconds + " s");
        return new Result((t1 - t0) / 1e9, p.exitValue(), hash, firstLine(err));
    }

    /** Runs the workload under jvmx in this JVM, wired as {@code jvmx run} wires a process. */
    static Result inProcess(List<String> argv, Map<String, String> env, Path cwd, Path stdin) throws IOException {
        List<String> envp = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        MessageDigest md = sha256();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintWriter report = new PrintWriter(err, true);
        long t0 = System.nanoTime();
        int status;
        try (LinuxProcess p = LinuxProcess.load(Path.of(argv.get(0)), argv, envp, Path.of("/"), Engine.Tier.MIXED);
                InputStream in = stdin == null ? InputStream.nullInputStream() : Files.newInputStream(stdin);
                OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), md)) {
            Personality.install(p, Path.of("/"), cwd.toAbsolutePath().toString(),
                    Path.of(argv.get(0)).toAbsolutePath().normalize().toString(), in, out, err, new boolean[3]);
            p.setReport(report);
            status = p.run();
        } catch (ProcessLoader.LoadException e) {
            return new Result((System.nanoTime() - t0) / 1e9, 2, "", e.getMessage());
        } catch (RuntimeException e) {
            report.flush();
            String first = firstLine(err);
            return new Result((System.nanoTime() - t0) / 1e9, 70, "", first.isEmpty() ? "internal error: " + e : first);
        }
        report.flush();
        return new Result((System.nanoTime() - t0) / 1e9, status, HexFormat.of().formatHex(md.digest()), firstLine(err));
    }

    private static String firstLine(ByteArrayOutputStream err) {
        return err.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).findFirst().orElse("");
    }

    private static void copy(InputStream in, OutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process went away
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hashes a child's stdout on a virtual thread while it runs. */
    private static final class Hasher {
        private final MessageDigest md = sha256();
        private final Thread thread;

        Hasher(InputStream in) {
            thread = Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[1 << 16];
                try (in) {
                    for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
                } catch (IOException ignored) {
                    // the process went away
                }
            });
        }

        String hash() throws InterruptedException {
            thread.join();
            return HexFormat.of().formatHex(md.digest());
        }
    }
}
