package org.jvmx.guest.host;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host CPU as an oracle (DESIGN.md, "The host CPU is the oracle"): runs x86-64 snippets
 * natively through {@code src/test/c/hostcpu.c}, which is built with {@code gcc -O2} once per
 * test run into {@code target/hostcpu/}. The addresses below are fixed in the harness, so a state
 * means the same thing natively and in jvmx: map {@link #SCRATCH_SIZE} bytes at
 * {@link #SCRATCH_BASE}, put the code at {@link #CODE_BASE}, and run until RIP reaches
 * {@code CODE_BASE + code.length}.
 *
 * <pre>{@code
 * HostCpu cpu = HostCpu.get();
 * HostResult r = cpu.run(new HostCase(HostState.initial().withGpr(HostState.RAX, 5), code));
 * List<HostResult> rs = cpu.run(cases);   // a batch in one process: 10,000 cases in 0.1-0.7 s here
 * }</pre>
 */
public final class HostCpu {
    public static final long SCRATCH_BASE = 0x1000_0000L;
    /** Data part: the first 4 KiB; stack part: the second. */
    public static final int SCRATCH_SIZE = 8192;
    public static final long STACK_BASE = SCRATCH_BASE + 4096;
    public static final long STACK_TOP = SCRATCH_BASE + SCRATCH_SIZE;
    /** Middle of the stack part: room for 256 pushes and for as many pops. */
    public static final long DEFAULT_RSP = STACK_TOP - 2048;
    public static final long CODE_BASE = 0x2000_0000L;
    public static final int MAX_CODE = 0x10000 - 14;

    static final int STATE_BYTES = 400;
    private static final Path ROOT = Path.of(System.getProperty("jvmx.root", "..")).toAbsolutePath().normalize();
    private static HostCpu instance;

    private final Path exe;

    private HostCpu(Path exe) { this.exe = exe; }

    /** The harness, built on first use in this JVM (and rebuilt when the C source is newer). */
    public static synchronized HostCpu get() {
        if (instance == null) {
            Path module = ROOT.resolve("guest-tests");
            instance = new HostCpu(build(module.resolve("src/test/c/hostcpu.c"),
                    module.resolve("target/hostcpu/hostcpu"), "gcc"));
        }
        return instance;
    }

    /** Compiles the harness; any failure is one line that names what and where. */
    static Path build(Path source, Path exe, String gcc) {
        try {
            if (!Files.isRegularFile(source))
                throw new IllegalStateException("hostcpu: harness source " + source + " not found");
            if (Files.isExecutable(exe) && Files.getLastModifiedTime(exe).compareTo(Files.getLastModifiedTime(source)) >= 0)
                return exe;
            Files.createDirectories(exe.getParent());
            Path log = exe.resolveSibling("gcc.log");
            Path tmp = exe.resolveSibling(exe.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Process p;
            try {
                // into a temporary file, then renamed: another build running the old binary is not disturbed
                p = new ProcessBuilder(gcc, "-O2", "-Wall", "-o", tmp.toString(), source.toString())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            } catch (IOException e) {
                throw new IllegalStateException("hostcpu: cannot run '" + gcc + "' to build " + source
                        + " (is gcc installed and on PATH?)");
            }
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("hostcpu: " + gcc + " did not finish building " + source + " in 120 s");
            }
            if (p.exitValue() != 0) {
                String first = Files.readAllLines(log).stream().filter(l -> l.contains("error")).findFirst().orElse("see " + log);
                throw new IllegalStateException("hostcpu: " + gcc + " failed on " + source + ": " + first.strip());
            }
            Files.move(tmp, exe, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return exe;
        } catch (IOException e) {
            throw new IllegalStateException("hostcpu: building " + exe + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("hostcpu: interrupted while building " + exe);
        }
    }

    public Path executable() { return exe; }

    public HostResult run(HostCase c) { return run(List.of(c)).getFirst(); }

    /**
     * Runs the cases in order in one harness process (states streamed through pipes). A fault in
     * one case is that case's result; only a dead harness (a snippet made an exit system call,
     * say) throws, naming the case.
     */
    public List<HostResult> run(List<HostCase> cases) {
        Process p;
        Path err;
        try {
            err = Files.createTempFile(exe.getParent(), "stderr", ".txt");
            p = new ProcessBuilder(exe.toString(), "-", "-").redirectError(err.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("hostcpu: cannot start " + exe + ": " + e.getMessage());
        }
        Thread writer = Thread.ofPlatform().name("hostcpu-writer").start(() -> write(p.getOutputStream(), cases));
        List<HostResult> results = new ArrayList<>(cases.size());
        try (InputStream in = new BufferedInputStream(p.getInputStream(), 1 << 20)) {
            byte[] hdr = in.readNBytes(16);
            if (hdr.length < 16) throw new EOFException();
            if (!new String(hdr, 0, 8, StandardCharsets.US_ASCII).equals("JVMXHR01"))
                throw new IllegalStateException("hostcpu: bad output header from " + exe);
            byte[] rec = new byte[24 + STATE_BYTES + SCRATCH_SIZE];
            for (int i = 0; i < cases.size(); i++) {
                if (in.readNBytes(rec, 0, rec.length) < rec.length)
                    throw new IllegalStateException("hostcpu: harness died in case " + i + " of " + cases.size()
                            + " (" + stderr(p, err) + ")");
                results.add(parse(ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN)));
            }
            writer.join();
            if (p.waitFor() != 0) throw new IllegalStateException("hostcpu: harness exit " + p.exitValue() + " (" + stderr(p, err) + ")");
        } catch (EOFException e) {
            throw new IllegalStateException("hostcpu: no output from " + exe + " (" + stderr(p, err) + ")");
        } catch (IOException e) {
            throw new IllegalStateException("hostcpu: reading from " + exe + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("hostcpu: interrupted");
        } finally {
            p.destroy();
            try { Files.deleteIfExists(err); } catch (IOException ignored) { }
        }
        return results;
    }

    private static String stderr(Process p, Path err) {
        try {
            p.waitFor(5, TimeUnit.SECONDS);
            String s = Files.readString(err).strip();
            String exit = p.isAlive() ? "still running" : "exit " + p.exitValue();
            return s.isEmpty() ? exit : exit + ": " + s.lines().findFirst().orElse("");
        } catch (IOException | InterruptedException e) {
            return "no stderr";
        }
    }

    private static void write(OutputStream raw, List<HostCase> cases) {
        try (OutputStream out = new BufferedOutputStream(raw, 1 << 20)) {
            writeCases(out, cases);
        } catch (IOException e) {
            // the harness died; the reader reports which case and why
        }
    }

    private static void writeCases(OutputStream out, List<HostCase> cases) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(STATE_BYTES + SCRATCH_SIZE + 4 + MAX_CODE).order(ByteOrder.LITTLE_ENDIAN);
        b.put("JVMXHC01".getBytes(StandardCharsets.US_ASCII)).putInt(SCRATCH_SIZE).putInt(cases.size());
        out.write(b.array(), 0, b.position());
        for (HostCase c : cases) {
            b.clear();
            putState(b, c.state());
            b.putInt(c.code().length).put(c.code());
            out.write(b.array(), 0, b.position());
        }
    }

    /**
     * Saves cases in the harness's input format, for a replay: {@link #replayCommand} gives the
     * one line that runs them natively again, and {@link #load} reads them back (for jvmx).
     */
    public static void save(Path file, List<HostCase> cases) {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            writeCases(out, cases);
        } catch (IOException e) {
            throw new IllegalStateException("hostcpu: cannot write " + file + ": " + e.getMessage());
        }
    }

    public static List<HostCase> load(Path file) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[8];
            b.get(magic);
            if (!new String(magic, StandardCharsets.US_ASCII).equals("JVMXHC01") || b.getInt() != SCRATCH_SIZE)
                throw new IllegalStateException("hostcpu: " + file + " is not a JVMXHC01 case file with "
                        + SCRATCH_SIZE + " scratch bytes");
            int n = b.getInt();
            List<HostCase> cases = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                HostState s = getState(b);
                byte[] code = new byte[b.getInt()];
                b.get(code);
                cases.add(new HostCase(s, code));
            }
            return cases;
        } catch (IOException | java.nio.BufferUnderflowException e) {
            throw new IllegalStateException("hostcpu: cannot read cases from " + file + ": " + e);
        }
    }

    /** A shell line that runs a saved case file natively and writes the results next to it. */
    public String replayCommand(Path caseFile) {
        return exe + " " + caseFile.toAbsolutePath() + " " + caseFile.toAbsolutePath() + ".out";
    }

    static void putState(ByteBuffer b, HostState s) {
        for (long g : s.gpr()) b.putLong(g);
        b.putLong(s.rflags()).putInt(s.mxcsr()).putInt(0);
        for (long x : s.xmm()) b.putLong(x);
        b.put(s.scratch());
    }

    static HostResult parse(ByteBuffer b) {
        int signal = b.getInt();
        b.getInt();
        long rip = b.getLong(), addr = b.getLong();
        return new HostResult(signal, rip, addr, getState(b));
    }

    static HostState getState(ByteBuffer b) {
        long[] gpr = new long[16], xmm = new long[32];
        for (int i = 0; i < 16; i++) gpr[i] = b.getLong();
        long rflags = b.getLong();
        int mxcsr = b.getInt();
        b.getInt();
        for (int i = 0; i < 32; i++) xmm[i] = b.getLong();
        byte[] scratch = new byte[SCRATCH_SIZE];
        b.get(scratch);
        return new HostState(gpr, rflags, mxcsr, xmm, scratch);
    }
}
