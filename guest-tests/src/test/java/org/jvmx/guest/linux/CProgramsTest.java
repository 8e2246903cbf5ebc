package org.jvmx.guest.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * C programs under {@code jvmx run}: the sources under {@code src/test/c/linux} (files, mmap,
 * signals, argv/env/auxv/time/floating point/stdio) are built at test time with
 * {@code gcc -O2 -static} and dynamically, then each invocation runs natively and under jvmx
 * with the same argv, environment and stdin, each in its own fresh empty working directory; the
 * stdout and exit status must be equal (stderr too, unless the process died by a signal: jvmx
 * then adds its one-line report). The programs print nothing that differs between two native
 * runs (no pids, addresses or times).
 */
class CProgramsTest {
    static final List<String> ENV = List.of("LC_ALL=C", "TZ=UTC", "HOME=/home/guest", "PATH=/usr/bin:/bin", "EMPTY=");

    record Run(String program, List<String> args) {
        String name() {
            return program + (args.isEmpty() ? "" : " " + String.join(" ", args));
        }
    }

    static List<Run> runs() {
        List<Run> r = new ArrayList<>();
        r.add(new Run("files", List.of()));
        r.add(new Run("mmap", List.of()));
        for (String end : List.of("return", "exit", "term", "abort", "segv", "fpe", "kill")) {
            r.add(new Run("signals", List.of(end)));
        }
        r.add(new Run("misc", List.of("one", "two words", "", "7")));
        r.add(new Run("misc", List.of("_exit")));
        r.add(new Run("misc", List.of()));
        return r;
    }

    private static Path dir;

    @BeforeAll
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("jvmx-cprograms");
    }

    @AfterAll
    static void removeDir() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @TestFactory
    Stream<DynamicTest> likeNative() {
        List<DynamicTest> tests = new ArrayList<>();
        for (boolean statically : new boolean[] {true, false}) {
            for (Run run : runs()) {
                String variant = statically ? "static" : "dynamic";
                tests.add(DynamicTest.dynamicTest(variant + ": " + run.name(), () -> check(run, statically)));
            }
        }
        return tests.stream();
    }

    private static void check(Run run, boolean statically) {
        Path exe = ProgramRuns.build(run.program(), statically, dir);
        List<String> argv = new ArrayList<>(List.of(exe.toString()));
        argv.addAll(run.args());
        String tag = run.name().replaceAll("[^A-Za-z0-9]", "_") + statically;
        ProgramRuns.Outcome n = ProgramRuns.runNative(new ProgramRuns.Invocation(argv, ENV,
                ProgramRuns.freshDir(dir, "native-" + tag), new byte[0]));
        ProgramRuns.Outcome j = ProgramRuns.runJvmx(new ProgramRuns.Invocation(argv, ENV,
                ProgramRuns.freshDir(dir, "jvmx-" + tag), new byte[0]));
        assertEquals(n.stdout(), j.stdout(), "stdout; jvmx stderr: " + j.stderr());
        assertEquals(n.status(), j.status(), "status; jvmx stderr: " + j.stderr());
        if (n.status() < 128) assertEquals(n.stderr(), j.stderr(), "stderr");
    }
}
