package org.jvmx.guest.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jvmx.linux.LinuxProcess;
import org.jvmx.linux.Personality;
import org.jvmx.translator.exec.Engine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * pthread programs under {@code jvmx run} ({@code src/test/c/linux/threads.c}, built with
 * {@code gcc -O2 -pthread}, statically and dynamically): a parallel sum with a mutex, a condition
 * variable, a barrier and thread-local variables; thread ids; signals to a thread and to the
 * process with the main thread blocking them; a signal cutting a thread's nanosleep short; timed
 * condition and mutex waits; many short-lived and detached threads; exit(2) of one thread vs
 * exit_group from a worker and from main while others run; a fault in one thread killing the
 * process; per-thread alternate signal stacks. stdout and the exit
 * status must equal the native run's.
 */
class ThreadsTest {
    private static Path dir;

    @BeforeAll
    static void makeDir() throws IOException {
        dir = Files.createTempDirectory("jvmx-threads");
    }

    @AfterAll
    static void removeDir() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    static List<List<String>> runs() {
        return List.of(List.of("sum"), List.of("sum", "1"), List.of("sum", "7"), List.of("ids"), List.of("signals"),
                List.of("many", "40"), List.of("exit"), List.of("mainexit"), List.of("spin", "2"), List.of("sleep"),
                List.of("timed"), List.of("altstack"), List.of("segv"));
    }

    @TestFactory
    Stream<DynamicTest> likeNative() {
        List<DynamicTest> tests = new ArrayList<>();
        int cores = org.jvmx.sched.Scheduler.hostCores();
        for (boolean statically : new boolean[] {true, false}) {
            for (List<String> args : runs()) {
                String name = (statically ? "static: " : "dynamic: ") + String.join(" ", args);
                tests.add(DynamicTest.dynamicTest(name, () -> check(args, statically, cores)));
            }
        }
        // More threads than cores: every thread's vCPU on one worker, sleeping calls handed to spares
        for (List<String> args : runs()) {
            tests.add(DynamicTest.dynamicTest("static, 1 worker: " + String.join(" ", args), () -> check(args, true, 1)));
        }
        return tests.stream();
    }

    private static void check(List<String> args, boolean statically, int workers) {
        Path exe = ProgramRuns.build("threads", statically, dir);
        List<String> argv = new ArrayList<>(List.of(exe.toString()));
        argv.addAll(args);
        String tag = String.join("_", args) + statically + workers;
        ProgramRuns.Outcome n = ProgramRuns.runNative(new ProgramRuns.Invocation(argv, CProgramsTest.ENV,
                ProgramRuns.freshDir(dir, "native-" + tag), new byte[0]));
        ProgramRuns.Outcome j = ProgramRuns.runJvmx(new ProgramRuns.Invocation(argv, CProgramsTest.ENV,
                ProgramRuns.freshDir(dir, "jvmx-" + tag), new byte[0]), workers);
        assertEquals(n.stdout(), j.stdout(), "stdout; jvmx stderr: " + j.stderr());
        assertEquals(n.status(), j.status(), "status; jvmx stderr: " + j.stderr());
        if (n.status() < 128) assertEquals(n.stderr(), j.stderr(), "stderr"); // else jvmx adds its one-line report
    }

    /** The threads really were vCPUs of the process: the group counts them, and nothing asked for an unsupported clone. */
    @Test
    void threadsAreVcpusOfTheProcess() throws Exception {
        Path exe = ProgramRuns.build("threads", true, dir);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try (LinuxProcess p = LinuxProcess.load(exe, List.of(exe.toString(), "sum", "3"), CProgramsTest.ENV, Path.of("/"),
                Engine.Tier.MIXED)) {
            Personality.install(p, Path.of("/"), dir.toString(), exe.toString(), new ByteArrayInputStream(new byte[0]), out,
                    err, new boolean[3]);
            p.setReport(new PrintWriter(err, true));
            assertEquals(0, p.run(), err.toString(StandardCharsets.UTF_8));
            assertEquals(4, p.threads().created(), "the leader and three workers");
            assertEquals(4, p.vm().vcpus().size(), "one vCPU per thread");
            assertEquals(0, p.threads().refusedClones());
            assertEquals(0, p.threads().count(), "every thread is gone");
            assertEquals(0, p.futexes().waiters(), "nobody is left sleeping on a futex");
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("threads 3: sum 39900000"));
        }
    }
}
