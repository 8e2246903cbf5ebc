package org.jvmx.guest.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 6's acceptance: Debian's busybox-static ({@code /bin/busybox}, installed by
 * {@code scripts/oracles.sh}) runs its applets under {@code jvmx run} exactly as on the host —
 * the same stdout bytes, stderr and exit status for the same argv, environment
 * ({@link BusyboxFixture#ENV}), working directory and stdin. One dynamic test per invocation,
 * named by its command line; the inputs are made fresh in a temporary directory
 * ({@link BusyboxFixture}). {@code -Dbusybox.only=REGEX} runs the invocations whose name matches.
 * At the end a summary (passed / failed with the first differing line) goes to stdout. Invocations
 * that wait for a missing piece of jvmx are marked {@link Case#pendingOn}: skipped while they fail.
 */
class BusyboxTest {
    /**
     * One invocation of {@code busybox ARGS}. {@code apart}: the native and the jvmx run each get
     * their own empty working directory (x-native, x-jvmx) and the trees they leave are compared
     * too (tar x). {@code unordered}: stdout is compared as a sorted list of lines (find's listing;
     * the directory order itself is checked by {@code tar cf}, whose archive follows it).
     */
    record Case(String name, List<String> args, byte[] stdin, boolean apart, boolean unordered, boolean needsXz,
            String pending) {
        static Case of(String... args) {
            return new Case(String.join(" ", args), List.of(args), new byte[0], false, false, false, null);
        }

        Case input(String text) {
            return new Case(name + " <<< " + text.replace("\n", "\\n"), args, BusyboxFixture.utf8(text), apart, unordered,
                    needsXz, pending);
        }

        Case inOwnDirs() {
            return new Case(name, args, stdin, true, unordered, needsXz, pending);
        }

        Case anyLineOrder() {
            return new Case(name, args, stdin, apart, true, needsXz, pending);
        }

        Case withXz() {
            return new Case(name, args, stdin, apart, unordered, true, pending);
        }

        /**
         * Known not to match yet, for {@code reason} (a missing piece of jvmx): while it fails the
         * test is skipped with the reason; once it matches the test fails, asking to drop the mark,
         * so the list never hides a regression nor outlives its cause.
         */
        Case pendingOn(String reason) {
            return new Case(name, args, stdin, apart, unordered, needsXz, reason);
        }
    }

    private static final String FORK = "fork/clone for the shell's pipeline";

    static List<Case> cases() {
        return List.of(
                // checksums and compression
                Case.of("sha256sum", "words.txt", "bin.dat"),
                Case.of("md5sum", "words.txt", "bin.dat"),
                Case.of("sha1sum", "bin.dat"),
                Case.of("sha512sum", "nums.txt"),
                Case.of("sha3sum", "words.txt"),
                Case.of("crc32", "bin.dat"),
                Case.of("sha256sum", "-c", "sums.sha256"),
                Case.of("md5sum").input("from standard input\n"),
                Case.of("gzip", "-c", "words.txt"),
                Case.of("gzip", "-9", "-c", "bin.dat"),
                Case.of("gunzip", "-c", "words.txt.gz"),
                Case.of("bzip2", "-c", "words.txt"),
                Case.of("bunzip2", "-c", "words.txt.bz2"),
                Case.of("xzcat", "words.txt.xz").withXz(),
                Case.of("unxz", "-c", "words.txt.xz").withXz(),
                // archives
                Case.of("tar", "tf", "tree.tar"),
                Case.of("tar", "tvf", "tree.tar"),
                Case.of("tar", "xvf", "../tree.tar").inOwnDirs(),
                Case.of("tar", "cf", "-", "tree"),
                Case.of("cpio", "-o", "-H", "newc").input("tree\ntree/readme.txt\ntree/sub\ntree/sub/notes.txt\n"),
                Case.of("cp", "-a", "../tree", "copy").inOwnDirs(),
                Case.of("mkdir", "-p", "-m", "750", "a/b/c").inOwnDirs(),
                // text tools
                Case.of("sort", "-n", "nums.txt"),
                Case.of("sort", "-r", "words.txt"),
                Case.of("sort", "-t", ",", "-k", "2,2n", "-k", "1,1", "table.csv"),
                Case.of("uniq", "-c", "sorted.txt"),
                Case.of("tac", "nums.txt"),
                Case.of("rev", "words.txt"),
                Case.of("nl", "-ba", "table.csv"),
                Case.of("fold", "-w", "17", "words.txt"),
                Case.of("paste", "-d", ":", "nums.txt", "table.csv"),
                Case.of("diff", "-u", "words.txt", "sorted.txt"),
                Case.of("cmp", "words.txt", "sorted.txt"),
                Case.of("wc", "words.txt", "nums.txt", "bin.dat"),
                Case.of("wc", "-l", "-w", "-c", "table.csv"),
                Case.of("tr", "a-z", "A-Z").input("Hello, jvmx world\nsecond line\n"),
                Case.of("tr", "-d", "aeiou").input("the quick brown fox jumps over the lazy dog\n"),
                Case.of("cut", "-d", ",", "-f", "1,3", "table.csv"),
                Case.of("cut", "-c", "2-6", "words.txt"),
                Case.of("sed", "s/a/X/g", "words.txt"),
                Case.of("sed", "-n", "2,5p;/gamma/p", "words.txt"),
                Case.of("grep", "-c", "alpha", "words.txt"),
                Case.of("grep", "-E", "^(beta|gamma) [a-z]+$", "words.txt"),
                Case.of("grep", "-v", "-n", "a", "words.txt"),
                Case.of("grep", "no-such-word", "words.txt"),
                Case.of("awk", "-F", ",", "{ s += $3; n++ } END { printf \"%.3f %.3f %d\\n\", s, s / n, n }", "table.csv"),
                // (Debian's busybox awk has no math library: no ^, %, sqrt, sin ...)
                Case.of("awk", "BEGIN { x = 0; for (i = 1; i <= 2000; i++) x += 1 / i; "
                        + "printf \"%.3f %.10f %g %e\\n\", x, 22 / 7, 1e300 * 10, -0.000123; "
                        + "print 7 / 2, int(-7 / 2), 1 / 3, 1e-5 * 3, -1 / 3 * 3 }"),
                Case.of("awk", "{ w += NF; c += length($0) } int(NR / 50) * 50 == NR { print NR, $1 } END { print w, c, w / NR }",
                        "words.txt"),
                // binary views and encodings
                Case.of("od", "-A", "x", "-t", "x1z", "bin.dat"),
                Case.of("hexdump", "-C", "bin.dat"),
                Case.of("xxd", "bin.dat"),
                Case.of("strings", "-n", "3", "bin.dat"),
                Case.of("base64", "bin.dat"),
                Case.of("base64", "-d", "bin.b64"),
                // arithmetic
                Case.of("seq", "1", "3", "40"),
                Case.of("seq", "-s", ",", "-w", "8", "-1", "-9"),
                Case.of("expr", "12345", "*", "679", "-", "17"),
                Case.of("expr", "length", "jvmx-hypervisor"),
                Case.of("factor", "1", "2", "97", "1234567890", "4294967297", "600851475143"),
                Case.of("dc", "-e", "2 64 ^ p 10 k 1 3 / p 7 2 % p 355 113 / p"),
                // files and directories
                Case.of("find", ".", "-name", "*.txt").anyLineOrder(),
                Case.of("find", "tree", "-type", "f", "-size", "-1k").anyLineOrder(),
                Case.of("ls", "-l", "tree", "tree/sub"),
                Case.of("ls", "-la", "--full-time", "tree/sub/deeper"),
                Case.of("ls", "-R", "tree"),
                Case.of("cat", "tree/readme.txt", "tree/sub/notes.txt"),
                Case.of("cat", "no-such-file"),
                Case.of("head", "-n", "7", "words.txt"),
                Case.of("tail", "-n", "4", "words.txt"),
                Case.of("head", "-c", "100", "bin.dat"),
                Case.of("stat", "-c", "%n %s %a %Y", "tree/readme.txt", "bin.dat"),
                Case.of("du", "-a", "tree"),
                Case.of("realpath", "tree/sub/../readme.txt"),
                // one-liners
                Case.of("printf", "%5.2f|%x|%o|%s|%-4d|%e\\n", "3.14159", "255", "8", "abc", "42", "6.02e23"),
                Case.of("echo", "-e", "a\\tb\\nc"),
                Case.of("echo", "-n", "no newline"),
                Case.of("basename", "/usr/lib/libc.so.6", ".6"),
                Case.of("dirname", "/usr/lib/x86_64-linux-gnu/libc.so.6"),
                Case.of("date", "-d", "@0", "-u"),
                Case.of("date", "-u", "-d", "@1700000000", "+%Y-%m-%d %H:%M:%S %j %a"),
                Case.of("true"),
                Case.of("false"),
                Case.of("sh", "-c", "yes | head -n 5").pendingOn(FORK),
                Case.of("sh", "-c", "x=0; for i in 1 2 3 4 5; do x=$((x + i * i)); done; echo $x; echo ${#x}"));
    }

    /** -Dbusybox.strict=true: pending invocations fail like the others (to see the whole state). */
    private static final boolean STRICT = Boolean.getBoolean("busybox.strict");
    private static BusyboxFixture fixture;
    private static final Map<String, String> RESULTS = new ConcurrentSkipListMap<>();
    private static final Map<String, String> PENDING = new ConcurrentSkipListMap<>();

    @BeforeAll
    static void setUp() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(BusyboxFixture.BUSYBOX), "/bin/busybox missing: run scripts/oracles.sh");
        fixture = new BusyboxFixture();
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (!RESULTS.isEmpty()) {
            StringBuilder b = new StringBuilder("busybox under jvmx: ");
            long passed = RESULTS.values().stream().filter("pass"::equals).count();
            b.append(passed).append(" of ").append(RESULTS.size()).append(" invocations match the host\n");
            RESULTS.forEach((k, v) -> b.append(String.format("  %-4s %s%n", v.equals("pass") ? "ok" : "FAIL",
                    k + (v.equals("pass") ? "" : ": " + v + (PENDING.containsKey(k) ? " (pending on " + PENDING.get(k) + ")" : "")))));
            System.out.print(b);
        }
        if (fixture != null) fixture.close();
    }

    @TestFactory
    Stream<DynamicTest> busyboxMatchesHost() {
        String only = System.getProperty("busybox.only");
        return cases().stream()
                .filter(c -> only == null || c.name().matches(only))
                .map(c -> DynamicTest.dynamicTest("busybox " + c.name(), () -> check(c)));
    }

    private static void check(Case c) throws IOException {
        if (c.needsXz()) Assumptions.assumeTrue(fixture.haveXz, "no host xz to make the .xz input");
        List<String> argv = new ArrayList<>();
        argv.add(BusyboxFixture.BUSYBOX.toString());
        argv.addAll(c.args());
        if (c.apart()) fixture.emptyRunDirs();
        Path nativeDir = c.apart() ? fixture.dir.resolve("x-native") : fixture.dir;
        Path jvmxDir = c.apart() ? fixture.dir.resolve("x-jvmx") : fixture.dir;
        LinuxRuns.Outcome host = LinuxRuns.runNative(new LinuxRuns.Invocation(argv, BusyboxFixture.ENV, nativeDir, c.stdin()));
        LinuxRuns.Outcome jvmx = LinuxRuns.runJvmx(new LinuxRuns.Invocation(argv, BusyboxFixture.ENV, jvmxDir, c.stdin()));
        String verdict = compare(c, host, jvmx);
        if (verdict == null && c.apart()) {
            String a = BusyboxFixture.describeTree(nativeDir), b = BusyboxFixture.describeTree(jvmxDir);
            if (!a.equals(b)) verdict = "files left differ: " + firstDifference(a, b);
        }
        RESULTS.put(c.name(), verdict == null ? "pass" : verdict);
        if (c.pending() != null) PENDING.put(c.name(), c.pending());
        if (c.pending() != null && !STRICT) {
            if (verdict == null) fail("busybox " + c.name() + " now matches the host: drop its pendingOn(" + c.pending() + ")");
            Assumptions.abort("pending on " + c.pending() + ": " + verdict);
        }
        if (verdict != null) {
            fail("busybox " + c.name() + ": " + verdict + "\n--- host (status " + host.status() + ") stdout:\n" + clip(host.out())
                    + "--- host stderr:\n" + clip(host.err()) + "--- jvmx (status " + jvmx.status() + ") stdout:\n"
                    + clip(jvmx.out()) + "--- jvmx stderr:\n" + clip(jvmx.err()));
        }
        assertEquals(host.status(), jvmx.status());
    }

    /** Null when the runs match, else the first difference in one line. */
    static String compare(Case c, LinuxRuns.Outcome host, LinuxRuns.Outcome jvmx) {
        if (host.status() != jvmx.status()) {
            return "exit status " + jvmx.status() + ", host " + host.status() + firstLine(jvmx.err());
        }
        boolean same = c.unordered() ? sortedLines(host.out()).equals(sortedLines(jvmx.out()))
                : Arrays.equals(host.stdout(), jvmx.stdout());
        if (!same) {
            String at = c.unordered() ? "" : " at byte " + Arrays.mismatch(host.stdout(), jvmx.stdout());
            return "stdout differs" + at + " (" + jvmx.stdout().length + " bytes, host " + host.stdout().length + "): "
                    + firstDifference(host.out(), jvmx.out()) + firstLine(jvmx.err());
        }
        if (!Arrays.equals(host.stderr(), jvmx.stderr())) return "stderr differs: " + firstDifference(host.err(), jvmx.err());
        return null;
    }

    private static List<String> sortedLines(String s) {
        return s.lines().sorted().toList();
    }

    private static String firstLine(String err) {
        String l = err.lines().findFirst().orElse("");
        return l.isEmpty() ? "" : " [jvmx stderr: " + clipLine(l) + "]";
    }

    static String firstDifference(String a, String b) {
        List<String> x = a.lines().toList(), y = b.lines().toList();
        for (int i = 0; i < Math.max(x.size(), y.size()); i++) {
            String p = i < x.size() ? x.get(i) : "<end>", q = i < y.size() ? y.get(i) : "<end>";
            if (!p.equals(q)) return "line " + (i + 1) + ": host '" + clipLine(p) + "' jvmx '" + clipLine(q) + "'";
        }
        return "line endings or bytes";
    }

    private static String clipLine(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    private static String clip(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) + "\n...(" + s.length() + " chars)\n" : s;
    }
}
